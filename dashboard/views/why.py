"""Why the number moved: an economy's story up to a day, and what changed between two days.

Thin like every page: bind the form, call the read model (`agreements.why`), render, or hand the
same rows to the CSV or JSON twin. A bad parameter shows its error with HTTP 400 and no rows.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponseBase, QueryDict
from django.shortcuts import render
from django.utils import timezone

from agreements import why
from agreements.choices import Basis, Evidence
from agreements.forms import BetweenForm, SummaryForm, a_year_before
from dashboard import exports
from dashboard.views.dashboard import DEFAULT_ECONOMY, _summary_form


def why_moved(request: HttpRequest) -> HttpResponseBase:
    form: SummaryForm = _summary_form(request)
    context: dict[str, Any] = {"form": form}
    if not form.is_valid():
        if (twin := exports.twin(request, errors=form.errors)) is not None:
            return twin
        return render(request, "agreements/why.html", context, status=400)
    params = form.cleaned_data
    data = why.why_moved(
        economy=params["economy"], day=params["as_of"], basis=params["basis"], evidence=params["evidence"]
    )
    twin = exports.twin(
        request,
        rows=lambda: exports.Rows(
            exports.why_spec(data.names, data.bloc_codes),
            data.rows,
            params=params,
            name_parts=[params["economy"], params["as_of"]],
        ),
    )
    if twin is not None:
        return twin
    context |= {
        "data": data,
        "params": params,
        "blocs": [(code, data.names.bloc(code)) for code in data.bloc_codes],
        "between_from": a_year_before(params["as_of"]),
    }
    return render(request, "agreements/why.html", context)


def _between_data(request: HttpRequest) -> QueryDict:
    """The query string with the defaults filled in, so the boxes show the two days compared:
    `to` today, `from` a year before `to` (when `to` is a date)."""
    data: QueryDict = request.GET.copy()
    defaults = {
        "economy": DEFAULT_ECONOMY,
        "to": timezone.localdate().isoformat(),
        "basis": Basis.SIGNED.value,
        "evidence": Evidence.INFERRED.value,
    }
    for key, value in defaults.items():
        if not data.get(key):
            data[key] = value
    if not data.get("from"):
        with contextlib.suppress(ValueError):  # `to` is not a date: the form says so
            data["from"] = a_year_before(dt.date.fromisoformat(str(data.get("to")))).isoformat()
    return data


def why_between(request: HttpRequest) -> HttpResponseBase:
    form = BetweenForm(_between_data(request), economies=True)
    context: dict[str, Any] = {"form": form}
    if not form.is_valid():
        if (twin := exports.twin(request, errors=form.errors)) is not None:
            return twin
        return render(request, "agreements/why_between.html", context, status=400)
    params = form.cleaned_data
    data = why.why_between(
        economy=params["economy"],
        since=params["from"],
        until=params["to"],
        basis=params["basis"],
        evidence=params["evidence"],
    )
    twin = exports.twin(
        request,
        rows=lambda: exports.Rows(
            exports.BETWEEN,
            data.rows,
            params=params,
            name_parts=[params["economy"], params["from"], params["to"]],
        ),
    )
    if twin is not None:
        return twin
    context |= {"data": data, "params": params}
    return render(request, "agreements/why_between.html", context)
