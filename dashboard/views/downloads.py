"""The full download: a page with the data version and record counts, and the zip itself.

The zip is built once per data version and kept in the cache (building it reads every table:
0.3 s at 100 times the data); both paths to it, `/data/aeo-registry-data.zip` and
`/data/?download=zip`, answer the same bytes with the same headers from that one entry.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from agreements import dataset, versioning
from agreements.tables import TABLES
from ops.caching import cached_by_data_version

TABLE_LABELS = {name: table.label for name, table in TABLES.items()}


@require_GET
def data_download(request: HttpRequest) -> HttpResponseBase:
    if request.GET.get("download") == "zip":
        return data_zip(request)
    return data_page(request)


def _data_page(request: HttpRequest) -> HttpResponse:
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


# The page alone is page-cached: the zip has its own entry, not a second copy under this path.
data_page = cached_by_data_version(_data_page)


def current_download() -> dataset.Download:
    """The full download of the current data version: built on the first request after a change,
    then read from the cache (AEO_PAGE_CACHE_SECONDS; 0 builds it every time)."""
    seconds = settings.AEO_PAGE_CACHE_SECONDS
    if seconds <= 0:
        return dataset.build_download()
    hit: dataset.Download | None = cache.get(f"aeo:download:{versioning.current_version()}")
    if hit is not None:
        return hit
    download = dataset.build_download()
    # Under the version it was built at, which a concurrent edit may have moved on.
    cache.set(f"aeo:download:{download.version}", download, seconds)
    return download


@require_GET
def data_zip(request: HttpRequest) -> HttpResponse:
    download = current_download()
    response = HttpResponse(download.content, content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, dataset.ZIP_NAME) or ""
    response["X-Data-Version"] = download.version
    return response
