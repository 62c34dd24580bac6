from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agreements.choices import BLOC_METRIC_PREFIX, Basis, Metric
from agreements.validators import no_control_characters, plausible_event_date


class Claim(models.Model):
    """One figure of an official statement, which the registry reconciles with its own count."""

    key = models.CharField(
        _("key"),
        max_length=100,
        help_text=_("One statement may have several rows."),
        validators=[no_control_characters],
    )
    authority = models.CharField(_("authority"), max_length=200, validators=[no_control_characters])
    stated_on = models.DateField(_("stated on"), validators=[plausible_event_date])
    as_of = models.DateField(_("as of"), validators=[plausible_event_date])
    economy = models.ForeignKey(
        "agreements.Economy", on_delete=models.PROTECT, related_name="claims", verbose_name=_("economy")
    )
    basis = models.CharField(_("basis"), max_length=10, choices=Basis.choices)
    metric = models.CharField(
        _("metric"),
        max_length=40,
        validators=[no_control_characters],
        help_text=_(
            "partner_economies, partner_countries, rank_by_countries, rank_by_economies or bloc:<code>"
        ),
    )
    value = models.PositiveIntegerField(_("value"))
    # URLValidator lets C0 characters other than whitespace through in the path.
    source_url = models.URLField(
        _("source URL"), max_length=1000, blank=True, validators=[no_control_characters]
    )
    note = models.TextField(_("note"), blank=True, validators=[no_control_characters])

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["as_of", "key", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "basis", "metric"],
                name="claim_unique_figure",
                violation_error_message="This statement already has a figure for that basis and metric.",
            ),
            models.CheckConstraint(condition=Q(basis__in=Basis.values), name="claim_basis_valid"),
            models.CheckConstraint(
                condition=Q(metric__in=Metric.values) | Q(metric__startswith=BLOC_METRIC_PREFIX),
                name="claim_metric_valid",
            ),
            models.CheckConstraint(
                condition=Q(as_of__lte=models.F("stated_on")),
                name="claim_as_of_not_after_statement",
                violation_error_message="A claim cannot be as of a date after it was stated.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.authority}, {self.stated_on.isoformat()}: {self.metric} = {self.value}"

    def clean(self) -> None:
        super().clean()
        if self.metric.startswith(BLOC_METRIC_PREFIX):
            from agreements.models.blocs import Bloc

            code = self.metric.removeprefix(BLOC_METRIC_PREFIX)
            if not Bloc.objects.filter(code=code).exists():
                raise ValidationError({"metric": f"Unknown bloc {code!r} in metric."})
        elif self.metric not in Metric.values:
            raise ValidationError({"metric": f"Unknown metric {self.metric!r}."})
