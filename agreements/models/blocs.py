from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agreements.models.memberships import DatedMembership, MembershipHistory, describe_period
from agreements.validators import no_control_characters


class Bloc(models.Model):
    """A grouping of territories used in official counts (Belt and Road, RCEP, CEE...)."""

    code = models.CharField(
        _("code"),
        max_length=20,
        primary_key=True,
        # \Z, not $: $ also matches before a final line break.
        validators=[RegexValidator(r"^[A-Z][A-Z0-9_]*\Z", "Use upper-case letters, digits and _.")],
    )
    name = models.CharField(_("name"), max_length=200, validators=[no_control_characters])
    # Blank: Chinese pages show the English name (agreements.names).
    name_zh = models.CharField(
        _("Chinese name"), max_length=200, blank=True, default="", validators=[no_control_characters]
    )
    definition = models.TextField(_("definition"), blank=True, validators=[no_control_characters])
    source = models.TextField(_("source"), blank=True, validators=[no_control_characters])

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bloc")
        verbose_name_plural = _("blocs")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("bloc-detail", args=[self.code])


class BlocMembership(DatedMembership):
    group_field = "bloc"

    bloc = models.ForeignKey(
        Bloc,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("bloc"),
        db_index=False,  # blocmembership_unique_start starts with it (see `membership_indexes`)
    )

    history = MembershipHistory("bloc")

    class Meta:
        verbose_name = _("bloc membership")
        verbose_name_plural = _("bloc memberships")
        ordering = ["bloc", "territory", "start_date"]
        indexes = DatedMembership.membership_indexes("blocmembership")
        constraints = DatedMembership.membership_constraints("bloc", "blocmembership")

    def __str__(self) -> str:
        return f"{self.territory_id} in {self.bloc_id} {describe_period(self.start_date, self.end_date)}"
