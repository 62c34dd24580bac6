"""The cheapest answer the stack can give: the baseline of the throughput benchmark."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def ping(request: HttpRequest) -> HttpResponse:
    """Liveness without the database (see /healthz for the database)."""
    return HttpResponse("ok", content_type="text/plain")
