"""The data-quality page: weak records counted and listed, each list downloadable on its own."""

from __future__ import annotations

import dataclasses

from django import forms
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements import quality
from agreements.choices import DatePrecision, Evidence
from dashboard import exports


class QualityForm(forms.Form):
    """`list` picks the list a CSV or JSON download holds; the page shows them all."""

    list = forms.ChoiceField(
        required=False, choices=[(name, item.title) for name, item in quality.LISTS.items()], label=_("List")
    )


def _spec(name: str) -> exports.Spec:
    """A list's export: the arrangement list's columns (or the claims ledger's), under its own name."""
    columns = exports.CLAIMS if name == quality.CLAIMS_DIFFER else exports.ARRANGEMENTS
    return dataclasses.replace(columns, view=f"quality-{name.replace('_', '-')}")


def _download(name: str) -> exports.Rows:
    """The rows of one list's download (the page lists them all, a few rows each)."""
    spec, today = _spec(name), timezone.localdate()
    if name == quality.CLAIMS_DIFFER:
        params = {"list": name, "evidence": Evidence.INFERRED.value}
        return exports.Rows(spec, quality.claims_differ(), params=params, name_parts=[today])
    rows = quality.arrangements(name)
    return exports.Rows(
        spec, exports.arrangement_rows(rows), params={"list": name}, name_parts=[today], count=rows.count
    )


def data_quality(request: HttpRequest) -> HttpResponseBase:
    form = QualityForm(request.GET)
    valid = form.is_valid()
    name = form.cleaned_data.get("list") if valid else None
    # A download is of one list: without one, only the page has something to show.
    errors = form.errors if not valid else None if name else {"list": [_("Choose a list to download.")]}
    twin = exports.twin(request, errors=errors, rows=lambda: _download(str(name)))
    if twin is not None:
        return twin
    report = quality.report()
    return render(
        request,
        "agreements/data_quality.html",
        {
            "form": form,
            "report": report,
            "counts": report.counts,
            "evidence_levels": [
                (value, label, report.counts.by_evidence[value]) for value, label in Evidence.choices
            ],
            "precisions": [
                (
                    label,
                    report.counts.by_precision["signed"][value],
                    report.counts.by_precision["effective"][value],
                )
                for value, label in [*DatePrecision.choices, (quality.NO_DATE, _("No date"))]
            ],
            "page_rows": quality.PAGE_ROWS,
        },
        status=200 if valid else 400,
    )
