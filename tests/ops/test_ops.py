"""Serving: /healthz, the request log line, and 503 rather than 500 while the database is down.

The outage itself, with a real PostgreSQL server stopped and started, is in test_faults.py; here
the database error is simulated, so these run on SQLite too.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.db import InterfaceError, OperationalError
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.http import HttpResponse
from django.test import Client

from agreements import selectors
from ops.middleware import RETRY_AFTER_SECONDS

pytestmark = pytest.mark.django_db


def test_healthz_reports_the_database_ok(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_is_unreachable(client: Client, monkeypatch: Any) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


def test_each_request_logs_one_line_with_method_path_status_and_duration(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="aeo_registry.requests"):
        client.get("/economies/ZZZ/?evil=%0Aforged line")
    lines = [r for r in caplog.records if r.name == "aeo_registry.requests"]
    assert len(lines) == 1
    message = lines[0].getMessage()
    assert message.startswith("GET /economies/ZZZ/ 404 ")
    assert message.endswith("ms")
    assert "forged" not in message  # no query string, so nothing a client types reaches the log


def test_a_path_with_a_newline_cannot_forge_a_log_line(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="aeo_registry.requests"):
        client.get("/economies/A%0AGET%20/admin/%20200/")
    (record,) = [r for r in caplog.records if r.name == "aeo_registry.requests"]
    assert "\n" not in record.getMessage()


@pytest.mark.parametrize("path", ["/economies/%00/", "/arrangements/CHN%00/", "/blocs/RCEP%00x/"])
def test_a_nul_character_in_the_path_is_not_found_rather_than_a_server_error(
    client: Client, path: str
) -> None:
    # On PostgreSQL a lookup with a NUL raised ValueError in psycopg2: a 500 (found by hypothesis).
    assert client.get(path).status_code == 404


@pytest.fixture(params=[OperationalError, InterfaceError])
def database_down(request: pytest.FixtureRequest, monkeypatch: Any) -> None:
    """Every query fails, as it does when the server has gone away."""

    def fail(*args: Any, **kwargs: Any) -> None:
        raise request.param("server closed the connection unexpectedly")

    for wrapper in (CursorWrapper, CursorDebugWrapper):
        monkeypatch.setattr(wrapper, "execute", fail)
        monkeypatch.setattr(wrapper, "executemany", fail)


def test_pages_answer_503_with_a_friendly_page_while_the_database_is_down(
    client: Client, database_down: None
) -> None:
    response = client.get("/?economy=CHN")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert "Temporarily unavailable" in body
    assert "Traceback" not in body and "server closed" not in body
    assert f"Please try again in {RETRY_AFTER_SECONDS} seconds." in body


def test_the_friendly_page_is_in_chinese_under_the_chinese_prefix(
    client: Client, database_down: None
) -> None:
    response = client.get("/zh-hans/?economy=CHN")
    assert response.status_code == 503
    body = response.content.decode()
    assert '<html lang="zh-hans">' in body
    assert "暂时无法访问" in body
    assert f"请在 {RETRY_AFTER_SECONDS} 秒后重试。" in body


def test_the_api_answers_503_in_json_while_the_database_is_down(client: Client, database_down: None) -> None:
    response = client.get("/api/v1/summary?economy=CHN")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.json()["error"] == "service unavailable"


def test_an_outage_raised_outside_a_view_is_a_503_too(client: Client, monkeypatch: Any) -> None:
    """Middleware errors bypass process_exception and reach handler500 (DEBUG is off in tests)."""
    from django.contrib.sessions.middleware import SessionMiddleware

    def broken(self: Any, request: Any, response: Any) -> Any:
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(SessionMiddleware, "process_response", broken)
    client.raise_request_exception = False
    response = client.get("/how-we-count/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)


def test_other_errors_are_still_500(client: Client, monkeypatch: Any) -> None:
    def bug(*args: Any, **kwargs: Any) -> None:
        raise ZeroDivisionError

    monkeypatch.setattr(selectors, "overview", bug)
    client.raise_request_exception = False
    assert client.get("/?economy=CHN").status_code == 500


@pytest.mark.parametrize(
    ("path", "setting"),
    [("/ranking/", "AEO_DB_REQUEST_SECONDS"), ("/admin/agreements/", "AEO_DB_ADMIN_SECONDS")],
)
def test_each_request_gets_its_database_budget(settings: Any, path: str, setting: str) -> None:
    """Pages get AEO_DB_REQUEST_SECONDS of database time; the admin (a large import) more."""
    import time

    from django.test import RequestFactory

    from ops import database
    from ops.middleware import DatabaseUnavailableMiddleware

    settings.AEO_DB_REQUEST_SECONDS, settings.AEO_DB_ADMIN_SECONDS = 7.0, 23.0
    seen: list[float] = []

    def view(request: Any) -> HttpResponse:
        seen.append(database._deadline.get() - time.monotonic())  # type: ignore[operator]
        return HttpResponse("ok")

    DatabaseUnavailableMiddleware(view)(RequestFactory().get(path))
    assert abs(seen[0] - getattr(settings, setting)) < 1
