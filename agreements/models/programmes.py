"""Economies' AEO programmes and dated counts of their certified operators.

A programme belongs to one economy (its primary key is the economy's code). Every fact carries a
confidence level; a low-confidence programme or count is shown as unverified, never as a fact
(data/README.md, "AEO programmes").
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agreements.choices import Confidence, CountQualifier, DatePrecision
from agreements.validators import no_control_characters, plausible_event_date

SOURCE_SEPARATOR = " ; "


class Programme(models.Model):
    economy = models.OneToOneField(
        "agreements.Economy",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="programme",
        verbose_name=_("economy"),
    )
    name = models.CharField(_("name"), max_length=300, validators=[no_control_characters])
    native_name = models.CharField(
        _("native name"), max_length=300, blank=True, validators=[no_control_characters]
    )
    launched_date = models.DateField(
        _("launched date"), null=True, blank=True, validators=[plausible_event_date]
    )
    launched_precision = models.CharField(
        _("launched precision"), max_length=10, choices=DatePrecision.choices, blank=True
    )
    legal_basis = models.TextField(_("legal basis"), blank=True, validators=[no_control_characters])
    sources = models.TextField(
        _("sources"),
        blank=True,
        help_text=_("URLs or citations, separated by ' ; '."),
        validators=[no_control_characters],
    )
    confidence = models.CharField(_("confidence"), max_length=10, choices=Confidence.choices)
    note = models.TextField(_("note"), blank=True, validators=[no_control_characters])

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("AEO programme")
        verbose_name_plural = _("AEO programmes")
        ordering = ["economy"]
        constraints = [
            models.CheckConstraint(
                condition=Q(confidence__in=Confidence.values), name="programme_confidence_valid"
            ),
            models.CheckConstraint(
                condition=Q(launched_date__isnull=True, launched_precision="")
                | Q(launched_date__isnull=False, launched_precision__in=DatePrecision.values),
                name="programme_launched_precision_with_date",
                violation_error_message="A launch date needs its precision, and a precision its date.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.economy_id})"

    @property
    def source_list(self) -> list[tuple[str, str]]:
        """(link, text) of each source: a web address is linked, a citation is not (link "")."""
        return [_source(text) for text in self.sources.split(SOURCE_SEPARATOR) if text.strip()]

    @property
    def verified(self) -> bool:
        """Shown as established: high or medium confidence."""
        return self.confidence != Confidence.LOW


def _source(text: str) -> tuple[str, str]:
    text = text.strip()
    return (text if text.startswith(("https://", "http://")) else "", text)


class ProgrammeCount(models.Model):
    """The number of certified operators of a programme on a date, as one source states it."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="counts", verbose_name=_("AEO programme")
    )
    operators = models.PositiveIntegerField(_("certified operators"))
    qualifier = models.CharField(
        _("qualifier"), max_length=10, choices=CountQualifier.choices, default=CountQualifier.EXACT
    )
    as_of_date = models.DateField(_("as of"), validators=[plausible_event_date])
    as_of_precision = models.CharField(
        _("as of precision"), max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    source = models.TextField(
        _("source"),
        blank=True,
        help_text=_("A URL or a citation; blank: the programme's sources."),
        validators=[no_control_characters],
    )
    confidence = models.CharField(_("confidence"), max_length=10, choices=Confidence.choices)
    note = models.TextField(_("note"), blank=True, validators=[no_control_characters])

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("certified operators count")
        verbose_name_plural = _("certified operators counts")
        ordering = ["programme", "as_of_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "as_of_date"],
                name="programme_count_one_per_date",
                violation_error_message="This programme already has a count on that date.",
            ),
            models.CheckConstraint(
                condition=Q(confidence__in=Confidence.values), name="programme_count_confidence_valid"
            ),
            models.CheckConstraint(
                condition=Q(qualifier__in=CountQualifier.values), name="programme_count_qualifier_valid"
            ),
            models.CheckConstraint(
                condition=Q(as_of_precision__in=DatePrecision.values),
                name="programme_count_precision_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id}: {self.operators} on {self.as_of_date.isoformat()}"

    @property
    def verified(self) -> bool:
        """Shown as a fact: high or medium confidence."""
        return self.confidence != Confidence.LOW

    @property
    def source_link(self) -> tuple[str, str] | None:
        return _source(self.source) if self.source.strip() else None

    @property
    def figure(self) -> str:
        """The count as its source states it, in the active language ("more than 14,000")."""
        number = f"{self.operators:,}"
        if self.qualifier == CountQualifier.MORE_THAN:
            return gettext("more than %(number)s") % {"number": number}
        if self.qualifier == CountQualifier.ABOUT:
            return gettext("about %(number)s") % {"number": number}
        return number
