"""The REST API (Django REST framework) under /api/v1/: arrangements, economies, territories, blocs
and claim records, listed through the same FilterSets as the pages (agreements.filtersets).

Reading is open to everyone. Writing needs a staff account with the model's add/change/delete
permission, authenticated by a token (`Authorization: Token <key>`, see `manage.py drf_create_token`)
or by the admin's session (with its CSRF token); writes validate as the admin does
(api.serializers). The counting endpoints (`/api/v1/summary`, `/api/v1/ranking`,
`/api/v1/claims`, `/api/v1/quality`) are DRF views too (api.views): drf-spectacular describes
the whole API in one schema from the views and their serializers.

Every viewset derives from `RecordViewSet`, which holds what they share beyond settings.REST_FRAMEWORK:
a delete that other records still refer to (a PROTECT or RESTRICT foreign key) answers 409 naming
them, and the schema documents that answer and the 400 of a bad filter or page number.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.db.models import F, Model, ProtectedError, QuerySet, RestrictedError
from django.http import HttpRequest, HttpResponseBase
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import status, viewsets
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from agreements import filtersets, versioning
from agreements.models import Arrangement, Bloc, Claim, Economy, Territory
from api import serializers

# At most this many referring records are listed per model: the count says how many there are.
REFERRERS_LISTED = 20


def referenced_by(objects: Iterable[Model]) -> list[dict[str, Any]]:
    """The records that keep another from being deleted, grouped by model: label, count, names."""
    by_model: dict[str, list[str]] = defaultdict(list)
    for obj in objects:
        by_model[obj._meta.label_lower].append(str(obj))
    return [
        {"model": label, "count": len(names), "records": sorted(names)[:REFERRERS_LISTED]}
        for label, names in sorted(by_model.items())
    ]


def record_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus 409 for a delete that a PROTECT or RESTRICT foreign key forbids.

    Django raises those errors while collecting what to delete, before any row is touched.
    """
    if isinstance(exc, ProtectedError | RestrictedError):
        objects = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
        view = context.get("view")
        model = view.get_queryset().model if view is not None else None
        # The model's English name, whatever language the request negotiated: the API's is English.
        name = model._meta.model_name if model is not None else "record"
        set_rollback()
        return Response(
            {
                "detail": f"This {name} cannot be deleted: other records still refer to it. "
                "Change or delete them first.",
                "referenced_by": referenced_by(objects),
            },
            status=status.HTTP_409_CONFLICT,
        )
    return exception_handler(exc, context)


_PARAMETER_ERRORS = {
    "type": "object",
    "description": "Each bad parameter (a filter, `page`) with its messages.",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}
_REFERENCED = {
    "type": "object",
    "required": ["detail", "referenced_by"],
    "properties": {
        "detail": {"type": "string"},
        "referenced_by": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["model", "count", "records"],
                "properties": {
                    "model": {"type": "string", "description": "app_label.model of the referring records"},
                    "count": {"type": "integer"},
                    "records": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
}


class RecordSchema(AutoSchema):
    """The schema of a RecordViewSet operation: its own answers plus the shared error answers."""

    def get_response_serializers(self) -> Any:
        serializer = super().get_response_serializers()
        if self.method == "DELETE":
            return {
                204: OpenApiResponse(description="Deleted; no response body."),
                409: OpenApiResponse(_REFERENCED, "Other records still refer to this one."),
            }
        if self.method == "GET" and getattr(self.view, "action", None) == "list":
            return {200: serializer, 400: OpenApiResponse(_PARAMETER_ERRORS, "A bad filter or page number.")}
        return serializer


# What every REST viewset shares (see the module docstring). A comment, not a docstring: the
# schema takes a viewset's docstring, inherited ones included, as its operations' description.
class RecordViewSet(viewsets.ModelViewSet):
    schema = RecordSchema()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method in SAFE_METHODS:
            return super().dispatch(request, *args, **kwargs)
        # A write is validated and saved in one transaction that holds the data-version lock
        # (taken in `initial`, once the writer is known to be allowed): it is checked against
        # what concurrent writers committed, as the admin's saves and the imports are.
        with transaction.atomic():
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if request.method not in SAFE_METHODS:
            versioning.lock()

    def get_exception_handler(self) -> Callable[[Exception, dict[str, Any]], Response | None]:
        return record_exception_handler


class ArrangementViewSet(RecordViewSet):
    """Arrangements with their parties and sources; `party`, `territory`, `status`, `evidence`,
    `signed_after`, `signed_before`, `in_force_on`, `q` and `ordering` as on /arrangements/."""

    serializer_class = serializers.ArrangementSerializer
    filterset_class = filtersets.ArrangementFilterSet
    lookup_field = "key"
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet[Arrangement]:
        return Arrangement.objects.prefetch_related("parties", "sources", "party_links__economy").order_by(
            F("signed_date").asc(nulls_last=True), "key"
        )


class EconomyViewSet(RecordViewSet):
    serializer_class = serializers.EconomySerializer
    filterset_class = filtersets.EconomyFilterSet
    queryset = Economy.objects.order_by("code")
    lookup_value_regex = "[^/]+"


class TerritoryViewSet(RecordViewSet):
    serializer_class = serializers.TerritorySerializer
    filterset_class = filtersets.TerritoryFilterSet
    queryset = Territory.objects.order_by("iso3")
    lookup_value_regex = "[^/]+"


class BlocViewSet(RecordViewSet):
    serializer_class = serializers.BlocSerializer
    filterset_class = filtersets.BlocFilterSet
    queryset = Bloc.objects.order_by("code")
    lookup_value_regex = "[^/]+"


class ClaimViewSet(RecordViewSet):
    """Claim records as stored. The claims ledger, with the registry's own figures beside each
    claim, is `GET /api/v1/claims`."""

    serializer_class = serializers.ClaimSerializer
    filterset_class = filtersets.ClaimFilterSet
    queryset = Claim.objects.select_related("economy").order_by("-as_of", "key", "basis", "metric", "pk")
