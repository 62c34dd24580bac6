"""Whole-response caching keyed by the data version.

A cached page is served only while the data version it was rendered under is current: any change
to any record bumps the version (see `agreements.versioning`), so no page can show a figure from
before an edit. The key also holds the language, today's date (pages default `as_of` to today),
the full query string and whether the visitor is staff. Only complete 200 responses to GET are
kept; streamed downloads and error pages never are.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone
from django.utils.translation import get_language

from agreements.versioning import current_version

View = Callable[..., HttpResponseBase]
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Content-Language")


def page_key(request: HttpRequest, version: str) -> str:
    query = "&".join(f"{k}={v}" for k, values in sorted(request.GET.lists()) for v in values)
    audience = _audience(request)
    parts = [version, get_language() or "", timezone.localdate().isoformat(), request.path, query, audience]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"aeo:page:{version}:{digest}"


def _audience(request: HttpRequest) -> str:
    """Staff see more than visitors (who made each change, on record pages): a page of their own.

    Users are authenticated by session only: without a session cookie the visitor is anonymous,
    known without loading the user (most requests to a public dashboard)."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return ""
    return "staff" if getattr(getattr(request, "user", None), "is_staff", False) else ""


def cached_by_data_version(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        seconds = settings.AEO_PAGE_CACHE_SECONDS
        if request.method not in ("GET", "HEAD") or seconds <= 0:
            return view(request, *args, **kwargs)
        key = page_key(request, current_version())
        hit = cache.get(key)
        if hit is not None:
            status, headers, content = hit
            cached = HttpResponse(content, status=status)
            for name, value in headers.items():
                cached[name] = value
            return cached
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and isinstance(response, HttpResponse) and not response.cookies:
            headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
            cache.set(key, (response.status_code, headers, response.content), seconds)
        return response

    return wrapper
