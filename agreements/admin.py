"""The staff admin: every model editable, children edited inline with their parent.

Validation happens on the forms so that staff see errors instead of a 500: model `clean()`s and
constraint `violation_error_message`s through the ModelForms, and the cross-row rules (two or more
distinct parties; no overlapping memberships among rows submitted together) in the inline formsets.
The admin saves a parent and its inlines in one transaction, so a rejected submission saves nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from agreements import corrections, services, tables, versioning
from agreements.admin_import import CsvImportMixin
from agreements.choices import DatePrecision
from agreements.models import (
    Arrangement,
    ArrangementParty,
    Bloc,
    BlocMembership,
    Claim,
    CorrectionReport,
    Economy,
    EconomyMembership,
    LinkCheck,
    Programme,
    ProgrammeCount,
    Source,
    SourceDocument,
    Territory,
)
from agreements.models.arrangements import DATED_EVENTS
from agreements.models.corrections import ReportStatus
from agreements.models.memberships import describe_period, periods_overlap

admin.site.site_header = "AEO Registry administration"
admin.site.site_title = "AEO Registry admin"
admin.site.index_title = "Registry data"

# The query parameter of a record's change form opened from a correction report: its number.
CORRECTION = "correction"


class RegistryAdmin(SimpleHistoryAdmin):
    """Every registry admin: a submitted change is validated and saved while holding the
    data-version lock, so it is checked against what concurrent writers committed (an import
    and an admin edit can no longer both add overlapping memberships).

    Opened from a correction report (`?correction=N`, the report's "Accept" button), the change
    form shows the report above the record; saving it records every historical row with the
    report's reason and marks the report accepted, linked to the new version, in the same
    transaction."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> Any:
        # A submitted form is one change of the data, however many rows (the record, its
        # parties, sources or memberships) it saves and however many services it calls: the
        # per-row receivers are silenced, `save_related`, reached only when everything was saved,
        # bumps, and the version moves once, when `batched()` ends inside the transaction.
        with _serialised(request), versioning.batched():
            report = self._correction(request, object_id)
            if report is not None:
                extra_context = {**(extra_context or {}), "correction": report}
            return super().changeform_view(request, object_id, form_url, extra_context)

    def _correction(self, request: HttpRequest, object_id: str | None) -> CorrectionReport | None:
        """The open report this form was opened from, read inside the write's transaction (a
        report accepted meanwhile by someone else is refused), or None."""
        number = request.GET.get(CORRECTION)
        if number is None or object_id is None:
            return None
        record = self.get_object(request, unquote(object_id))
        if record is None:
            return None
        try:
            report = corrections.open_report_for(number, record)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return None
        request.correction_report = report  # type: ignore[attr-defined]  # read by the save hooks
        return report

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj._history_user = request.user  # what SimpleHistoryAdmin.save_model records
        report = getattr(request, "correction_report", None)
        if report is not None:
            obj._change_reason = corrections.change_reason(report)
        save_record(obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        report = getattr(request, "correction_report", None)
        if report is None and formset.model not in SAVED_BY_SERVICE:
            super().save_formset(request, form, formset, change)
            return
        reason = corrections.change_reason(report) if report is not None else None
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            if reason is not None:
                obj._change_reason = reason
            obj.delete()
        # Changed rows first, then new ones, as formset.save() orders them: a membership closed
        # in the form makes room for its successor.
        for instance in instances:
            if reason is not None:
                instance._change_reason = reason
            save_record(instance)
        formset.save_m2m()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        versioning.bump()
        report = getattr(request, "correction_report", None)
        if report is not None:
            corrections.report_accept(report=report, user=request.user, record=form.instance)
            self.message_user(request, f"Correction report #{report.pk} accepted.", messages.SUCCESS)

    def get_formset_kwargs(self, request: HttpRequest, obj: Any, inline: Any, prefix: str) -> dict[str, Any]:
        """Opened from a report, an arrangement's form has a new source row with the report's URL
        (kept if staff save it filled in; SourceForm leaves out a row emptied)."""
        kwargs: dict[str, Any] = super().get_formset_kwargs(request, obj, inline, prefix)
        report = getattr(request, "correction_report", None)
        if report is not None and request.method == "GET" and isinstance(inline, SourceInline) and obj:
            existing = list(obj.sources.all())
            if report.source_url not in {source.url for source in existing}:
                kwargs["initial"] = [{"url": report.source_url, "position": len(existing)}]
        return kwargs

    def delete_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        with _serialised(request):
            return super().delete_view(request, *args, **kwargs)

    def history_form_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        # Reverting to a past version saves like the change form (save_model, save_related): one change.
        with _serialised(request), versioning.batched():
            return super().history_form_view(request, *args, **kwargs)


# The records the admin saves through their service (`agreements.services`), as parent or inline.
SAVED_BY_SERVICE: tuple[type[Any], ...] = (Claim, EconomyMembership, BlocMembership, ArrangementParty, Source)


def save_record(obj: Any) -> None:
    """Save one record of a submitted form: an arrangement (its own fields), one of its parties or
    sources (the inline rows), a claim or a membership through its service, which validates it
    again with the model's own rules and saves it atomically (its version bump joins the form's
    one, `RegistryAdmin.changeform_view`); any other record as the admin saves it."""
    if isinstance(obj, Arrangement):
        services.arrangement_save(arrangement=obj)
    elif isinstance(obj, ArrangementParty):
        services.arrangement_party_save(party=obj)
    elif isinstance(obj, Source):
        services.source_save(source=obj)
    elif isinstance(obj, Claim):
        services.claim_save(claim=obj)
    elif isinstance(obj, EconomyMembership | BlocMembership):
        services.membership_save(membership=obj)
    else:
        obj.save()


@contextlib.contextmanager
def _serialised(request: HttpRequest) -> Iterator[None]:
    if request.method != "POST":
        yield
        return
    with transaction.atomic():
        versioning.lock()
        yield


def _live_cleaned_data(formset: BaseInlineFormSet) -> list[dict[str, Any]]:
    """The cleaned data of the forms that will be kept: filled in and not marked for deletion.

    An unchanged extra form has empty cleaned data, so it is left out too.
    """
    rows = []
    for form in formset.forms:
        data: dict[str, Any] | None = getattr(form, "cleaned_data", None)
        if not data or (formset.can_delete and data.get("DELETE")):
            continue
        rows.append(data)
    return rows


class PartyInlineFormSet(BaseInlineFormSet):
    """An arrangement has two or more distinct parties."""

    def clean(self) -> None:
        super().clean()
        economies = [data["economy"].pk for data in _live_cleaned_data(self) if data.get("economy")]
        if services.too_few_parties(economies):
            raise ValidationError(
                "An arrangement needs two or more distinct parties.", code="too_few_parties"
            )


class MembershipInlineFormSet(BaseInlineFormSet):
    """No two memberships of one territory in one group may overlap, among the rows submitted.

    The inline holds every membership of the group, so the submitted rows are the whole truth: the
    model's own check against the saved rows is switched off for them (otherwise closing a saved
    membership and adding its successor in one save would be refused against the stale saved row).
    """

    def _construct_form(self, i: int, **kwargs: Any) -> Any:
        form = super()._construct_form(i, **kwargs)  # type: ignore[misc]
        form.instance.overlaps_checked_by_formset = True
        return form

    def clean(self) -> None:
        super().clean()
        seen: dict[Any, list[tuple[dt.date | None, dt.date | None]]] = defaultdict(list)
        problems: list[ValidationError] = []
        for data in _live_cleaned_data(self):
            territory = data.get("territory")
            # A date that failed to parse is missing from cleaned_data: do not read it as open.
            if territory is None or "start_date" not in data or "end_date" not in data:
                continue
            start, end = data["start_date"], data["end_date"]
            for other_start, other_end in seen[territory.pk]:
                if periods_overlap(start, end, other_start, other_end):
                    problems.append(
                        ValidationError(
                            "%(territory)s: the period %(period)s overlaps %(other)s of the same territory.",
                            code="overlapping_membership",
                            params={
                                "territory": territory,
                                "period": describe_period(start, end),
                                "other": describe_period(other_start, other_end),
                            },
                        )
                    )
            seen[territory.pk].append((start, end))
        if problems:
            raise ValidationError(problems)


# Territories


@admin.register(Territory)
class TerritoryAdmin(RegistryAdmin):
    list_display = ("iso3", "iso2", "name", "name_zh", "kind")
    list_display_links = ("iso3", "name")
    list_filter = ("kind",)
    search_fields = ("iso3", "iso2", "name", "name_zh")
    ordering = ("name",)


# Economies


class EconomyMembershipInline(admin.TabularInline):
    model = EconomyMembership
    formset = MembershipInlineFormSet
    fields = ("territory", "start_date", "end_date", "note")
    autocomplete_fields = ("territory",)
    extra = 0
    ordering = EconomyMembership.group_page_ordering


@admin.register(Economy)
class EconomyAdmin(RegistryAdmin):
    list_display = ("code", "name", "name_zh", "kind", "member_count", "arrangement_count")
    list_display_links = ("code", "name")
    list_filter = ("kind",)
    search_fields = ("code", "name", "name_zh")
    ordering = ("name",)
    inlines = (EconomyMembershipInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Economy]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                member_total=Count("memberships", distinct=True),
                arrangement_total=Count("party_links", distinct=True),
            )
        )

    @admin.display(description="memberships", ordering="member_total")
    def member_count(self, obj: Economy) -> int:
        return int(getattr(obj, "member_total", 0))

    @admin.display(description="arrangements", ordering="arrangement_total")
    def arrangement_count(self, obj: Economy) -> int:
        return int(getattr(obj, "arrangement_total", 0))


