"""The change counter that spares cached pages a database round trip
(`agreements.change_signal`, `versioning.current_version`) never lets a committed change go
unseen: a change made here or signalled by another process is seen by the next request; one that
bypassed the counter, within AEO_VERSION_RECHECK_SECONDS; a rolled-back one moves nothing.

Transactional tests (the counter serves only outside transactions, as requests run)."""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.test import Client

from agreements import change_signal, versioning
from agreements.change_signal import ChangeCounter
from agreements.models import Arrangement, DataVersion
from tests.serving import get, gunicorn, prepare, production_env

CHINA_2021 = "/?economy=CHN&as_of=2021-08-31&basis=signed&evidence=inferred"


@pytest.fixture
def signal_file(settings: Any, tmp_path: Path) -> Path:
    """A counter file of this test's own, and a recheck time longer than any test."""
    settings.AEO_CHANGE_SIGNAL_FILE = str(tmp_path / "data-changed")
    settings.AEO_VERSION_RECHECK_SECONDS = 60
    versioning.forget()
    return tmp_path / "data-changed"


def queries_of(action: Any) -> tuple[Any, int]:
    executed: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        result = action()
    return result, len(executed)


def unsignalled_bump() -> None:
    """A commit that did not come through this machine's `bump()` (another host, say)."""
    DataVersion.objects.filter(pk=versioning.SINGLETON).update(number=DataVersion.objects.get().number + 1)


@pytest.mark.django_db(transaction=True)
def test_while_nothing_changes_the_version_costs_no_query(signal_file: Path) -> None:
    versioning.bump()
    first, queries = queries_of(versioning.current_version)
    assert queries == 1
    again, queries = queries_of(versioning.current_version)
    assert (again, queries) == (first, 0)

    versioning.bump()  # committed at once (no transaction): the counter moves after the UPDATE
    after, queries = queries_of(versioning.current_version)
    assert (int(after), queries) == (int(first) + 1, 1)


@pytest.mark.django_db(transaction=True)
def test_a_change_signalled_by_another_process_is_seen_by_the_next_read(signal_file: Path) -> None:
    versioning.bump()
    before = versioning.current_version()
    unsignalled_bump()
    assert versioning.current_version() == before  # not signalled: not seen yet (see the recheck test)
    subprocess.run(
        [sys.executable, "-c", f"from agreements.change_signal import ChangeCounter as C; C({str(signal_file)!r}).increment()"],
        cwd=django_settings.BASE_DIR,
        check=True,
        timeout=60,
    )  # fmt: skip
    assert int(versioning.current_version()) == int(before) + 1


@pytest.mark.django_db(transaction=True)
def test_an_unsignalled_change_is_seen_within_the_recheck_time(signal_file: Path, settings: Any) -> None:
    settings.AEO_VERSION_RECHECK_SECONDS = 0.2
    versioning.bump()
    before = versioning.current_version()
    unsignalled_bump()
    time.sleep(0.25)
    assert int(versioning.current_version()) == int(before) + 1


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_moves_no_counter(signal_file: Path) -> None:
    versioning.bump()
    counter = change_signal.counter()
    assert counter is not None
    before = counter.read()
    with pytest.raises(RuntimeError), transaction.atomic():
        versioning.bump()
        raise RuntimeError("roll back")
    assert counter.read() == before
    versioning.bump()
    assert counter.read() == before + 1


def test_the_counter_is_shared_through_its_file(tmp_path: Path) -> None:
    one, other = ChangeCounter(tmp_path / "counter"), ChangeCounter(tmp_path / "counter")
    start = one.read()  # a new counter starts at a random value (see the restart test below)
    assert other.read() == start
    one.increment()
    other.increment()
    assert (one.read(), other.read()) == ((start + 2) % 2**64,) * 2


@pytest.mark.usefixtures("committed_reference")
def test_a_cached_page_shows_an_edit_at_once(signal_file: Path, client: Client) -> None:
    """Through the real stack: the page cache and the counting index follow the counter."""
    assert 'data-testid="partner-countries">46<' in client.get(CHINA_2021).text
    assert 'data-testid="partner-countries">46<' in client.get(CHINA_2021).text  # from the cache
    Arrangement.objects.get(key="CHN-SGP-2012").delete()
    assert 'data-testid="partner-countries">45<' in client.get(CHINA_2021).text


