"""The counting endpoints of the JSON API v1: summary, ranking, the claims ledger and the quality
figures, as DRF views beside the record endpoints of api.viewsets, in the one schema.

Their answers are the stable contract that other tools call (README, "The JSON API"): the keys
and value formats of `api.serializers` (SummarySerializer and the rest), and the 400 body
of a bad parameter, which names each one. The parameters are the pages' own forms
(`agreements.forms`): the page, its twins, the API and the page cache read one declaration, and
the schema's parameters are derived from it (`form_parameters`).

Only GET, HEAD and OPTIONS are answered; any other method is a 405 with a JSON body. Nothing
here answers 500 on input.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agreements import quality as data_quality
from agreements import selectors
from agreements.forms import QueryForm, RankingForm, SummaryForm, error_body
from api import serializers

ALLOWED_METHODS = ("GET", "HEAD", "OPTIONS")
# One renderer per class: a JSON renderer keeps no state between answers.
_RENDERERS: dict[type[BaseRenderer], BaseRenderer] = {}


class ContractJSONRenderer(JSONRenderer):
    """UTF-8 JSON with `", "` and `": "` between items, the bytes these endpoints have always
    answered (DRF's default is compact)."""

    compact = False


class AlwaysJSON(BaseContentNegotiation):
    """JSON whatever the Accept header or a `format` parameter ask: one representation, no 406."""

    def select_parser(self, request: Request, parsers: Any) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Request, renderers: Any, format_suffix: str | None = None) -> Any:
        renderer = renderers[0]
        return renderer, renderer.media_type


# What the schema says of each form field, beyond its type and choices.
DESCRIPTIONS = {
    "economy": "Economy code, e.g. CHN.",
    "as_of": "The day counted (YYYY-MM-DD); default today.",
    "basis": "Count from signature or entry into force.",
    "evidence": "The weakest evidence counted (each level includes those above it).",
    "by": "Rank by.",
}


def form_parameters(form_class: type[forms.Form]) -> list[OpenApiParameter]:
    """The query parameters of an endpoint, derived from the form that validates them."""
    parameters = []
    for name, field in form_class.base_fields.items():
        kind: Any = OpenApiTypes.DATE if isinstance(field, forms.DateField) else OpenApiTypes.STR
        choices = getattr(field, "choices", None)
        parameters.append(
            OpenApiParameter(
                name,
                kind,
                OpenApiParameter.QUERY,
                required=field.required,
                description=DESCRIPTIONS.get(name, str(field.label or "")),
                enum=[value for value, _ in choices if value] if choices else None,
            )
        )
    return parameters


BAD_PARAMETER = OpenApiResponse(serializers.ParameterErrorSerializer, "A bad parameter; the body names each.")


def counting_schema(**described: Any) -> Any:
    """Document a counting view's GET: its form's parameters, its serializer, and a 400 when it
    has parameters to get wrong; `described` names and describes the operation."""

    def document(view: type[CountingView]) -> type[CountingView]:
        form = view.form_class
        responses: dict[int, Any] = {200: view.serializer_class}
        if form is not None:
            responses[400] = BAD_PARAMETER
        parameters = form_parameters(form) if form is not None else None
        operation = extend_schema(tags=["counts"], parameters=parameters, responses=responses, **described)
        return cast("type[CountingView]", extend_schema_view(get=operation)(view))

    return document


def counted_on(params: dict[str, Any]) -> dict[str, Any]:
    """The day, basis and evidence of a count, from the form's cleaned parameters."""
    return {"day": params["as_of"], "basis": params["basis"], "evidence": params["evidence"]}


@dataclass(frozen=True, slots=True)
class ParameterErrors:
    """The 400's body of a query with bad parameters (`agreements.forms.error_body`)."""

    body: dict[str, Any]


