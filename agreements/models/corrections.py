"""Corrections reported by the public: what is wrong or missing about a record, with a source.

A report is not registry data: it is not in REGISTRY_MODELS (saving one never bumps the data
version, so a visitor's report cannot empty the page cache) and has no history of its own. Its
contact address is for staff only: no page, feed, export or API reads this model except the
uncached corrections pages, which show counts and accepted reports without it
(`agreements.corrections`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.validators import no_control_characters

MESSAGE_MAX_LENGTH = 5000


class RecordKind(models.TextChoices):
    """The records a report can be about (the record pages that link to the form)."""

    ARRANGEMENT = "arrangement", _("arrangement")
    ECONOMY = "economy", _("economy")
    TERRITORY = "territory", _("territory")
    BLOC = "bloc", _("bloc")


class ReportStatus(models.TextChoices):
    OPEN = "open", _("open")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")


class CorrectionReport(models.Model):
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    # Empty kind and key: the registry in general (a report from a page that shows no one record).
    record_kind = models.CharField(_("record kind"), max_length=12, choices=RecordKind.choices, blank=True)
    record_key = models.CharField(
        _("record key"), max_length=100, blank=True, validators=[no_control_characters]
    )
    message = models.TextField(
        _("what is wrong or missing"), max_length=MESSAGE_MAX_LENGTH, validators=[no_control_characters]
    )
    source_url = models.URLField(_("source URL"), max_length=1000, validators=[no_control_characters])
    contact_email = models.EmailField(_("contact email"), blank=True)
    # HMAC of the sender's address with the secret key: enough to count one address's reports for
    # the rate limit, without keeping the address itself.
    sender = models.CharField(_("sender (hashed address)"), max_length=64, editable=False)
    status = models.CharField(
        _("status"), max_length=8, choices=ReportStatus.choices, default=ReportStatus.OPEN
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    rejection_reason = models.TextField(
        _("reason for rejecting"), blank=True, validators=[no_control_characters]
    )
    # The version of the record that the accepted correction saved: its historical table's row.
    change_history_id = models.PositiveBigIntegerField(_("change (history id)"), null=True, blank=True)

    class Meta:
        verbose_name = _("correction report")
        verbose_name_plural = _("correction reports")
        ordering = ["-reported_at", "-pk"]
        indexes = [models.Index(fields=["sender", "reported_at"], name="correction_sender_time")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ReportStatus.values), name="correction_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(record_kind__in=[*RecordKind.values, ""]), name="correction_record_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(record_kind="", record_key="") | (~Q(record_kind="") & ~Q(record_key="")),
                name="correction_record_kind_and_key_together",
            ),
            models.CheckConstraint(
                condition=Q(status=ReportStatus.OPEN, handled_at__isnull=True)
                | (~Q(status=ReportStatus.OPEN) & Q(handled_at__isnull=False)),
                name="correction_handled_unless_open",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReportStatus.REJECTED) | ~Q(rejection_reason=""),
                name="correction_rejected_with_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReportStatus.ACCEPTED)
                | (Q(change_history_id__isnull=False) & ~Q(record_kind="")),
                name="correction_accepted_with_change",
            ),
        ]

    def __str__(self) -> str:
        return f"correction report #{self.pk}"

    def get_absolute_url(self) -> str:
        """The report's public page: it shows accepted reports only (the admin links no other)."""
        return reverse("correction-detail", args=[self.pk])

    @property
    def record(self) -> str:
        return f"{self.record_kind}:{self.record_key}" if self.record_kind else ""