# --- under a running server: the file truncated or deleted by hand ---------------------------------


@dataclass
class Served:
    base_url: str
    database: Path
    signal: Path
    log: Path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """gunicorn with two workers on a SQLite database of its own; the version is rechecked only
    hourly, so a change is seen through the counter or not at all."""
    folder = tmp_path_factory.mktemp("signal-server")
    env = production_env(folder, AEO_STATIC_MANIFEST="0", AEO_VERSION_RECHECK_SECONDS="3600")
    prepare(env, ["migrate", "--noinput"], ["load_reference"])
    log = folder / "server.log"
    with gunicorn(env, log, workers=2) as (base_url, _):
        yield Served(base_url, folder / "db.sqlite3", folder / "data-changed", log)


def _versions_served(served: Served, requests: int = 8) -> set[int]:
    """The data versions that `requests` requests of /data/ show (both workers answer some)."""
    seen = set()
    for _ in range(requests):
        reply = get(f"{served.base_url}/data/")
        assert reply.status == 200, reply.body[:500]
        match = re.search(r'data-testid="data-version">(\d+)<', reply.body)
        assert match, reply.body[:500]
        seen.add(int(match[1]))
    return seen


def _commit_elsewhere(served: Served) -> int:
    """A change committed by another process of this machine: the version row, then the counter."""
    with contextlib.closing(sqlite3.connect(served.database)) as db, db:
        db.execute("UPDATE agreements_dataversion SET number = number + 1")
        number = int(db.execute("SELECT number FROM agreements_dataversion").fetchone()[0])
    ChangeCounter(served.signal).increment()
    return number


def test_workers_survive_a_truncated_counter_and_still_see_changes(served: Served) -> None:
    _versions_served(served)
    os.truncate(served.signal, 0)
    for _ in range(8):
        assert get(f"{served.base_url}/?economy=CHN&as_of=2021-08-31").status == 200
    number = _commit_elsewhere(served)
    assert _versions_served(served) == {number}
    log = served.log.read_text()
    assert "SIGBUS" not in log and "Worker exiting" not in log, log


def test_workers_share_the_counter_again_after_its_file_is_deleted(served: Served) -> None:
    _versions_served(served)
    served.signal.unlink()
    for _ in range(8):  # each worker finds the file gone and creates or opens the new one
        assert get(f"{served.base_url}/ping").status == 200
        assert get(f"{served.base_url}/data/").status == 200
    number = _commit_elsewhere(served)
    assert _versions_served(served) == {number}


def test_a_restarted_counter_never_comes_back_to_a_value_seen_before(tmp_path: Path) -> None:
    """A process that last saw the counter at N must not take a truncated or recreated counter
    that was incremented back to N for "nothing changed"."""
    counter = ChangeCounter(tmp_path / "data-changed")
    seen = {counter.read()}
    for _ in range(3):
        counter.increment()
        seen.add(counter.read())
    os.truncate(tmp_path / "data-changed", 0)
    counter.increment()
    assert counter.read() not in seen
    (tmp_path / "data-changed").unlink()
    other = ChangeCounter(tmp_path / "data-changed")  # another process, arriving after the delete
    other.increment()
    assert counter.read() == other.read() not in seen


@pytest.mark.django_db(transaction=True)
def test_a_read_only_request_reads_the_counter_once_and_the_next_sees_the_change(signal_file: Path) -> None:
    versioning.bump()
    counter = change_signal.counter()
    assert counter is not None
    with versioning.steady():
        before = versioning.current_version()
        counter.increment()  # another process committed a change meanwhile
        unsignalled_bump()
        assert versioning.current_version() == before  # one version for the whole page
    with versioning.steady():
        assert int(versioning.current_version()) == int(before) + 1  # the next request sees it


@pytest.mark.django_db(transaction=True)
def test_a_write_inside_a_steady_request_is_seen_by_its_next_read(signal_file: Path) -> None:
    with versioning.steady():
        before = versioning.current_version()
        versioning.bump()
        assert int(versioning.current_version()) == int(before) + 1
