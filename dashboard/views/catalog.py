"""Catalog pages: lists and details of arrangements, economies, territories and blocs.

Views are thin: bind the FilterSet or form, call a selector, render. Every bad parameter shows its
error with HTTP 400 and an empty result, never everything and never a 500.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from agreements import counting, history, selectors
from agreements.filtersets import bind_arrangement_filters
from agreements.forms import SummaryForm, day_field
from agreements.models import Bloc, Economy, Territory
from agreements.names import local_name
from agreements.paging import page_context, page_of
from dashboard import charts, exports
from dashboard.views.dashboard import _with_defaults

# The sortable columns of the arrangement table: (ordering parameter, heading).
SORTABLE_COLUMNS: dict[str, StrOrPromise] = {
    "key": _("Key"),
    "signed_date": _("Signed"),
    "effective_date": _("In force"),
    "status": _("Status"),
    "evidence": _("Evidence"),
}


class CoverageDayForm(forms.Form):
    """The day of the "territories it covers" list; empty means today."""

    as_of = day_field(_("On"))

    def clean_as_of(self) -> dt.date:
        value: dt.date | None = self.cleaned_data.get("as_of")
        return value or timezone.localdate()


@dataclass(frozen=True, slots=True)
class SortHeading:
    """A sortable table heading: the link's ordering value and the current sort state."""

    label: StrOrPromise
    next_ordering: str
    aria_sort: str  # "ascending", "descending" or "" (not sorted by this column)


def _columns(ordering: list[str]) -> dict[str, SortHeading]:
    primary = ordering[0] if ordering else ""
    columns = {}
    for param, label in SORTABLE_COLUMNS.items():
        if primary == param:
            columns[param] = SortHeading(label, f"-{param}", "ascending")
        elif primary == f"-{param}":
            columns[param] = SortHeading(label, param, "descending")
        else:
            columns[param] = SortHeading(label, param, "")
    return columns


def arrangement_list(request: HttpRequest) -> HttpResponseBase:
    filterset = bind_arrangement_filters(request.GET, queryset=selectors.arrangement_catalog())
    valid = filterset.is_valid()
    twin = exports.twin(
        request,
        errors=None if valid else filterset.form.errors,
        rows=lambda: exports.Rows(
            exports.ARRANGEMENTS,
            exports.arrangement_rows(filterset.qs),
            params=filterset.form.cleaned_data,
            name_parts=[timezone.localdate()],
            count=filterset.qs.count,
        ),
    )
    if twin is not None:
        return twin
    page = page_of(selectors.arrangement_list_page(filterset.qs), request.GET.get("page")) if valid else None
    ordering = filterset.form.cleaned_data.get("ordering") if valid else None
    return render(
        request,
        "agreements/arrangement_list.html",
        {
            "filterset": filterset,
            "form": filterset.form,
            **page_context(page),
            "parties": selectors.arrangement_party_names(page) if page is not None else {},
            "columns": _columns(list(ordering or [])),
        },
        status=200 if valid else 400,
    )


def arrangement_detail(request: HttpRequest, key: str) -> HttpResponse:
    arrangement = get_object_or_404(selectors.arrangement_catalog(), key=key)
    data = request.GET.copy()
    data.setdefault("as_of", timezone.localdate().isoformat())
    form = CoverageDayForm(data)
    coverage = None
    if form.is_valid():
        coverage = selectors.arrangement_coverage(arrangement=arrangement, day=form.cleaned_data["as_of"])
    return render(
        request,
        "agreements/arrangement_detail.html",
        {
            "arrangement": arrangement,
            "sources": selectors.described_sources(arrangement),
            "party_dates": selectors.party_in_force_dates(arrangement=arrangement),
            "history": history.record_history(arrangement),
            "form": form,
            "as_of": form.cleaned_data.get("as_of") if coverage is not None else None,
            "coverage": coverage,
        },
        status=200 if coverage is not None else 400,
    )


def _export_today(
    request: HttpRequest, spec: exports.Spec, rows: Callable[[], tuple[Iterable[Any], int]]
) -> HttpResponseBase | None:
    """The CSV or JSON twin of a list without parameters (as of today), or None for the page.
    `rows` gives the rows and their count; it is called only for an export."""

    def table() -> exports.Rows:
        today = timezone.localdate()
        items, count = rows()
        return exports.Rows(spec, items, params={"as_of": today}, name_parts=[today], count=count)

    return exports.twin(request, rows=table)


def _streamed(queryset: QuerySet[Any]) -> Callable[[], tuple[Iterable[Any], int]]:
    return lambda: (queryset.iterator(chunk_size=exports.CHUNK_ROWS), queryset.count())


def economy_list(request: HttpRequest) -> HttpResponseBase:
    today = timezone.localdate()
    economies = selectors.economy_catalog(day=today)
    export = _export_today(request, exports.ECONOMIES, lambda: (economies, len(economies)))
    if export is not None:
        return export
    return render(
        request,
        "agreements/economy_list.html",
        {"economies": economies, "today": today},
    )


def economy_detail(request: HttpRequest, code: str) -> HttpResponse:
    economy = get_object_or_404(Economy, code=code)
    today = timezone.localdate()
    page = selectors.economy_page(economy=economy, day=today)
    return render(
        request,
        "agreements/economy_detail.html",
        {
            "page": page,
            "history": page.history,
            "today": today,
            "map_figure": charts.partner_map(page.partners),
        },
    )


