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

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from agreements import versioning
from agreements.admin_import import CsvImportMixin
from agreements.models import (
    Arrangement,
    ArrangementParty,
    Bloc,
    BlocMembership,
    Claim,
    Economy,
    EconomyMembership,
    Source,
    Territory,
)
from agreements.models.memberships import describe_period, periods_overlap

admin.site.site_header = "AEO Registry administration"
admin.site.site_title = "AEO Registry admin"
admin.site.index_title = "Registry data"

MIN_PARTIES = 2


class RegistryAdmin(SimpleHistoryAdmin):
    """Every registry admin: a submitted change is validated and saved while holding the
    data-version lock, so it is checked against what concurrent writers committed (an import
    and an admin edit can no longer both add overlapping memberships)."""

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        with _serialised(request):
            return super().changeform_view(request, *args, **kwargs)

    def delete_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        with _serialised(request):
            return super().delete_view(request, *args, **kwargs)

    def history_form_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        with _serialised(request):
            return super().history_form_view(request, *args, **kwargs)


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
        economies = {data["economy"].pk for data in _live_cleaned_data(self) if data.get("economy")}
        if len(economies) < MIN_PARTIES:
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
    list_display = ("iso3", "iso2", "name", "kind")
    list_display_links = ("iso3", "name")
    list_filter = ("kind",)
    search_fields = ("iso3", "iso2", "name")
    ordering = ("name",)


# Economies


class EconomyMembershipInline(admin.TabularInline):
    model = EconomyMembership
    formset = MembershipInlineFormSet
    fields = ("territory", "start_date", "end_date", "note")
    autocomplete_fields = ("territory",)
    extra = 0
    ordering = ("territory__name", "start_date")


@admin.register(Economy)
class EconomyAdmin(RegistryAdmin):
    list_display = ("code", "name", "kind", "member_count", "arrangement_count")
    list_display_links = ("code", "name")
    list_filter = ("kind",)
    search_fields = ("code", "name")
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
    import_table = "economy_members.csv"
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
    ordering = ("territory__name", "start_date")


@admin.register(Bloc)
class BlocAdmin(CsvImportMixin, RegistryAdmin):
    import_table = "blocs.csv"
    list_display = ("code", "name", "member_count")
    list_display_links = ("code", "name")
    search_fields = ("code", "name", "definition", "source")
    ordering = ("code",)
    inlines = (BlocMembershipInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Bloc]:
        return super().get_queryset(request).annotate(member_total=Count("memberships"))

    @admin.display(description="memberships", ordering="member_total")
    def member_count(self, obj: Bloc) -> int:
        return int(getattr(obj, "member_total", 0))


@admin.register(BlocMembership)
class BlocMembershipAdmin(CsvImportMixin, RegistryAdmin):
    import_table = "bloc_members.csv"
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
    fields = ("economy", "effective_date", "effective_precision", "effective_unknown", "source", "note")
    autocomplete_fields = ("economy",)
    ordering = ("economy__name",)

    def get_extra(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> int:
        return MIN_PARTIES if obj is None else 0


class SourceInline(admin.TabularInline):
    model = Source
    fields = ("position", "url", "citation")
    ordering = ("position", "pk")

    def get_extra(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> int:
        return 1 if obj is None else 0


@admin.register(Arrangement)
class ArrangementAdmin(CsvImportMixin, RegistryAdmin):
    import_table = "arrangements.csv"
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
    import_table = "claims.csv"
    list_display = ("key", "authority", "economy", "stated_on", "as_of", "basis", "metric", "value")
    list_filter = ("basis", "metric", ("economy", admin.RelatedOnlyFieldListFilter), "authority")
    search_fields = ("key", "authority", "metric", "note", "source_url", "economy__code", "economy__name")
    autocomplete_fields = ("economy",)
    list_select_related = ("economy",)
    date_hierarchy = "as_of"
    ordering = ("-as_of", "key", "basis", "metric")
