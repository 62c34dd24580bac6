"""`/preview.png`: the link preview image of a view (issue 15, item 4), in the URL's language.

With `economy` (and the dashboard's `as_of`, `basis`, `evidence`), that economy's figures on the
day; without, the registry as a whole. Cached like the pages, per parameters and data version."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from agreements import selectors
from agreements.choices import Basis
from agreements.forms import SummaryForm
from agreements.models import Arrangement, Economy
from agreements.versioning import current_version
from dashboard import preview
from dashboard.views.dashboard import _with_defaults


def preview_image(request: HttpRequest) -> HttpResponse:
    version = current_version()
    if not request.GET.get("economy"):
        png = preview.site_card(
            arrangements=Arrangement.objects.count(),
            economies=Economy.objects.count(),
            day=timezone.localdate(),
            version=version,
        )
        return HttpResponse(png, content_type="image/png")
    form = SummaryForm(_with_defaults(request))
    if not form.is_valid():
        errors = "; ".join(
            f"{name}: {' '.join(str(m) for m in messages)}" for name, messages in form.errors.items()
        )
        return HttpResponse(f"{errors}\n", status=400, content_type="text/plain; charset=utf-8")
    params = form.cleaned_data
    summary = selectors.summary_for(
        economy=params["economy"], day=params["as_of"], basis=params["basis"], evidence=params["evidence"]
    )
    names = selectors.economy_names()
    png = preview.economy_card(
        economy_name=names.get(summary.economy, summary.economy),
        code=summary.economy,
        day=summary.as_of,
        basis_label=str(Basis(summary.basis).label).lower(),
        countries=summary.partner_countries,
        economies=summary.partner_economies,
        rank_by_countries=summary.rank_by_countries,
        rank_by_economies=summary.rank_by_economies,
        version=version,
    )
    return HttpResponse(png, content_type="image/png")
