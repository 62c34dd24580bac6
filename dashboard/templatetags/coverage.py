"""`{% in_force_gaps %}`: on the in-force basis, how many in-force arrangements the figures leave out
because their in-force date is not known, with a link to them (issue 14, item 2). Every page that
counts on the in-force basis includes it; `tests/dashboard/test_in_force_gaps.py` fails if one does not."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.template.loader import get_template
from django.urls import get_script_prefix, reverse
from django.utils.safestring import SafeString, mark_safe

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


@register.simple_tag(takes_context=True)
def official_figures(context: template.Context) -> SafeString:
    """The claims ledger's latest statement for the shown economy, basis and day (or before it),
    beside the registry's own figures, with any difference explained (issue 13, item 7).

    The section depends on the statement, the evidence level, whether the statement is of the shown
    day, the language and the URL prefix: rendered once per data version for each, then reused."""
    params = context.get("params")
    if not isinstance(params, dict) or not params.get("economy") or not params.get("as_of"):
        return SafeString("")
    economy, day, basis, evidence = params["economy"], params["as_of"], params["basis"], params["evidence"]
    latest = selectors.latest_statement(economy=economy, day=day, basis=basis)
    if latest is None:
        return SafeString("")
    key, as_of = latest
    rendered: dict[tuple[object, ...], SafeString] = selectors.lookups().cached("official_markup", dict)
    markup_key = (economy, basis, evidence, key, as_of == day, get_script_prefix())
    markup = rendered.get(markup_key)
    if markup is None:
        rows = selectors.official_figures(economy=economy, day=day, basis=basis, evidence=evidence)
        markup = rendered[markup_key] = mark_safe(  # the template escapes every value
            get_template("includes/_official_figures.html").render(
                {"rows": rows, "claim": rows[0].claim if rows else None, "same_day": as_of == day}
            )
        )
    return markup
