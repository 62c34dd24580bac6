"""schemathesis against the OpenAPI schema, in process through the WSGI app: no 5xx and no
response that breaks the schema, for every operation (reads, and writes refused without a token).

The number of examples per operation is bounded so that the whole run takes well under a minute.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from aeo_registry.wsgi import application

pytestmark = pytest.mark.django_db

# Reads are where the logic is; a write without a token is refused before its body is read.
EXAMPLES = {"GET": 12}
EXAMPLES_OTHERWISE = 3


@pytest.fixture
def keep_the_test_connection() -> Iterator[None]:
    """The raw WSGI app closes the database connection after each request (`close_old_connections`
    on request_started/finished), which would end the test's transaction; Django's test Client
    disconnects it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.usefixtures("keep_the_test_connection")
def test_no_operation_answers_5xx_or_breaks_its_schema() -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
    tested = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operation = result.ok()

        @settings(
            max_examples=EXAMPLES.get(operation.method.upper(), EXAMPLES_OTHERWISE),
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case: schemathesis.Case) -> None:
            # The WSGI transport does not decode gzip (an HTTP client would): ask for plain bytes.
            response = case.call(headers={"Host": "localhost", "Accept-Encoding": "identity"})
            case.validate_response(
                response, checks=[not_a_server_error, response_schema_conformance, content_type_conformance]
            )

        check()
        tested.append(operation.label)
    assert len(tested) >= 30, tested


METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "TRACE")


def test_every_method_the_schema_does_not_list_answers_405_with_allow(client: Client) -> None:
    """For everyone, signed in or not, and whatever the CSRF middleware thinks of a POST."""
    strict = Client(HTTP_HOST="localhost", enforce_csrf_checks=True)
    paths = client.get("/api/v1/schema/", {"format": "json"}).json()["paths"]
    checked = 0
    for template, operations in paths.items():
        path = template
        if "{" in template:  # a record's URL: fill in the first record of the list
            name = template.rsplit("{", 1)[1].split("}")[0]
            first = client.get(template.split("{")[0]).json()["results"][0]
            path = template.replace(f"{{{name}}}", str(first[name]))
        for method in set(METHODS) - {name.upper() for name in operations}:
            response = strict.generic(method, path, b"{}", content_type="application/json")
            assert response.status_code == 405, (method, path, response.status_code)
            allowed = {name.strip() for name in response["Allow"].split(",")}
            assert allowed == {name.upper() for name in operations} | {"HEAD", "OPTIONS"}, (method, path)
            assert response["Content-Type"] == "application/json"
            assert response.json()
            checked += 1
    assert checked >= 20


def _api_routes() -> set[str]:
    """Every route of the URLconf under /api/v1/, `{}` for a record's key."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found = set()

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and route.startswith("api/v1/") and "<format>" not in route:
                found.add(route)

    walk(get_resolver().url_patterns, "")
    routes = set()
    for route in found:
        route = re.sub(r"\(\?P<\w+>[^)]*\)", "{}", route)  # the router's regular expressions
        route = re.sub(r"<(?:\w+:)?\w+>", "{}", route)  # path converters
        routes.add("/" + route.replace("^", "").replace("$", ""))
    return routes


def test_the_schema_describes_every_endpoint_under_api_v1(client: Client) -> None:
    """One schema for the whole API: every route but the schema and its docs page is a path of it."""
    paths = client.get("/api/v1/schema/", {"format": "json"}).json()["paths"]
    paths = {re.sub(r"\{\w+\}", "{}", path) for path in paths}  # a record's key, by any name
    routes = _api_routes() - {"/api/v1/schema/", "/api/v1/docs/"}
    assert {"/api/v1/summary", "/api/v1/ranking", "/api/v1/claims", "/api/v1/quality"} <= routes
    assert routes == paths


@pytest.mark.parametrize(
    ("path", "form"), [("/api/v1/summary", "SummaryForm"), ("/api/v1/ranking", "RankingForm")]
)
def test_a_counting_endpoints_parameters_are_its_forms_fields(client: Client, path: str, form: str) -> None:
    from agreements import forms

    form_class = getattr(forms, form)
    operation = client.get("/api/v1/schema/", {"format": "json"}).json()["paths"][path]["get"]
    described = {p["name"]: p for p in operation["parameters"]}
    assert set(described) == set(form_class.base_fields)
    for name, field in form_class.base_fields.items():
        assert described[name].get("required", False) == field.required, name
        choices = [value for value, _ in getattr(field, "choices", []) if value]
        assert sorted(described[name]["schema"].get("enum", [])) == sorted(choices), name
    assert set(operation["responses"]) == {"200", "400"}
