"""`/compare/`: up to six economies side by side on one day (issue 13, item 4): partner economies
and countries with their world ranks, counts by bloc, the partners they share and those only one
of them has, and the race chart of exactly those economies. Without a choice, the three economies
with the most partner countries on the day."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from agreements import counting, selectors
from agreements.forms import CompareForm
from dashboard import charts
from dashboard.views.dashboard import _with_defaults

DEFAULT_COUNT = 3


@dataclass(frozen=True, slots=True)
class Compared:
    code: str
    name: str
    summary: counting.Summary
    only_economies: list[tuple[str, str]]  # partners no other compared economy has: (code, name)
    only_countries: list[tuple[str, str]]


def _named(codes: set[str], names: dict[str, str]) -> list[tuple[str, str]]:
    return sorted(((code, names.get(code, code)) for code in codes), key=lambda item: item[1])


def comparison(codes: list[str], summaries: list[counting.Summary]) -> dict[str, Any]:
    """Shared and unique partner sets, computed from the summaries alone."""
    economies = [set(s.partners) for s in summaries]
    countries = [set(s.countries) for s in summaries]
    shared_economies = set.intersection(*economies) if economies else set()
    shared_countries = set.intersection(*countries) if countries else set()
    only_economies = [
        e - set().union(*(o for j, o in enumerate(economies) if j != i)) for i, e in enumerate(economies)
    ]
    only_countries = [
        c - set().union(*(o for j, o in enumerate(countries) if j != i)) for i, c in enumerate(countries)
    ]
    return {
        "shared_economies": shared_economies,
        "shared_countries": shared_countries,
        "only_economies": dict(zip(codes, only_economies, strict=True)),
        "only_countries": dict(zip(codes, only_countries, strict=True)),
    }


def compare(request: HttpRequest) -> HttpResponse:
    form = CompareForm(_with_defaults(request))
    context: dict[str, Any] = {"form": form}
    if not form.is_valid():
        return render(request, "agreements/compare.html", context, status=400)
    params = form.cleaned_data
    day, basis, evidence = params["as_of"], params["basis"], params["evidence"]
    codes: list[str] = params["economy"]
    chosen = bool(codes)
    if not codes:
        codes = [
            row.economy for row in selectors.ranking(day=day, basis=basis, evidence=evidence, by="countries")
        ][:DEFAULT_COUNT]
    names = selectors.economy_names()
    territories = selectors.lookups().territory_names()
    index = selectors.fact_index()
    summaries = [index.summary(code, day, basis, evidence) for code in codes]
    sets = comparison(codes, summaries)
    compared = [
        Compared(
            code=code,
            name=names.get(code, code),
            summary=summary,
            only_economies=_named(sets["only_economies"][code], names),
            only_countries=_named(sets["only_countries"][code], territories),
        )
        for code, summary in zip(codes, summaries, strict=True)
    ]
    blocs = sorted({bloc for s in summaries for bloc in s.by_bloc})
    series = index.series(codes, day, basis, evidence) if codes else {}
    race = {"codes": codes, "names": names, "series": series, "until": day}
    context |= {
        "params": params,
        "chosen": chosen,
        "compared": compared,
        "blocs": [(bloc, [c.summary.by_bloc.get(bloc, 0) for c in compared]) for bloc in blocs],
        "shared_economies": _named(sets["shared_economies"], names),
        "shared_countries": _named(sets["shared_countries"], territories),
        "race_countries": charts.race_chart(race, "countries") if codes else None,
        "race_economies": charts.race_chart(race, "economies") if codes else None,
    }
    return render(request, "agreements/compare.html", context)