@admin.register(EconomyMembership)
class EconomyMembershipAdmin(CsvImportMixin, RegistryAdmin):
    import_table = tables.ECONOMY_MEMBERS.file
    list_display = ("territory", "economy", "start_date", "end_date", "note")
    list_filter = (("economy", admin.RelatedOnlyFieldListFilter), "start_date", "end_date")
    search_fields = (
        "territory__iso3",
        "territory__iso2",
        "territory__name",
        "economy__code",
        "economy__name",
        "note",
    )
    autocomplete_fields = ("economy", "territory")
    list_select_related = ("economy", "territory")
    ordering = ("economy__name", "territory__name", "start_date")


# Blocs


class BlocMembershipInline(admin.TabularInline):
    model = BlocMembership
    formset = MembershipInlineFormSet
    fields = ("territory", "start_date", "end_date", "note")
    autocomplete_fields = ("territory",)
    extra = 0
    ordering = BlocMembership.group_page_ordering


@admin.register(Bloc)
class BlocAdmin(CsvImportMixin, RegistryAdmin):
    import_table = tables.BLOCS.file
    list_display = ("code", "name", "name_zh", "member_count")
    list_display_links = ("code", "name")
    search_fields = ("code", "name", "name_zh", "definition", "source")
    ordering = ("code",)
    inlines = (BlocMembershipInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Bloc]:
        return super().get_queryset(request).annotate(member_total=Count("memberships"))

    @admin.display(description="memberships", ordering="member_total")
    def member_count(self, obj: Bloc) -> int:
        return int(getattr(obj, "member_total", 0))


