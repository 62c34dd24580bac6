"""Public corrections: reports from visitors, and their acceptance or rejection by staff.

A visitor reports what is wrong or missing about a record (or the registry in general) with a
source URL and, optionally, a contact address; no account is needed. Reports are refused beyond
RATE_LIMIT from one address within RATE_WINDOW, counted in the database (so every app server
sees the same count); the address is kept only as an HMAC with the secret key.

Staff accept a report by saving the record's change form opened from it: every historical row
written by that save carries the reason `Correction report #N` (`change_reason`), which the
record's History links to the report's public page; or they reject it with a reason.

Privacy: the contact address is read by the admin only. The public pages show counts and, for
accepted reports, what was reported and its source (the reporter is told so on the form).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from agreements.models import Arrangement, Bloc, CorrectionReport, Economy, Territory
from agreements.models.corrections import RecordKind, ReportStatus

RATE_LIMIT = 10  # reports from one address within RATE_WINDOW; the next is refused
RATE_WINDOW = dt.timedelta(hours=1)
_HMAC_SALT = "agreements.corrections.sender"

type Record = Arrangement | Economy | Territory | Bloc

# What each kind of record is and how its key is looked up (its page is its get_absolute_url).
RECORD_MODELS: dict[str, tuple[type[Record], str]] = {
    RecordKind.ARRANGEMENT: (Arrangement, "key"),
    RecordKind.ECONOMY: (Economy, "code"),
    RecordKind.TERRITORY: (Territory, "iso3"),
    RecordKind.BLOC: (Bloc, "code"),
}

REASON_FORMAT = "Correction report #{number}"
_REASON_PATTERN = re.compile(r"^Correction report #(\d+)$")


class RateLimited(Exception):
    """The address has sent RATE_LIMIT reports within RATE_WINDOW already."""


@dataclass(frozen=True, slots=True)
class Target:
    """The record a report is about."""

    kind: str
    key: str
    instance: Record

    @property
    def url(self) -> str:
        return self.instance.get_absolute_url()

    @property
    def label(self) -> str:
        return str(RecordKind(self.kind).label)

    @property
    def value(self) -> str:
        """As the form's `record` parameter: `kind:key`."""
        return f"{self.kind}:{self.key}"


def find_target(value: str) -> Target | None:
    """The record named `kind:key` (as the record pages link to the form), or None if there is
    no such record. An empty value is the registry in general, also None."""
    kind, _, key = value.partition(":")
    if kind not in RECORD_MODELS or not key:
        return None
    model, field = RECORD_MODELS[kind]
    instance = model._default_manager.filter(**{field: key}).first()
    return Target(kind, key, instance) if instance is not None else None


def target_of(report: CorrectionReport) -> Target | None:
    return find_target(report.record) if report.record_kind else None


def kind_of(instance: models.Model) -> str | None:
    for kind, (model, _field) in RECORD_MODELS.items():
        if isinstance(instance, model):
            return kind
    return None


def key_of(instance: models.Model) -> str:
    kind = kind_of(instance)
    if kind is None:
        return ""
    return str(getattr(instance, RECORD_MODELS[kind][1]))


# --- the sender ---------------------------------------------------------------------------------


def client_address(request: HttpRequest) -> str:
    """The connection's address, as django-axes takes it for logins. Behind a proxy every visitor
    has the proxy's address, and the limit then applies to all of them together (README)."""
    return str(request.META.get("REMOTE_ADDR") or "")


def sender_of(address: str) -> str:
    return salted_hmac(_HMAC_SALT, address, algorithm="sha256").hexdigest()


def recent_reports(sender: str, *, now: dt.datetime | None = None) -> int:
    since = (now or timezone.now()) - RATE_WINDOW
    return CorrectionReport.objects.filter(sender=sender, reported_at__gt=since).count()


def _lock_sender(sender: str) -> None:
    """Serialise the reports of one sender until the transaction ends, so that two at once cannot
    both pass the count. SQLite's write transactions (IMMEDIATE) are serialised already."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(sender[:15], 16)])


# --- writing ------------------------------------------------------------------------------------


def report_submit(
    *, target: Target | None, message: str, source_url: str, contact_email: str, address: str
) -> CorrectionReport:
    """Store a report, or raise RateLimited when the address has sent RATE_LIMIT within the hour."""
    sender = sender_of(address)
    report = CorrectionReport(
        record_kind=target.kind if target else "",
        record_key=target.key if target else "",
        message=message,
        source_url=source_url,
        contact_email=contact_email,
        sender=sender,
    )
    report.full_clean()
    with transaction.atomic():
        _lock_sender(sender)
        if recent_reports(sender) >= RATE_LIMIT:
            raise RateLimited
        report.reported_at = timezone.now()
        report.save()
    return report


def change_reason(report: CorrectionReport) -> str:
    return REASON_FORMAT.format(number=report.pk)


def report_number(reason: str) -> int | None:
    """The report a history row's reason names, if it is a correction's."""
    match = _REASON_PATTERN.match(reason or "")
    return int(match.group(1)) if match else None


def open_report_for(number: Any, instance: models.Model) -> CorrectionReport:
    """The open report `number` about `instance`; ValidationError if there is none."""
    try:
        report = CorrectionReport.objects.get(pk=int(number))
    except (TypeError, ValueError, CorrectionReport.DoesNotExist):
        raise ValidationError(f"There is no correction report #{number}.") from None
    if report.status != ReportStatus.OPEN:
        raise ValidationError(f"Correction report #{report.pk} is {report.status} already.")
    if (report.record_kind, report.record_key) != (kind_of(instance), key_of(instance)):
        raise ValidationError(f"Correction report #{report.pk} is about another record.")
    return report


def report_accept(
    *, report: CorrectionReport, user: AbstractBaseUser | AnonymousUser, record: models.Model
) -> CorrectionReport:
    """Mark the report accepted, linked to the record's newest version (the one just saved)."""
    latest = record.history.latest()  # type: ignore[attr-defined]
    report.status = ReportStatus.ACCEPTED
    report.handled_at = timezone.now()
    report.handled_by = user if isinstance(user, AbstractBaseUser) else None  # type: ignore[assignment]
    report.change_history_id = latest.history_id
    report.full_clean()
    report.save()
    return report


def report_reject(
    *, report: CorrectionReport, user: AbstractBaseUser | AnonymousUser, reason: str
) -> CorrectionReport:
    if report.status != ReportStatus.OPEN:
        raise ValidationError(f"Correction report #{report.pk} is {report.status} already.")
    report.status = ReportStatus.REJECTED
    report.rejection_reason = reason.strip()
    report.handled_at = timezone.now()
    report.handled_by = user if isinstance(user, AbstractBaseUser) else None  # type: ignore[assignment]
    report.full_clean()
    report.save()
    return report


# --- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReportCounts:
    open: int
    accepted: int
    rejected: int

    @property
    def handled(self) -> int:
        return self.accepted + self.rejected


def report_counts() -> ReportCounts:
    """Open and handled reports: one query."""
    totals = CorrectionReport.objects.aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in ReportStatus.values}
    )
    return ReportCounts(
        open=totals[ReportStatus.OPEN],
        accepted=totals[ReportStatus.ACCEPTED],
        rejected=totals[ReportStatus.REJECTED],
    )
