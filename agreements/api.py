"""The JSON API, version 1: a stable contract that other tools call.

Every bad parameter answers HTTP 400 with a body naming it; nothing here answers 500 on input.
Only GET, HEAD and OPTIONS are answered; any other method is a 405 with a JSON body.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from agreements import quality as data_quality
from agreements import selectors
from agreements.forms import RankingForm, SummaryForm, error_body


def _json(data: object, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


ALLOWED_METHODS = ("GET", "HEAD", "OPTIONS")


def read_only(view: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """GET and HEAD reach the view, OPTIONS lists the methods, any other method is a JSON 405.

    CSRF-exempt because nothing here writes: otherwise the CSRF middleware, which runs before the
    view, answers a POST with its 403 HTML page instead of the documented 405.
    """

    @wraps(view)
    def wrapper(request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD"):
            return view(request)
        response: HttpResponse
        if request.method == "OPTIONS":
            response = HttpResponse(headers={"Content-Length": "0"})  # as Django's View.options
        else:
            body = {"error": "method not allowed", "method": request.method, "allowed": list(ALLOWED_METHODS)}
            response = _json(body, status=405)
        response["Allow"] = ", ".join(ALLOWED_METHODS)
        return response

    return csrf_exempt(wrapper)


@read_only
def summary(request: HttpRequest) -> JsonResponse:
    form = SummaryForm(request.GET)
    if not form.is_valid():
        return _json(error_body(form), status=400)
    params = form.cleaned_data
    result = selectors.summary_for(
        economy=params["economy"],
        day=params["as_of"],
        basis=params["basis"],
        evidence=params["evidence"],
    )
    return _json(
        {
            "economy": result.economy,
            "as_of": result.as_of.isoformat(),
            "basis": result.basis,
            "evidence": result.evidence,
            "partner_economies": result.partner_economies,
            "partner_countries": result.partner_countries,
            "by_bloc": result.by_bloc,
            "rank_by_countries": result.rank_by_countries,
            "rank_by_economies": result.rank_by_economies,
            "partners": list(result.partners),
            "countries": list(result.countries),
        }
    )


@read_only
def ranking(request: HttpRequest) -> JsonResponse:
    form = RankingForm(request.GET)
    if not form.is_valid():
        return _json(error_body(form), status=400)
    params = form.cleaned_data
    rows = selectors.ranking_on(
        day=params["as_of"], by=params["by"], basis=params["basis"], evidence=params["evidence"]
    )
    return _json(
        {
            "as_of": params["as_of"].isoformat(),
            "by": params["by"],
            "basis": params["basis"],
            "evidence": params["evidence"],
            "results": [
                {"economy": r.economy, "name": r.name, "value": r.value, "rank": r.rank} for r in rows
            ],
        }
    )


@read_only
def claims(request: HttpRequest) -> JsonResponse:
    rows = selectors.claims_ledger()
    return _json(
        {
            "count": len(rows),
            "matches": sum(row.match for row in rows),
            "differences": sum(not row.match for row in rows),
            "results": [
                {
                    "key": row.claim.key,
                    "authority": row.claim.authority,
                    "stated_on": row.claim.stated_on.isoformat(),
                    "as_of": row.claim.as_of.isoformat(),
                    "economy": row.claim.economy_id,
                    "basis": row.claim.basis,
                    "metric": row.claim.metric,
                    "claimed": row.claim.value,
                    "computed": row.computed,
                    "match": row.match,
                    "note": row.claim.note,
                    "source_url": row.claim.source_url,
                }
                for row in rows
            ],
        }
    )


@read_only
def quality(request: HttpRequest) -> JsonResponse:
    """The data-quality page's figures (agreements.quality); its lists are the page's downloads."""
    return _json(data_quality.counts().as_json())
