"""Middleware for serving: one log line per request, Permissions-Policy, database outages."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.encoding import escape_uri_path

from ops import database

request_logger = logging.getLogger("aeo_registry.requests")
fault_logger = logging.getLogger("aeo_registry.faults")

# What a client should wait before trying again while the database is unreachable.
RETRY_AFTER_SECONDS = 30

# The errors a database driver raises when the server is down, restarting or unreachable
# (psycopg2's connection refused and server closed the connection both arrive as OperationalError).
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)

GetResponse = Callable[[HttpRequest], HttpResponse]


class RequestLogMiddleware:
    """One line per request: method, path, status and duration in milliseconds.

    Outermost in MIDDLEWARE, so the status is the one the client gets (a 503 for a database outage,
    a 500 for an error) and the duration covers every other middleware. The path is logged
    percent-encoded and without its query string: a hostile URL cannot forge log lines.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = (time.perf_counter() - started) * 1000
        request_logger.info(
            "%s %s %s %.1fms",
            request.method,
            escape_uri_path(request.path),
            response.status_code,
            duration_ms,
            extra={"status_code": response.status_code, "duration_ms": round(duration_ms, 1)},
        )
        return response


class PermissionsPolicyMiddleware:
    """Sets ``Permissions-Policy`` (settings.PERMISSIONS_POLICY): Django has no setting for it."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(allow)})" for feature, allow in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


class RejectNullCharactersMiddleware:
    """A path with a NUL character (``%00``) is answered 404 before it reaches a view.

    No record's code or key contains one, and PostgreSQL cannot even compare text with a NUL in it:
    psycopg2 raises ValueError, which a detail view's ``get_object_or_404`` would turn into a 500.
    Forms already refuse NUL in query parameters (Django's ProhibitNullCharactersValidator).
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path:
            raise Http404("No page has a NUL character in its address.")
        return self.get_response(request)


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: JSON under /api/, a short HTML page elsewhere.

    The page is rendered without the request, so no context processor touches the session or the
    user (both live in the database that is down).
    """
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "error": "service unavailable",
                "detail": "The database is unreachable. Try again shortly.",
                "retry_after": RETRY_AFTER_SECONDS,
            },
            status=503,
        )
    else:
        response = HttpResponse(
            render_to_string("503.html", {"retry_after": RETRY_AFTER_SECONDS}), status=503
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Turns a database outage raised by a view into a 503 instead of a 500 and a traceback.

    Nothing is kept between requests: Django discards a connection that failed
    (``CONN_HEALTH_CHECKS``, ``close_if_unusable_or_obsolete``), so the first request after the
    database returns is served normally. Errors raised outside views (in another middleware) reach
    ``handler500``, which does the same (``ops.views.server_error``).
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.admin_prefix = "/" + settings.ADMIN_PATH
        if any(db["ENGINE"].endswith("postgresql") for db in settings.DATABASES.values()):
            database.install()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # A hung database costs a request at most this long (ops.database), well inside the
        # worker timeout: the worker answers 503 and is free for the next request. Staff work in
        # the admin (an 80,000-row import) gets a longer budget, still inside that timeout.
        budget = settings.AEO_DB_REQUEST_SECONDS
        if request.path_info.startswith(self.admin_prefix):
            budget = settings.AEO_DB_ADMIN_SECONDS
        with database.deadline(budget):
            return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_UNAVAILABLE):
            fault_logger.warning("database unavailable: %s %s: %s", request.method, request.path, exception)
            return database_unavailable_response(request)
        return None


class MethodNotAllowedPageMiddleware:
    """A bare 405 (Django's `require_GET` answers with an empty body) becomes the site's page,
    its `Allow` header kept; the API's 405s carry their JSON body and pass unchanged."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 405 and not response.content and not request.path_info.startswith("/api/"):
            from ops.views import error_response

            page = error_response(request, 405)
            if response.has_header("Allow"):
                page["Allow"] = response["Allow"]
            return page
        return response
