"""The dashboard, the partners list, the ranking, the claims ledger and "How we count"."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import render
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext

from agreements import selectors
from agreements.choices import Basis, Evidence
from agreements.counting import FactIndex
from agreements.dates import today
from agreements.forms import AsOfForm, RankingForm, SummaryForm, a_year_before
from agreements.memo import written
from agreements.validators import latest_date
from dashboard import charts, exports
from dashboard.skeleton import render_page
from dashboard.templatetags.chart_data import figure_script
from dashboard.templatetags.partner_markup import ranking_rows
from dashboard.views.dashboard_slots import (
    ERROR_PROVIDERS,
    PARTNER_PROVIDERS,
    PROVIDERS,
    RANKING_ERROR_PROVIDERS,
    RANKING_PROVIDERS,
)

DEFAULT_ECONOMY = "CHN"


def _with_defaults(request: HttpRequest, **defaults: str) -> QueryDict:
    """The query string with every control's default filled in, so the controls show what is
    counted (an empty value means the default too)."""
    # A copy, as QueryDict.copy() makes it, without its deepcopy of every value (strings).
    data = QueryDict(mutable=True, encoding=request.GET.encoding)
    for key, values in request.GET.lists():
        data.setlist(key, list(values))
    defaults = {
        "as_of": today().isoformat(),
        "basis": Basis.SIGNED.value,
        "evidence": Evidence.INFERRED.value,
        **defaults,
    }
    for key, value in defaults.items():
        if not data.get(key):
            data[key] = value
    return data


def _summary_form(request: HttpRequest) -> SummaryForm:
    return SummaryForm(_with_defaults(request, economy=DEFAULT_ECONOMY), economies=True)


def home(request: HttpRequest) -> HttpResponse:
    form = _summary_form(request)
    context: dict[str, Any] = {"form": form}
    if not form.is_valid():
        return render_page(
            request,
            "agreements/dashboard.html",
            context,
            variant={"summary": False},
            providers=ERROR_PROVIDERS,
            status=400,
        )
    params = form.cleaned_data
    data = selectors.overview(
        economy=params["economy"], day=params["as_of"], basis=params["basis"], evidence=params["evidence"]
    )
    context |= {
        "data": data,
        "rows": data.rows,  # the partner table's
        "summary": data.summary,
        "params": params,
        # Lower case inside the sentence ("on the in force basis"); Chinese has no case.
        "basis_label": str(Basis(params["basis"]).label).lower(),
        "evidence_label": str(Evidence(params["evidence"]).label).lower(),
        "bloc_rows": [
            (
                code,
                data.bloc_names.get(code, code),
                data.summary.by_bloc[code],
                [r for r in data.rows if code in r.blocs],
            )
            for code in data.summary.by_bloc
        ],
        "year_before": a_year_before(params["as_of"]),
        # The time bar starts at the first year any arrangement was signed.
        "first_year": selectors.first_signed_year() or params["as_of"].year,
        # One map per list of partners (kept per interval), written out once as its script.
        "map_script": written(
            "partner_map", data.rows, lambda: figure_script(charts.partner_map(data), "map-figure")
        ),
        "race_scripts": race_scripts(params["economy"], params["as_of"], params["basis"], params["evidence"]),
    }
    return render_page(
        request, "agreements/dashboard.html", context, variant={"summary": True}, providers=PROVIDERS
    )


# Stands for the day in a kept race chart script: random per process, so no registry text holds it.
_DAY_TOKEN = f"aeo-race-day-{secrets.token_hex(8)}"


def race_scripts(economy: str, day: dt.date, basis: str, evidence: str) -> SafeString:
    """The dashboard's two race charts as their scripts (`figure_script` of `charts.race_chart`
    of `selectors.race`), kept per interval: on every day of an interval but its first, both
    charts are the same but for the day itself (the last point of each line and the end of the
    date axis), which the kept scripts hold as a token, written in per request. The first day of
    an interval (a line may step on it) and a chart whose lines start on the day are written
    afresh. tests/dashboard/test_race_scripts.py compares both ways on every day of 18 years."""
    index = selectors.fact_index()
    if index.starts_interval(day):
        return _race_scripts(economy, day, basis, evidence, index)
    shown = charts.chart_day(day)

    def build() -> str | None:
        figures = _race_figures(economy, day, basis, evidence, index)
        axes = [figure["layout"]["xaxis"]["range"] for figure in figures]
        lines = [trace["x"] for figure in figures for trace in figure["data"]]
        if any(line[0] == shown or line[-1] != shown for line in lines) or any(
            axis is not None and axis[1] != shown for axis in axes
        ):
            return None  # a line starts on the day: the chart is not the same on the next day
        for line in lines:
            line[-1] = _DAY_TOKEN
        for axis in axes:
            if axis is not None:
                axis[1] = _DAY_TOKEN
        return _scripts(figures)

    key = ("race scripts", economy, basis, evidence, index.interval(day), get_language(), latest_date())
    kept = index.kept(key, build)
    if kept is None:
        return _race_scripts(economy, day, basis, evidence, index)
    return SafeString(kept.replace(_DAY_TOKEN, shown))


def _race_figures(
    economy: str, day: dt.date, basis: str, evidence: str, index: FactIndex | None = None
) -> list[dict[str, Any]]:
    race = selectors.race(economy=economy, day=day, basis=basis, evidence=evidence, index=index)
    return [charts.race_chart(race, "countries"), charts.race_chart(race, "economies")]


def _scripts(figures: list[dict[str, Any]]) -> SafeString:
    countries, economies = figures
    return SafeString(
        figure_script(countries, "race-countries-figure")
        + "\n  "
        + figure_script(economies, "race-economies-figure")
    )


def _race_scripts(
    economy: str, day: dt.date, basis: str, evidence: str, index: FactIndex | None = None
) -> SafeString:
    """The race charts' scripts, written for the day."""
    return _scripts(_race_figures(economy, day, basis, evidence, index))