def territory_list(request: HttpRequest) -> HttpResponseBase:
    today = timezone.localdate()

    def rows() -> tuple[Iterable[Any], int]:
        catalog = selectors.territory_catalog(day=today)
        return catalog, len(catalog)

    export = _export_today(request, exports.TERRITORIES, rows)
    if export is not None:
        return export
    return render(
        request,
        "agreements/territory_list.html",
        {"rows": selectors.territory_catalog(day=today), "today": today},
    )


def territory_detail(request: HttpRequest, iso3: str) -> HttpResponse:
    territory = get_object_or_404(Territory, iso3=iso3)
    page = selectors.territory_page(territory=territory)
    return render(request, "agreements/territory_detail.html", {"page": page, "history": page.history})


def bloc_list(request: HttpRequest) -> HttpResponseBase:
    today = timezone.localdate()
    blocs = selectors.bloc_catalog(day=today)
    export = _export_today(request, exports.BLOCS, _streamed(blocs))
    if export is not None:
        return export
    return render(
        request,
        "agreements/bloc_list.html",
        {"blocs": blocs, "today": today},
    )


def bloc_detail(request: HttpRequest, code: str) -> HttpResponse:
    bloc = get_object_or_404(Bloc, code=code)
    index = selectors.fact_index()
    page = selectors.bloc_page(bloc=bloc, index=index)
    memberships = page.memberships
    today = timezone.localdate()
    members = selectors.members_named(memberships, today)
    context: dict[str, Any] = {
        "bloc": bloc,
        "history": page.history,
        "memberships": memberships,
        "today": today,
        "members_today": len(members),
        "pairs_max": selectors.MATRIX_MAX_MEMBERS,
        "map_figure": charts.membership_map(members, f"{local_name(bloc)} ({bloc.code})", zoom=True),
    }
    # The bloc seen from an economy: the dashboard's own form and defaults (CHN, today, signed).
    form = SummaryForm(_with_defaults(request, economy="CHN"), economies=True)
    context["coverage_form"] = form
    if form.is_valid():
        context["coverage"] = _bloc_coverage(bloc, memberships, form.cleaned_data, index)
    return render(request, "agreements/bloc_detail.html", context, status=200 if form.is_valid() else 400)


@dataclass(frozen=True, slots=True)
class Coverage:
    economy: str
    economy_name: str
    day: dt.date
    members: int
    covered: list[tuple[str, str, Any]]  # (territory, name, the arrangement that covers it)
    not_covered: list[tuple[str, str]]
    leaders: list[tuple[str, str, int]]  # (economy, name, members covered)
    pairs: selectors.PairMatrix  # which pairs of members have an arrangement


LEADERS_SHOWN = 10


def _bloc_coverage(
    bloc: Bloc, memberships: Iterable[Any], params: dict[str, Any], index: counting.FactIndex
) -> Coverage:
    """Which members of `bloc` the economy covers on the day (and by which arrangement), which it
    does not, and which economies cover the most members: all from the counting engine.

    The same on every day of an interval (`FactIndex.interval`: no fact starts or ends between
    them), so kept with the counting index per interval and language: the economies covering the
    most members are counted over every economy, and the member pairs over every member."""
    day = params["as_of"]
    key = (
        "bloc_coverage",
        bloc.code,
        params["economy"],
        params["basis"],
        params["evidence"],
        index.interval(day),
        get_language(),
    )
    kept = index.kept(key, lambda: _coverage(bloc, memberships, params, index))
    return dataclasses.replace(kept, day=day)


def _coverage(
    bloc: Bloc, memberships: Iterable[Any], params: dict[str, Any], index: counting.FactIndex
) -> Coverage:
    day, basis, evidence = params["as_of"], params["basis"], params["evidence"]
    members = dict(selectors.members_named(memberships, day))
    overview = selectors.overview(economy=params["economy"], day=day, basis=basis, evidence=evidence)
    by_territory = {row.territory: row for row in overview.rows}
    covered_codes = set(overview.summary.bloc_countries.get(bloc.code, ())) & set(members)
    names = selectors.economy_names()
    # Every economy's partner countries from one counting of the day (not one per economy).
    world = index.world(day, basis, evidence)
    bloc_members = world.blocs.get(bloc.code, frozenset())
    counts = []
    for code in names:
        count = len(world.countries.get(code, frozenset()) & bloc_members)
        if count:
            counts.append((code, names[code], count))
    counts.sort(key=lambda item: (-item[2], item[1]))
    return Coverage(
        economy=params["economy"],
        economy_name=overview.economy_name,
        day=day,
        members=len(members),
        covered=sorted(
            (
                (code, members[code], by_territory[code].arrangement if code in by_territory else None)
                for code in covered_codes
            ),
            key=lambda item: item[1],
        ),
        not_covered=sorted(
            ((code, members[code]) for code in set(members) - covered_codes), key=lambda item: item[1]
        ),
        leaders=counts[:LEADERS_SHOWN],
        pairs=selectors.member_pairs(
            members=sorted(members.items()), day=day, basis=basis, evidence=evidence
        ),
    )