# A comment, not a docstring: the schema would take it as every operation's description.
# What the counting endpoints share: the parameters' form (its 400 body), the answer counted and
# then serialized, no authentication (nothing to write), one representation, rendered in the view
# so that the page cache (ops.caching) can store its bytes, and the documented 405 body
# and empty OPTIONS answer.
class CountingView(APIView):
    form_class: type[forms.Form] | None = None
    serializer_class: type[serializers.OutputSerializer]
    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    renderer_classes: list[type[BaseRenderer]] = [ContractJSONRenderer]
    content_negotiation_class = AlwaysJSON

    def count(self, params: dict[str, Any]) -> Any:
        raise NotImplementedError

    def answer(self, query: Any) -> tuple[Any, int]:
        """The body and status for a query string: the count, or the 400 naming each bad parameter."""
        params = self.params(query)
        if isinstance(params, ParameterErrors):
            return params.body, 400
        return self.serializer_class.represent(self.count(params)), 200

    def params(self, query: Any) -> dict[str, Any] | ParameterErrors:
        """The cleaned parameters of a query string, or the 400's body naming each bad one."""
        if self.form_class is None:
            return {}
        form = self.form_class(query)
        if not form.is_valid():
            return ParameterErrors(error_body(form))
        return form.cleaned_data

    def rendered(self, params: dict[str, Any], renderer: BaseRenderer) -> bytes:
        """The answer's bytes for valid parameters: the count, represented and rendered."""
        return cast("bytes", renderer.render(self.serializer_class.represent(self.count(params))))

    def get(self, request: Request) -> Response:
        body, status = self.answer(request.GET)
        return Response(body, status=status)

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        """GET and HEAD answered without DRF's request wrapper, negotiation and response
        machinery, which cost the summary more than counting it (issue 16): there is one
        representation, no authentication and nothing to parse, so the answer is the renderer's
        bytes of the same body. Every other method goes through DRF (405, OPTIONS)."""
        if request.method not in ("GET", "HEAD"):
            return super().dispatch(request, *args, **kwargs)
        self.args, self.kwargs, self.request = args, kwargs, request
        renderer = _RENDERERS.get(self.renderer_classes[0])
        if renderer is None:
            renderer = _RENDERERS[self.renderer_classes[0]] = self.renderer_classes[0]()
        params: dict[str, Any] | ParameterErrors | None = None
        if self.form_class is not None and issubclass(self.form_class, QueryForm):
            params = self.form_class.cleaned(request.META.get("QUERY_STRING", ""))  # no form to bind
        if params is None:
            params = self.params(request.GET)
        if isinstance(params, ParameterErrors):
            return HttpResponse(renderer.render(params.body), status=400, content_type=renderer.media_type)
        return HttpResponse(self.rendered(params, renderer), content_type=renderer.media_type)

    @property
    def default_response_headers(self) -> dict[str, str]:
        return {}  # `Allow` on the answers that are about methods only, as before

    def http_method_not_allowed(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = {"error": "method not allowed", "method": request.method, "allowed": list(ALLOWED_METHODS)}
        return Response(body, status=405, headers={"Allow": ", ".join(ALLOWED_METHODS)})

    def options(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        # As Django's View.options: no body (DRF's would describe the view).
        return HttpResponse(headers={"Content-Length": "0", "Allow": ", ".join(ALLOWED_METHODS)})

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        return response.render() if isinstance(response, Response) else response


@counting_schema(operation_id="summary", summary="One economy's partners on one day")
class SummaryView(CountingView):
    form_class = SummaryForm
    serializer_class = serializers.SummarySerializer

    def count(self, params: dict[str, Any]) -> Any:
        return selectors.summary_for(economy=params["economy"], **counted_on(params))

    def rendered(self, params: dict[str, Any], renderer: BaseRenderer) -> bytes:
        """The bytes of the answer, kept by what its figures depend on: the economy's own figures
        change only on its own days and the blocs' (`FactIndex.partner_interval`), its two ranks
        with any economy's; so the answer of another day with the same of both is the kept one
        with its `as_of` written in, not a count, a representation and a rendering (most of the
        summary's miss, issue 16). tests/api/test_lean_answers.py compares the two."""
        index = selectors.fact_index()
        economy, day, basis, evidence = (
            params["economy"],
            params["as_of"],
            params["basis"],
            params["evidence"],
        )

        def body() -> bytes:
            summary = index.summary(economy, day, basis, evidence)
            return cast("bytes", renderer.render(self.serializer_class.represent(summary)))

        own = index.partner_interval(economy, day)
        ranks = index.ranks(economy, day, basis, evidence)
        parts = index.kept(
            ("summary answer", economy, basis, evidence, own, ranks),
            lambda: _around_day(body(), day),
        )
        if isinstance(parts, bytes):  # the day could not be told apart in it: not shared
            return body()
        return day.isoformat().encode().join(parts)


def _around_day(body: bytes, day: dt.date) -> tuple[bytes, bytes] | bytes:
    """The bytes before and after the answer's `as_of` value, or the body itself if that value
    is not found exactly once (then the answer is not shared with other days)."""
    marker = b'"as_of": "' + day.isoformat().encode() + b'"'
    if body.count(marker) != 1 or body.count(day.isoformat().encode()) != 1:
        return body
    before, after = body.split(marker)
    return before + b'"as_of": "', b'"' + after


@counting_schema(operation_id="ranking", summary="Every economy ranked by partner countries or economies")
class RankingView(CountingView):
    form_class = RankingForm
    serializer_class = serializers.RankingSerializer

    def count(self, params: dict[str, Any]) -> Any:
        return {**params, "results": selectors.ranking_on(by=params["by"], **counted_on(params))}


@counting_schema(
    operation_id="claims_ledger", summary="The claims ledger: official figures beside the registry's"
)
class ClaimsLedgerView(CountingView):
    serializer_class = serializers.LedgerSerializer

    def count(self, params: dict[str, Any]) -> Any:
        rows = selectors.claims_ledger()
        matches = sum(row.match for row in rows)
        return {"count": len(rows), "matches": matches, "differences": len(rows) - matches, "results": rows}


@counting_schema(
    operation_id="data_quality",
    summary="The data-quality figures: evidence, date precision and the weak-record lists",
    description="The figures of /data/quality/; each list is downloadable there "
    "(`?format=csv|json&list=<name>`).",
)
class QualityView(CountingView):
    serializer_class = serializers.QualitySerializer

    def count(self, params: dict[str, Any]) -> Any:
        return data_quality.counts()


summary = SummaryView.as_view()
ranking = RankingView.as_view()
claims = ClaimsLedgerView.as_view()
quality = QualityView.as_view()
