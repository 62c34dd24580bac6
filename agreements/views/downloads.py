"""The full download: a page with the data version and record counts, and the zip itself."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from agreements import dataset, versioning

TABLE_LABELS = {
    "territories.csv": _("Territories (every ISO 3166-1 country and region)"),
    "economies.csv": _("Economies"),
    "economy_members.csv": _("Economy memberships"),
    "blocs.csv": _("Blocs"),
    "bloc_members.csv": _("Bloc memberships"),
    "arrangements.csv": _("Arrangements"),
    "claims.csv": _("Claims (figures of official statements)"),
}


@require_GET
def data_download(request: HttpRequest) -> HttpResponse:
    if request.GET.get("download") == "zip":
        return data_zip(request)
    version, changed_at = versioning.version_info()
    counts = dataset.record_counts()
    return render(
        request,
        "agreements/data_download.html",
        {
            "version": version,
            "changed_at": changed_at,
            "tables": [(name, TABLE_LABELS[name], counts[name]) for name in counts],
            "zip_name": dataset.ZIP_NAME,
        },
    )


@require_GET
def data_zip(request: HttpRequest) -> HttpResponse:
    download = dataset.build_download()
    response = HttpResponse(download.content, content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, dataset.ZIP_NAME) or ""
    response["X-Data-Version"] = download.version
    return response
