"""HTML pages. Views are thin: validate parameters, call a selector, render."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from agreements import selectors
from agreements.forms import SummaryForm


def home(request: HttpRequest) -> HttpResponse:
    data = request.GET.copy()
    data.setdefault("economy", "CHN")
    form = SummaryForm(data)
    summary = None
    if form.is_valid():
        params = form.cleaned_data
        summary = selectors.summary_for(
            economy=params["economy"],
            day=params["as_of"],
            basis=params["basis"],
            evidence=params["evidence"],
        )
    return render(
        request,
        "agreements/home.html",
        {"form": form, "summary": summary},
        status=200 if summary else 400,
    )
