from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
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
        # The arrangement list's order (signing date, undated last, then key: PostgreSQL's default
        # ascending order puts nulls last): its first page is read from the index, not sorted from
        # every arrangement (9 ms of the list at 100x).
        indexes = [models.Index(fields=["signed_date", "key"], name="arrangement_signed_order")]
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

    def get_absolute_url(self) -> str:
        return reverse("arrangement-detail", args=[self.key])

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
        if self.pk and not errors:
            # A party's own in-force date stays within the arrangement's in-force period.
            for link in self.party_links.exclude(effective_date=None):
                for field, message in party_date_problems(
                    link.effective_date, link.effective_precision, link.effective_unknown, self
                ).items():
                    errors.setdefault(field, f"{link.economy_id}: {message}")
        if errors:
            raise ValidationError(errors)


class ArrangementParty(models.Model):
    """An economy's part in an arrangement, with its own in-force date where it has one.

    A plurilateral arrangement can come into force for its parties on different days (ASEAN's came
    into force for Brunei, Malaysia and Singapore on 2024-08-01, for the Philippines on 2025-02-28,
    and is not known to be in force for Cambodia, Laos, Myanmar or Viet Nam). Each party therefore
    has an in-force date: its own `effective_date` when given, none when `effective_unknown` says
    it is not known (the party then never counts on the in-force basis), and otherwise the
    arrangement's (the common case: a bilateral arrangement needs nothing here). Two parties are
    each other's partners on the in-force basis from the later of their two dates.

    Why on the party (the through model) rather than as separate accession records: one date per
    party is all the sources give, it keeps every other use of the parties unchanged, and a blank
    default means no existing record changes. The signed basis keeps the arrangement's signed date
    for every party: no later accession is recorded yet (it would be a per-party signed date)."""

    arrangement = models.ForeignKey(
        Arrangement, on_delete=models.CASCADE, related_name="party_links", verbose_name=_("arrangement")
    )
    economy = models.ForeignKey(
        "agreements.Economy", on_delete=models.PROTECT, related_name="party_links", verbose_name=_("economy")
    )
    effective_date = models.DateField(
        _("in force date for this party"),
        null=True,
        blank=True,
        help_text=_("Blank: the arrangement's in-force date, unless it is marked unknown."),
        validators=[plausible_event_date],
    )
    effective_precision = _precision_field(_("in force precision"))
    effective_unknown = models.BooleanField(
        _("in force date unknown"),
        default=False,
        help_text=_("Not known to be in force for this party: it does not count on the in-force basis."),
    )
    source = models.CharField(
        _("source"),
        max_length=1000,
        blank=True,
        help_text=_("A URL, or a citation, for this party's in-force date."),
        validators=[no_control_characters],
    )
    note = models.TextField(_("note"), blank=True, validators=[no_control_characters])

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
            models.CheckConstraint(
                condition=_precision_matches_date("effective"),
                name="arrangementparty_effective_precision_with_date",
                violation_error_message="Give an in-force precision exactly when an in-force date is given.",
            ),
            models.CheckConstraint(
                condition=Q(effective_unknown=False) | Q(effective_date__isnull=True),
                name="arrangementparty_unknown_without_date",
                violation_error_message="An in-force date cannot be given and marked unknown.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.economy_id} in {self.arrangement}"

    @property
    def in_force_date(self) -> dt.date | None:
        """The day this party's part comes into force: its own, else the arrangement's (None if unknown)."""
        if self.effective_unknown:
            return None
        return self.effective_date or self.arrangement.effective_date

    @property
    def in_force_precision(self) -> str:
        if self.effective_unknown:
            return ""
        return self.effective_precision if self.effective_date else self.arrangement.effective_precision

    def clean(self) -> None:
        super().clean()
        try:
            # In the admin's inline the arrangement may be new (unsaved), with the form's values.
            arrangement: Arrangement | None = self.arrangement
        except Arrangement.DoesNotExist:
            arrangement = None
        errors = party_date_problems(
            self.effective_date, self.effective_precision, self.effective_unknown, arrangement
        )
        if errors:
            raise ValidationError(errors)


def party_date_problems(
    day: dt.date | None, precision: str, unknown: bool, arrangement: Arrangement | None
) -> dict[str, str]:
    """What is wrong with a party's own in-force date (the admin and the loader both ask)."""
    if day is None:
        return {"effective_precision": "A precision needs a date."} if precision else {}
    if unknown:
        return {"effective_unknown": "An in-force date cannot be given and marked unknown."}
    if not precision:
        return {"effective_precision": "Give the precision of this date."}
    if precision == DatePrecision.MONTH and day.day != 1:
        return {"effective_date": "A month-precision date is the first of its month."}
    if precision == DatePrecision.YEAR and (day.month, day.day) != (1, 1):
        return {"effective_date": "A year-precision date is the first of January."}
    if arrangement is None:
        return {}
    # The arrangement's in-force date is the first day it is in force for any party.
    if arrangement.effective_date is None or day < arrangement.effective_date:
        return {"effective_date": "A party's in-force date is on or after the arrangement's in-force date."}
    if arrangement.ended_date is not None and day >= arrangement.ended_date:
        return {"effective_date": "A party's in-force date is before the arrangement's end date."}
    return {}


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
