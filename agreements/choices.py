"""The closed vocabularies of the registry, shared by models, forms, the loader and the API."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TerritoryKind(models.TextChoices):
    COUNTRY = "country", _("Country")
    REGION = "region", _("Region")


class EconomyKind(models.TextChoices):
    TERRITORY = "territory", _("Single territory")
    UNION = "union", _("Union of territories")


class DatePrecision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month (first of the month)")
    YEAR = "year", _("Year (first of the year)")
    BY = "by", _("By (latest date by which it had happened)")


class Status(models.TextChoices):
    NEGOTIATING = "negotiating", pgettext_lazy("status", "Negotiating")
    SIGNED = "signed", pgettext_lazy("status", "Signed")
    IN_FORCE = "in_force", pgettext_lazy("status", "In force")
    ENDED = "ended", pgettext_lazy("status", "Ended")


class Evidence(models.TextChoices):
    """Evidence levels, strongest first: a setting includes its level and every stronger one
    (`agreements.counting.evidence_included`, rule 6)."""

    CONFIRMED = "confirmed", _("Confirmed")
    REPORTED = "reported", _("Reported")
    INFERRED = "inferred", _("Inferred")


class Basis(models.TextChoices):
    SIGNED = "signed", _("Signed")
    IN_FORCE = "in_force", _("In force")


class Metric(models.TextChoices):
    """Claim metrics; `bloc:<code>` (a bloc count) is allowed besides these."""

    PARTNER_ECONOMIES = "partner_economies", _("Partner economies")
    PARTNER_COUNTRIES = "partner_countries", _("Partner countries and regions")
    RANK_BY_COUNTRIES = "rank_by_countries", _("Rank by partner countries")
    RANK_BY_ECONOMIES = "rank_by_economies", _("Rank by partner economies")


BLOC_METRIC_PREFIX = "bloc:"


class Confidence(models.TextChoices):
    """How far a programme fact or operator count is established (see data/README.md). A
    low-confidence figure is never shown as a fact: pages mark it unverified."""

    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low (unverified)")


class CountQualifier(models.TextChoices):
    """How a source states a count: the number itself, "more than" it, or "about" it."""

    EXACT = "exact", _("Exactly")
    MORE_THAN = "more_than", _("More than")
    ABOUT = "about", _("About")