def partners(request: HttpRequest) -> HttpResponseBase:
    form = _summary_form(request)
    bloc = request.GET.get("bloc", "")
    context: dict[str, Any] = {"form": form, "bloc": bloc, "rows": []}
    if not form.is_valid():
        if (twin := exports.twin(request, errors=form.errors)) is not None:
            return twin
        return _partners_page(request, context, status=400)
    params = form.cleaned_data
    data = selectors.overview(
        economy=params["economy"], day=params["as_of"], basis=params["basis"], evidence=params["evidence"]
    )
    if bloc and bloc not in data.bloc_names:
        context["bloc_error"] = gettext("Unknown bloc %(bloc)s. Choose one of: %(blocs)s.") % {
            "bloc": repr(bloc),
            "blocs": ", ".join(sorted(data.bloc_names)),
        }
        if (twin := exports.twin(request, errors={"bloc": [context["bloc_error"]]})) is not None:
            return twin
        return _partners_page(request, context, status=400)
    rows = [r for r in data.rows if bloc in r.blocs] if bloc else data.rows
    twin = exports.twin(
        request,
        rows=lambda: exports.Rows(
            exports.partners_spec(data.bloc_names),
            rows,
            params={**params, "bloc": bloc},
            name_parts=[params["economy"], params["as_of"]],
        ),
    )
    if twin is not None:
        return twin
    context |= {"data": data, "summary": data.summary, "params": params, "rows": rows}
    return _partners_page(request, context)


def _partners_page(request: HttpRequest, context: dict[str, Any], status: int | None = None) -> HttpResponse:
    """The partners page, written from its skeleton (`dashboard.skeleton`) as the dashboard is."""
    variant = {"summary": "summary" in context, "bloc_error": "bloc_error" in context}
    return render_page(
        request,
        "agreements/partner_list.html",
        context,
        variant=variant,
        providers=PARTNER_PROVIDERS,
        status=status,
    )


def _ranking_rows(
    by_countries: list[Any], by_economies: list[Any], names: dict[str, str], by: str
) -> list[Any]:
    """Both rankings as one row per economy, in the order of the `by` ranking."""
    countries = {r.economy: r for r in by_countries}
    economies = {r.economy: r for r in by_economies}
    first, second = (by_economies, by_countries) if by == "economies" else (by_countries, by_economies)
    order = [r.economy for r in first] + [
        r.economy for r in second if r.economy not in {x.economy for x in first}
    ]
    return [
        exports.EconomyRanks(
            economy=code,
            economy_name=names.get(code, code),
            partner_countries=countries[code].value if code in countries else 0,
            rank_by_countries=countries[code].rank if code in countries else None,
            partner_economies=economies[code].value if code in economies else 0,
            rank_by_economies=economies[code].rank if code in economies else None,
        )
        for code in order
    ]


