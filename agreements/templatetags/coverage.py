"""`{% in_force_gaps %}`: on the in-force basis, how many in-force arrangements the figures leave out
because their in-force date is not known, with a link to them (issue 14, item 2). Every page that
counts on the in-force basis includes it; `tests/test_in_force_gaps.py` fails if one does not."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse

from agreements import selectors
from agreements.choices import Basis, Status

register = template.Library()


@register.inclusion_tag("includes/_in_force_gaps.html", takes_context=True)
def in_force_gaps(context: template.Context) -> dict[str, Any]:
    params = context.get("params")
    if not isinstance(params, dict) or params.get("basis") != Basis.IN_FORCE:
        return {"shown": False}
    day = params.get("as_of") or params.get("to")  # "between two dates" counts up to `to`
    if not day:
        return {"shown": False}
    economy = params.get("economy") or ""
    if not isinstance(economy, str):  # several economies (compare): the count for all of them
        economy = ""
    query = {"status": Status.IN_FORCE.value, "undated": "true"}
    if economy:
        query["party"] = economy
    return {
        "shown": True,
        "count": selectors.undated_in_force(economy=economy or None, day=day),
        "partial": selectors.partly_undated_in_force(economy=economy or None, day=day),
        "economy": economy,
        "economy_name": getattr(context.get("data"), "economy_name", economy),
        "url": reverse("arrangement-list") + "?" + urlencode(query),
    }


@register.inclusion_tag("includes/_official_figures.html", takes_context=True)
def official_figures(context: template.Context) -> dict[str, Any]:
    """The claims ledger's latest statement for the shown economy, basis and day (or before it),
    beside the registry's own figures, with any difference explained (issue 13, item 7)."""
    params = context.get("params")
    if not isinstance(params, dict) or not params.get("economy") or not params.get("as_of"):
        return {"rows": []}
    rows = selectors.official_figures(
        economy=params["economy"], day=params["as_of"], basis=params["basis"], evidence=params["evidence"]
    )
    return {"rows": rows, "claim": rows[0].claim if rows else None, "day": params["as_of"]}
