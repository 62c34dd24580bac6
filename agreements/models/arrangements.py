from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from simple_history.models import HistoricalRecords

from agreements.choices import DatePrecision, Evidence, Status
from agreements.querysets import ArrangementQuerySet
from agreements.validators import no_control_characters, plausible_event_date

DATED_EVENTS = ("signed", "effective", "ended")


def _precision_matches_date(event: str) -> Q:
    """A precision is given exactly when its date is."""
    return Q(**{f"{event}_date__isnull": True, f"{event}_precision": ""}) | Q(
        **{f"{event}_date__isnull": False, f"{event}_precision__in": DatePrecision.values}
    )


def _precision_field(verbose_name: StrOrPromise) -> models.CharField[str, str]:
    return models.CharField(verbose_name, max_length=5, choices=DatePrecision.choices, blank=True)


class Arrangement(models.Model):
    """An AEO mutual recognition arrangement between two or more economies.

    Each dated event (signed, in force, ended) has a precision: `month` and `year` dates are the
    first of their period, `by` dates the latest day by which the event had happened. Counting uses
    the date as given, so a `month` arrangement counts from the first of its month.
    """

    key = models.CharField(
        _("key"),
        max_length=100,
        unique=True,
        validators=[
            # \Z, not $: $ also matches before a final line break.
            RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9_.-]*\Z", "Use letters, digits, '-', '_' and '.'.")
        ],
    )
    title = models.CharField(_("title"), max_length=300, blank=True, validators=[no_control_characters])
    parties = models.ManyToManyField(
        "agreements.Economy",
        through="agreements.ArrangementParty",
        related_name="arrangements",
        verbose_name=_("parties"),
    )
    signed_date = models.DateField(_("signed date"), null=True, blank=True, validators=[plausible_event_date])
    signed_precision = _precision_field(_("signed precision"))
    effective_date = models.DateField(
        _("in force date"), null=True, blank=True, validators=[plausible_event_date]
    )
    effective_precision = _precision_field(_("in force precision"))
    ended_date = models.DateField(
        _("ended date"),
        null=True,
        blank=True,
        help_text=_("Exclusive: no longer counts on this day."),
        validators=[plausible_event_date],
    )
    ended_precision = _precision_field(_("ended precision"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    evidence = models.CharField(_("evidence"), max_length=10, choices=Evidence.choices)
    notes = models.TextField(_("notes"), blank=True, validators=[no_control_characters])

    objects = ArrangementQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("arrangement")
        verbose_name_plural = _("arrangements")
        ordering = ["signed_date", "key"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="arrangement_status_valid"),
            models.CheckConstraint(
                condition=Q(evidence__in=Evidence.values), name="arrangement_evidence_valid"
            ),
            *(
                models.CheckConstraint(
                    condition=_precision_matches_date(event),
                    name=f"arrangement_{event}_precision_with_date",
                    violation_error_message=f"Give a {event} precision exactly when a {event} date is given.",
                )
                for event in DATED_EVENTS
            ),
            models.CheckConstraint(
                condition=Q(signed_date__isnull=True)
                | Q(effective_date__isnull=True)
                | Q(effective_date__gte=F("signed_date")),
                name="arrangement_effective_not_before_signed",
                violation_error_message="The in-force date cannot be before the signed date.",
            ),
            models.CheckConstraint(
                condition=Q(signed_date__isnull=True)
                | Q(ended_date__isnull=True)
                | Q(ended_date__gt=F("signed_date")),
                name="arrangement_ended_after_signed",
                violation_error_message="The end date must be after the signed date.",
            ),
            models.CheckConstraint(
                condition=Q(effective_date__isnull=True)
                | Q(ended_date__isnull=True)
                | Q(ended_date__gt=F("effective_date")),
                name="arrangement_ended_after_effective",
                violation_error_message="The end date must be after the in-force date.",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.key

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        for event in DATED_EVENTS:
            day = getattr(self, f"{event}_date")
            precision = getattr(self, f"{event}_precision")
            if day and not precision:
                errors[f"{event}_precision"] = "Give the precision of this date."
            elif precision and not day:
                errors[f"{event}_precision"] = "A precision needs a date."
            elif day and precision == DatePrecision.MONTH and day.day != 1:
                errors[f"{event}_date"] = "A month-precision date is the first of its month."
            elif day and precision == DatePrecision.YEAR and (day.month, day.day) != (1, 1):
                errors[f"{event}_date"] = "A year-precision date is the first of January."
        if errors:
            raise ValidationError(errors)


class ArrangementParty(models.Model):
    arrangement = models.ForeignKey(
        Arrangement, on_delete=models.CASCADE, related_name="party_links", verbose_name=_("arrangement")
    )
    economy = models.ForeignKey(
        "agreements.Economy", on_delete=models.PROTECT, related_name="party_links", verbose_name=_("economy")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["arrangement", "economy"]
        constraints = [
            models.UniqueConstraint(
                fields=["arrangement", "economy"],
                name="arrangementparty_distinct_parties",
                violation_error_message="An economy can be a party to an arrangement only once.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.economy_id} in {self.arrangement}"


class Source(models.Model):
    """Where a fact comes from: a URL, or a citation where no URL was kept."""

    arrangement = models.ForeignKey(
        Arrangement, on_delete=models.CASCADE, related_name="sources", verbose_name=_("arrangement")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # URLValidator lets C0 characters other than whitespace through in the path.
    url = models.URLField(_("URL"), max_length=1000, blank=True, validators=[no_control_characters])
    citation = models.TextField(_("citation"), blank=True, validators=[no_control_characters])

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["arrangement", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(url="") & ~Q(citation="")) | (~Q(url="") & Q(citation="")),
                name="source_url_or_citation",
                violation_error_message="Give either a URL or a citation.",
            ),
        ]

    def __str__(self) -> str:
        return self.url or self.citation

    @property
    def text(self) -> str:
        return self.url or self.citation

    @staticmethod
    def fields_for(entry: str) -> dict[str, str]:
        entry = entry.strip()
        if entry.lower().startswith(("http://", "https://")):
            return {"url": entry, "citation": ""}
        return {"url": "", "citation": entry}
