"""Views for operations: the health check and the server error page."""

from __future__ import annotations

import sys

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from ops import database
from ops.middleware import DATABASE_UNAVAILABLE, database_unavailable_response


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 when the database answers a query, 503 when it does not."""
    try:
        # A shorter bound than pages have: a load balancer's probe must answer within a second
        # even while the database hangs (ops.database).
        with database.deadline(settings.AEO_HEALTHZ_DB_SECONDS), connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


StrOrPromise = str | Promise

# Error pages: the site's own page, in the language of the URL, with a way back; under /api/ the
# JSON body the API answers with. Django's defaults are bare English ("Not Found").
ERRORS: dict[int, tuple[StrOrPromise, StrOrPromise]] = {
    400: (_("Bad request"), _("The address or its parameters could not be understood.")),
    403: (_("Forbidden"), _("You are not allowed to do this here.")),
    404: (
        _("Page not found"),
        _("There is no page at this address. It may have moved, or the link is mistyped."),
    ),
    405: (_("Method not allowed"), _("This address does not answer that kind of request.")),
    500: (
        _("Server error"),
        _("Something went wrong on our side. It has been logged; please try again later."),
    ),
}


def error_response(request: HttpRequest | None, status: int) -> HttpResponse:
    title, message = ERRORS[status]
    if request is not None and request.path_info.startswith("/api/"):
        return JsonResponse({"error": str(title).lower(), "detail": str(message)}, status=status)
    context = {"title": title, "message": message}
    # The 500 page is drawn without the request: nothing that failed may be needed to draw it.
    body = render_to_string("error.html", context, request=request if status != 500 else None)
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return error_response(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database outage raised outside a view is still a 503, not a 500."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_UNAVAILABLE):
        return database_unavailable_response(request)
    return error_response(request, 500)
