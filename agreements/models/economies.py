from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agreements.choices import EconomyKind
from agreements.models.memberships import DatedMembership, MembershipHistory, describe_period
from agreements.validators import no_control_characters


class Economy(models.Model):
    """A party that signs arrangements: one territory, or a union such as the EU (code EUU)."""

    code = models.CharField(
        _("code"),
        max_length=3,
        primary_key=True,
        # \Z, not $: $ also matches before a final line break.
        validators=[RegexValidator(r"^[A-Z]{3}\Z", "Use three upper-case letters.")],
    )
    name = models.CharField(_("name"), max_length=200, validators=[no_control_characters])
    # Blank: Chinese pages show the English name (agreements.names).
    name_zh = models.CharField(
        _("Chinese name"), max_length=200, blank=True, default="", validators=[no_control_characters]
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=EconomyKind.choices, default=EconomyKind.TERRITORY
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("economy")
        verbose_name_plural = _("economies")
        ordering = ["name", "code"]  # by name on every page and list; the code breaks a tie
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=EconomyKind.values), name="economy_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("economy-detail", args=[self.code])


class EconomyMembership(DatedMembership):
    group_field = "economy"

    economy = models.ForeignKey(
        Economy,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("economy"),
        db_index=False,  # economymembership_unique_start starts with it (see `membership_indexes`)
    )

    history = MembershipHistory("economy")

    class Meta:
        verbose_name = _("economy membership")
        verbose_name_plural = _("economy memberships")
        ordering = ["economy", "territory", "start_date"]
        indexes = DatedMembership.membership_indexes("economymembership")
        constraints = DatedMembership.membership_constraints("economy", "economymembership")

    def __str__(self) -> str:
        return f"{self.territory_id} in {self.economy_id} {describe_period(self.start_date, self.end_date)}"
