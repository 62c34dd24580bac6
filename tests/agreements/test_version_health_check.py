"""On a connection kept from an earlier request, the data-version read is also the connection's
health check (`versioning.current_version`): a page served from the cache costs one round trip,
not Django's `SELECT 1` and then the read, and a broken connection is still replaced.

Transactional tests: the shortcut applies outside transactions only, as requests run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connections

from agreements import versioning


def wrapper() -> Any:
    """The connection wrapper itself (monkeypatch cannot restore through the proxy), looked up
    when used: other tests may have replaced it. Any: health_check_* are not in django-stubs."""
    return connections[DEFAULT_DB_ALIAS]


@pytest.fixture
def kept_connection(monkeypatch: pytest.MonkeyPatch, settings: Any) -> Iterator[list[str]]:
    """The connection as the next request finds it, health checks on; the list records every
    separate health check (`is_usable`) made on it. The change counter is off: these tests are
    about the database read that it otherwise spares."""
    settings.AEO_CHANGE_SIGNAL_FILE = ""
    versioning.bump()
    connection = wrapper()
    checks: list[str] = []
    usable = connection.is_usable

    def is_usable() -> bool:
        checks.append("is_usable")
        return usable()

    monkeypatch.setattr(connection, "is_usable", is_usable)
    monkeypatch.setattr(connection, "health_check_enabled", True)
    connection.close_if_unusable_or_obsolete()  # what Django does when a request starts
    assert not connection.health_check_done
    yield checks


@pytest.mark.django_db(transaction=True)
def test_the_version_read_is_the_health_check(kept_connection: list[str]) -> None:
    connection = wrapper()
    queries: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        assert int(versioning.current_version()) >= 1
        assert int(versioning.current_version()) >= 1
    assert kept_connection == []
    assert len(queries) == 2
    assert connection.health_check_done


@pytest.mark.skipif(wrapper().vendor != "postgresql", reason="ends a PostgreSQL server process")
@pytest.mark.django_db(transaction=True)
def test_a_connection_broken_between_requests_is_replaced(kept_connection: list[str]) -> None:
    """The server ends the kept connection's backend (as a database restart does)."""
    connection = wrapper()
    import psycopg2

    broken_pid = connection.connection.info.backend_pid
    other = psycopg2.connect(**connection.get_connection_params())
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [broken_pid])
    finally:
        other.close()
    version = versioning.current_version()
    assert version.isdigit()
    assert connection.connection.info.backend_pid != broken_pid
    assert kept_connection == []