@admin.register(BlocMembership)
class BlocMembershipAdmin(CsvImportMixin, RegistryAdmin):
    import_table = tables.BLOC_MEMBERS.file
    list_display = ("territory", "bloc", "start_date", "end_date", "note")
    list_filter = ("bloc", "start_date", "end_date")
    search_fields = (
        "territory__iso3",
        "territory__iso2",
        "territory__name",
        "bloc__code",
        "bloc__name",
        "note",
    )
    autocomplete_fields = ("bloc", "territory")
    list_select_related = ("bloc", "territory")
    ordering = ("bloc__code", "territory__name", "start_date")


# Arrangements


class ArrangementPartyInline(admin.TabularInline):
    model = ArrangementParty
    formset = PartyInlineFormSet
    # A party's own in-force date: blank takes the arrangement's (see ArrangementParty).
    fields = ("economy", *services.PARTY_FACTS)
    autocomplete_fields = ("economy",)
    ordering = ("economy__name",)

    def get_extra(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> int:
        return services.MIN_PARTIES if obj is None else 0


class SourceForm(forms.ModelForm):
    """A new source row counts as filled in when it has a URL or a citation: a row pre-filled from a
    correction report and then emptied is left out, whatever its position says."""

    class Meta:
        model = Source
        fields = ("position", "url", "citation")

    def has_changed(self) -> bool:
        if self.instance.pk is None:
            return any((self.data.get(self.add_prefix(name)) or "").strip() for name in ("url", "citation"))
        return super().has_changed()


class SourceInline(admin.TabularInline):
    model = Source
    form = SourceForm
    fields = ("position", "url", "citation")
    ordering = ("position", "pk")

    def get_extra(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> int:
        if obj is not None and getattr(request, "correction_report", None) is not None:
            return 1  # the row pre-filled with the report's source (RegistryAdmin.get_formset_kwargs)
        return 1 if obj is None else 0


class ArrangementForm(forms.ModelForm):
    """A date entered without its precision is a day: the usual case needs no second choice.
    A precision without a date stays an error (the model's own check)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for event in DATED_EVENTS:
            field = self.fields.get(f"{event}_precision")
            if field is not None:
                field.help_text = "Left blank with a date: day."

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for event in DATED_EVENTS:
            if cleaned.get(f"{event}_date") and not cleaned.get(f"{event}_precision"):
                cleaned[f"{event}_precision"] = DatePrecision.DAY
        return cleaned


@admin.register(Arrangement)
class ArrangementAdmin(CsvImportMixin, RegistryAdmin):
    import_table = tables.ARRANGEMENTS.file
    form = ArrangementForm
    list_display = (
        "key",
        "title",
        "party_codes",
        "status",
        "evidence",
        "signed_date",
        "effective_date",
        "ended_date",
    )
    list_display_links = ("key", "title")
    list_filter = (
        "status",
        "evidence",
        "signed_precision",
        "effective_precision",
        ("parties", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("key", "title", "notes", "parties__code", "parties__name")
    date_hierarchy = "signed_date"
    ordering = ("signed_date", "key")
    fieldsets = (
        (None, {"fields": ("key", "title", "status", "evidence")}),
        (
            "Dates",
            {
                "fields": (
                    ("signed_date", "signed_precision"),
                    ("effective_date", "effective_precision"),
                    ("ended_date", "ended_precision"),
                ),
                "description": "A date with month or year precision is the first of its period; "
                "'by' is the latest day by which the event had happened.",
            },
        ),
        (None, {"fields": ("notes",)}),
    )
    inlines = (ArrangementPartyInline, SourceInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Arrangement]:
        return super().get_queryset(request).prefetch_related("parties")

    @admin.display(description="parties")
    def party_codes(self, obj: Arrangement) -> str:
        return ", ".join(sorted(economy.code for economy in obj.parties.all()))


# Claims


@admin.register(Claim)
class ClaimAdmin(CsvImportMixin, RegistryAdmin):
    import_table = tables.CLAIMS.file
    list_display = ("key", "authority", "economy", "stated_on", "as_of", "basis", "metric", "value")
    list_filter = ("basis", "metric", ("economy", admin.RelatedOnlyFieldListFilter), "authority")
    search_fields = ("key", "authority", "metric", "note", "source_url", "economy__code", "economy__name")
    autocomplete_fields = ("economy",)
    list_select_related = ("economy",)
    date_hierarchy = "as_of"
    ordering = ("-as_of", "key", "basis", "metric")


@admin.register(SourceDocument)
class SourceDocumentAdmin(CsvImportMixin, RegistryAdmin):
    """What a source URL is (title, publisher, date, archived copy)."""

    import_table = tables.SOURCE_DOCUMENTS.file
    list_display = ("url", "title", "publisher", "published")
    list_filter = ("publisher",)
    search_fields = ("url", "title", "publisher")


@admin.register(LinkCheck)
class LinkCheckAdmin(admin.ModelAdmin):
    """What `manage.py check_sources` found; read only (the command writes it)."""

    list_display = ("url", "http_status", "checked_at", "note")
    list_filter = ("http_status",)
    search_fields = ("url", "note")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# Corrections from the public


class CorrectionReportForm(forms.ModelForm):
    """Staff may point an open report at another record (a report about the registry in general
    at the record it concerns), never at one that does not exist."""

    class Meta:
        model = CorrectionReport
        fields = ("record_kind", "record_key")

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        kind, key = data.get("record_kind") or "", data.get("record_key") or ""
        if (kind or key) and corrections.find_target(f"{kind}:{key}") is None:
            raise ValidationError(f"There is no {kind or 'record'} {key!r}.")
        return data


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Reason for rejecting",
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text="Required: why the report does not change the record.",
    )


@admin.register(CorrectionReport)
class CorrectionReportAdmin(admin.ModelAdmin):
    """Reports arrive from the public form only (no "add"). An open report is accepted from its
    page by opening the record's change form ("Accept: edit the record", see RegistryAdmin), or
    rejected with a reason; a handled report is read-only."""

    form = CorrectionReportForm
    list_display = ("number", "reported_at", "record", "status", "summary")
    list_display_links = ("number", "summary")
    list_filter = ("status", "record_kind")
    search_fields = ("message", "source_url", "record_key")
    ordering = ("-reported_at", "-pk")
    fields = (
        "reported_at",
        "record_kind",
        "record_key",
        "message",
        "source_url_link",
        "contact_email",
        "status",
        "handled_at",
        "handled_by",
        "rejection_reason",
        "accepted_change",
    )
    handled_fields = (
        "reported_at",
        "message",
        "source_url_link",
        "contact_email",
        "status",
        "handled_at",
        "handled_by",
        "rejection_reason",
        "accepted_change",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is not None and obj.status != ReportStatus.OPEN:
            return ("record_kind", "record_key", *self.handled_fields)
        return self.handled_fields

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        """The open reports first: the list without a filter shows those."""
        if not request.GET:
            return HttpResponseRedirect(f"{request.path}?status__exact={ReportStatus.OPEN}")
        return super().changelist_view(request, extra_context)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> Any:
        report = self.get_object(request, unquote(object_id))
        context = {**(extra_context or {})}
        if report is not None and report.status == ReportStatus.OPEN:
            target = corrections.target_of(report)
            if target is not None:
                model = type(target.instance)
                context["accept_url"] = (
                    reverse(
                        f"admin:{model._meta.app_label}_{model._meta.model_name}_change",
                        args=[target.instance.pk],
                    )
                    + f"?{CORRECTION}={report.pk}"
                )
            context["reject_url"] = reverse("admin:agreements_correctionreport_reject", args=[report.pk])
        return super().change_view(request, object_id, form_url, context)

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:number>/reject/",
                self.admin_site.admin_view(self.reject_view),
                name="agreements_correctionreport_reject",
            ),
            *super().get_urls(),
        ]

    def reject_view(self, request: HttpRequest, number: int) -> HttpResponse:
        report = get_object_or_404(CorrectionReport, pk=number)
        if not self.has_change_permission(request, report):
            raise PermissionDenied
        back = reverse("admin:agreements_correctionreport_change", args=[report.pk])
        if report.status != ReportStatus.OPEN:
            self.message_user(
                request, f"Correction report #{report.pk} is {report.status} already.", messages.ERROR
            )
            return HttpResponseRedirect(back)
        form = RejectForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            corrections.report_reject(report=report, user=request.user, reason=form.cleaned_data["reason"])
            self.message_user(request, f"Correction report #{report.pk} rejected.", messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:agreements_correctionreport_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "report": report,
            "form": form,
            "back": back,
            "title": f"Reject correction report #{report.pk}",
        }
        return TemplateResponse(request, "admin/agreements/correction_reject.html", context)

    @admin.display(description="report", ordering="pk")
    def number(self, obj: CorrectionReport) -> str:
        return f"#{obj.pk}"

    @admin.display(description="what is wrong or missing")
    def summary(self, obj: CorrectionReport) -> str:
        return obj.message if len(obj.message) <= 80 else obj.message[:79] + "…"

    @admin.display(description="source URL")
    def source_url_link(self, obj: CorrectionReport) -> str:
        return format_html(
            '<a href="{}" rel="noopener noreferrer nofollow">{}</a>', obj.source_url, obj.source_url
        )

    def view_on_site(self, obj: CorrectionReport) -> str | None:
        """An accepted report's public page; open and rejected reports have none to show."""
        return obj.get_absolute_url() if obj.status == ReportStatus.ACCEPTED else None

    @admin.display(description="accepted change")
    def accepted_change(self, obj: CorrectionReport) -> str:
        target = corrections.target_of(obj)
        if obj.change_history_id is None or target is None:
            return "-"
        model = type(target.instance)
        url = reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_simple_history",
            args=[target.instance.pk, obj.change_history_id],
        )
        return format_html(
            '<a href="{}">{} {}, version {}</a>', url, target.kind, target.key, obj.change_history_id
        )


# AEO programmes


class ProgrammeCountInline(admin.TabularInline):
    model = ProgrammeCount
    fields = ("as_of_date", "as_of_precision", "operators", "qualifier", "confidence", "source", "note")
    extra = 0
    ordering = ("as_of_date",)


@admin.register(Programme)
class ProgrammeAdmin(RegistryAdmin):
    list_display = ("economy", "name", "launched_date", "launched_precision", "confidence")
    list_filter = ("confidence",)
    search_fields = ("economy__code", "economy__name", "name", "native_name", "legal_basis", "note")
    autocomplete_fields = ("economy",)
    list_select_related = ("economy",)
    ordering = ("economy__name",)
    inlines = (ProgrammeCountInline,)
