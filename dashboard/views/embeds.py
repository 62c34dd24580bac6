"""Embeddable charts (issue 15, item 3): `/embed/map/`, `/embed/race/`, `/embed/ranking/` and
`/embed/blocs/<code>/`, each the chart, its title and a source line linking to the full view,
nothing else. Only these URLs may be framed by other sites (`AEO_EMBED_FRAME_ANCESTORS`, default
any): `framed()` lifts X-Frame-Options and sets the CSP's frame-ancestors for them, outside the
page cache, so a cached embed is framable too. Every other page still answers `DENY`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override

from agreements import selectors
from agreements.forms import RankingForm, SummaryForm
from agreements.models import Bloc
from agreements.names import local_name
from dashboard import charts
from dashboard.views.dashboard import _summary_form, _with_defaults

MEASURES = ("countries", "economies")
MEASURE = "measure"  # the race's measure: countries (default) or economies


def framed(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """`view`, framable by AEO_EMBED_FRAME_ANCESTORS under the site's own CSP otherwise."""
    policy = {**settings.SECURE_CSP, "frame-ancestors": settings.AEO_EMBED_FRAME_ANCESTORS}
    return xframe_options_exempt(csp_override(policy)(view))


def _query(params: dict[str, Any], *names: str) -> str:
    query = QueryDict(mutable=True)
    for name in names:
        value = params.get(name)
        if value not in (None, ""):
            query[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return query.urlencode()


def _render(
    request: HttpRequest,
    *,
    title: str,
    figure: dict[str, Any] | None,
    page: str,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    return render(
        request,
        "agreements/embed.html",
        {"title": title, "figure": figure, "page_url": request.build_absolute_uri(page), **extra},
        status=status,
    )


def _invalid(request: HttpRequest, form: Any) -> HttpResponse:
    return _render(
        request, title=gettext("Invalid parameters"), figure=None, page=reverse("home"), form=form, status=400
    )


def embed_map(request: HttpRequest) -> HttpResponse:
    form = _summary_form(request)
    if not form.is_valid():
        return _invalid(request, form)
    params = form.cleaned_data
    data = selectors.overview(
        economy=params["economy"], day=params["as_of"], basis=params["basis"], evidence=params["evidence"]
    )
    title = gettext("World map of the %(count)s partner territories of %(economy)s") % {
        "count": data.summary.partner_countries,
        "economy": data.economy_name,
    }
    page = reverse("home") + "?" + _query(params, "economy", "as_of", "basis", "evidence")
    return _render(
        request, title=title, figure=charts.partner_map(data), page=page, params=params, topojson=True
    )


def embed_race(request: HttpRequest) -> HttpResponse:
    form = _summary_form(request)
    measure = request.GET.get(MEASURE) or "countries"
    if not form.is_valid() or measure not in MEASURES:
        if form.is_valid():
            form.add_error(None, gettext("measure: use countries or economies."))
        return _invalid(request, form)
    params = form.cleaned_data
    race = selectors.race(
        economy=params["economy"], day=params["as_of"], basis=params["basis"], evidence=params["evidence"]
    )
    names = selectors.economy_names()
    economy = names.get(params["economy"], params["economy"])
    if measure == "countries":
        title = gettext("Cumulative partner countries and regions of %(economy)s and the leaders")
    else:
        title = gettext("Cumulative partner economies of %(economy)s and the leaders")
    page = reverse("home") + "?" + _query(params, "economy", "as_of", "basis", "evidence")
    return _render(
        request,
        title=title % {"economy": economy},
        figure=charts.race_chart(race, measure),
        page=page,
        params=params,
    )


def embed_ranking(request: HttpRequest) -> HttpResponse:
    form = RankingForm(_with_defaults(request))
    if not form.is_valid():
        return _invalid(request, form)
    params = form.cleaned_data
    by = params.get("by") or "countries"
    rows = selectors.ranking(day=params["as_of"], basis=params["basis"], evidence=params["evidence"], by=by)
    names = selectors.economy_names()
    if by == "countries":
        title = gettext("Leading economies by partner countries and regions")
    else:
        title = gettext("Leading economies by partner economies")
    page = reverse("ranking") + "?" + _query(params, "as_of", "basis", "evidence", "by")
    return _render(
        request, title=title, figure=charts.ranking_chart(rows, names, by), page=page, params=params
    )


def embed_bloc(request: HttpRequest, code: str) -> HttpResponse:
    bloc = get_object_or_404(Bloc, code=code)
    today = timezone.localdate()
    members = selectors.members_named(selectors.bloc_memberships(bloc=bloc), today)
    name = f"{local_name(bloc)} ({bloc.code})"
    title = gettext("Members of %(bloc_name)s on %(day)s") % {"bloc_name": name, "day": today.isoformat()}
    return _render(
        request,
        title=title,
        figure=charts.membership_map(members, name, zoom=True),
        page=bloc.get_absolute_url(),
        params={"as_of": today},
        topojson=True,
    )


# The forms each embed binds, for the page cache's parameter list (dashboard/urls.py).
PARAMETERS: dict[str, tuple[Any, ...]] = {
    "map": (SummaryForm,),
    "race": (SummaryForm, MEASURE),
    "ranking": (RankingForm,),
    "bloc": (),
}