def ranking(request: HttpRequest) -> HttpResponseBase:
    form = RankingForm(_with_defaults(request))
    context: dict[str, Any] = {"form": form}
    if not form.is_valid():
        if (twin := exports.twin(request, errors=form.errors)) is not None:
            return twin
        return render_page(
            request,
            "agreements/ranking.html",
            context,
            variant={"params": False},
            providers=RANKING_ERROR_PROVIDERS,
            status=400,
        )
    params = form.cleaned_data
    day, basis, evidence = params["as_of"], params["basis"], params["evidence"]
    names = selectors.economy_names()
    index = selectors.fact_index()
    by_countries = index.ranking(day, basis, evidence, "countries")
    by_economies = index.ranking(day, basis, evidence, "economies")
    twin = exports.twin(
        request,
        rows=lambda: exports.Rows(
            exports.RANKING,
            _ranking_rows(by_countries, by_economies, names, params["by"]),
            params=params,
            name_parts=[params["as_of"]],
        ),
    )
    if twin is not None:
        return twin

    def figures() -> dict[str, SafeString]:
        """The tables' rows and the charts' data: the same on every day of one interval."""
        signed_by_year, in_force_by_year = selectors.arrangements_by_year(until=day, evidence=evidence)
        ranked_map = charts.ranking_map(
            by_economies if params["by"] == "economies" else by_countries,
            names,
            selectors.lookups().territory_names(),
            selectors.economy_territories(day=day),
            params["by"],
        )
        return {
            "countries_rows": ranking_rows([(r, names.get(r.economy, r.economy)) for r in by_countries]),
            "economies_rows": ranking_rows([(r, names.get(r.economy, r.economy)) for r in by_economies]),
            "countries_script": figure_script(
                charts.ranking_chart(by_countries, names, "countries"), "ranking-countries-figure"
            ),
            "economies_script": figure_script(
                charts.ranking_chart(by_economies, names, "economies"), "ranking-economies-figure"
            ),
            "map_script": figure_script(ranked_map, "ranking-map-figure"),
            "arrangements_script": figure_script(
                charts.arrangements_over_time(signed_by_year, in_force_by_year), "arrangements-time-figure"
            ),
        }

    # Kept with the counting index's answers, per interval (every figure on the page changes only
    # on the day a fact starts or ends) and per language and URL prefix (the rows' names and links).
    kept_key = ("ranking page", basis, evidence, params["by"], index.interval(day))
    context |= {
        "params": params,
        "figures": index.kept((*kept_key, get_language(), get_script_prefix()), figures),
        "map_by": params["by"],
        # The ranking's time bar starts at the first year any arrangement was signed.
        "first_year": index.kept(
            ("first signed year", evidence, today()),
            lambda: min(selectors.arrangements_by_year(until=today(), evidence=evidence)[0], default=None),
        )
        or day.year,
    }
    # Written from its skeleton (`dashboard.skeleton`), one per measure the map is coloured by.
    return render_page(
        request,
        "agreements/ranking.html",
        context,
        variant={"params": True, "map_by": params["by"]},
        providers=RANKING_PROVIDERS,
    )


def claims(request: HttpRequest) -> HttpResponseBase:
    rows = selectors.claims_ledger()
    twin = exports.twin(
        request,
        rows=lambda: exports.Rows(
            exports.CLAIMS,
            rows,
            params={"evidence": Evidence.INFERRED.value},
            name_parts=[timezone.localdate()],
        ),
    )
    if twin is not None:
        return twin
    return render(
        request,
        "agreements/claim_list.html",
        {"rows": rows, "differences": sum(not r.match for r in rows), "matches": sum(r.match for r in rows)},
    )


def how_we_count(request: HttpRequest) -> HttpResponse:
    form = AsOfForm({})
    form.is_valid()
    return render(
        request,
        "agreements/how_we_count.html",
        {"bases": Basis.choices, "evidence_levels": Evidence.choices, "form": form},
    )
