"""The closed vocabularies of the registry, shared by models, forms, the loader and the API."""

from __future__ import annotations

from django.db import models


class TerritoryKind(models.TextChoices):
    COUNTRY = "country", "Country"
    REGION = "region", "Region"


class EconomyKind(models.TextChoices):
    TERRITORY = "territory", "Single territory"
    UNION = "union", "Union of territories"


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month (first of the month)"
    YEAR = "year", "Year (first of the year)"
    BY = "by", "By (latest date by which it had happened)"


class Status(models.TextChoices):
    NEGOTIATING = "negotiating", "Negotiating"
    SIGNED = "signed", "Signed"
    IN_FORCE = "in_force", "In force"
    ENDED = "ended", "Ended"


class Evidence(models.TextChoices):
    """Evidence levels nest: confirmed ⊂ reported ⊂ inferred."""

    CONFIRMED = "confirmed", "Confirmed"
    REPORTED = "reported", "Reported"
    INFERRED = "inferred", "Inferred"

    @classmethod
    def up_to(cls, level: str) -> tuple[str, ...]:
        """The levels an evidence setting includes: itself and every stronger level."""
        order = [cls.CONFIRMED.value, cls.REPORTED.value, cls.INFERRED.value]
        return tuple(order[: order.index(level) + 1])


class Basis(models.TextChoices):
    SIGNED = "signed", "Signed"
    IN_FORCE = "in_force", "In force"


class Metric(models.TextChoices):
    """Claim metrics; `bloc:<code>` (a bloc count) is allowed besides these."""

    PARTNER_ECONOMIES = "partner_economies", "Partner economies"
    PARTNER_COUNTRIES = "partner_countries", "Partner countries and regions"
    RANK_BY_COUNTRIES = "rank_by_countries", "Rank by partner countries"
    RANK_BY_ECONOMIES = "rank_by_economies", "Rank by partner economies"


BLOC_METRIC_PREFIX = "bloc:"
