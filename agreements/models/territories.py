from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agreements.choices import TerritoryKind
from agreements.validators import no_control_characters

# \Z, not $: $ also matches before a final line break.
iso3_validator = RegexValidator(r"^[A-Z]{3}\Z", "Use an upper-case ISO 3166-1 alpha-3 code.")
iso2_validator = RegexValidator(r"^[A-Z]{2}\Z", "Use an upper-case ISO 3166-1 alpha-2 code.")


class Territory(models.Model):
    """A country or region of ISO 3166-1. Every ISO territory is known, not only those in the data."""

    iso3 = models.CharField(_("ISO alpha-3"), max_length=3, primary_key=True, validators=[iso3_validator])
    iso2 = models.CharField(
        _("ISO alpha-2"), max_length=2, unique=True, null=True, blank=True, validators=[iso2_validator]
    )
    name = models.CharField(_("name"), max_length=200, validators=[no_control_characters])
    # Blank: Chinese pages show the English name (agreements.names).
    name_zh = models.CharField(
        _("Chinese name"), max_length=200, blank=True, default="", validators=[no_control_characters]
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=TerritoryKind.choices, default=TerritoryKind.COUNTRY
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        ordering = ["name", "iso3"]  # by name on every page and list; the code breaks a tie
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=TerritoryKind.values), name="territory_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.iso3})"

    def get_absolute_url(self) -> str:
        return reverse("territory-detail", args=[self.iso3])
