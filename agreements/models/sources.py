from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agreements.validators import no_control_characters, plausible_event_date


class SourceDocument(models.Model):
    """What a source URL is: its title, publisher and date, and an archived copy (issue 14, item 4).

    Keyed by the URL: arrangements cite a document by its URL (`Source.url`), and one document
    cited by several arrangements is described once. A source URL without a document is still a
    source, shown by its URL alone. Whether the URL still answers is not data: see `LinkCheck`.
    """

    url = models.URLField(_("URL"), max_length=1000, unique=True, validators=[no_control_characters])
    title = models.CharField(_("title"), max_length=500, blank=True, validators=[no_control_characters])
    publisher = models.CharField(
        _("publisher"), max_length=200, blank=True, validators=[no_control_characters]
    )
    published = models.DateField(_("published"), null=True, blank=True, validators=[plausible_event_date])
    archive_url = models.URLField(
        _("archived copy"),
        max_length=1000,
        blank=True,
        validators=[no_control_characters],
        help_text=_("A copy kept by a web archive, for when the page moves or goes."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("source document")
        verbose_name_plural = _("source documents")
        ordering = ["url"]

    def __str__(self) -> str:
        return self.title or self.url


class LinkCheck(models.Model):
    """The last answer a source URL gave to `manage.py check_sources`: an operation's record, not
    registry data (not in `data/`, the full download or the history; it does not move the data
    version). `http_status` is None when no HTTP answer came (`note` says why)."""

    url = models.URLField(_("URL"), max_length=1000, unique=True)
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    checked_at = models.DateTimeField(_("checked at"))
    note = models.CharField(_("check note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("link check")
        verbose_name_plural = _("link checks")
        ordering = ["url"]

    def __str__(self) -> str:
        return f"{self.url}: {self.http_status or self.note}"

    @property
    def works(self) -> bool:
        return self.http_status is not None and 200 <= self.http_status < 400
