"""Database faults: a real PostgreSQL server, owned by this test, is stopped and started again.

The production stack (gunicorn, DJANGO_DEBUG=0, collected static files) serves from a PostgreSQL
cluster that the test creates with ``initdb`` in a temporary folder on a free port. While the
server is down, pages answer 503 with a friendly page, the API JSON, both with ``Retry-After``,
never a traceback; when it is back, service resumes without restarting the application.

PostgreSQL refuses to run as root: when the suite runs as root (as CI does), the cluster is run as
the ``postgres`` user (``runuser``), and its folder belongs to that user.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.serving import Reply, free_port, get, gunicorn, prepare, production_env


def postgres_bin() -> Path:
    """The newest installed PostgreSQL's programs (Debian keeps them out of the PATH)."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name)
    )
    if candidates:
        return candidates[-1].parent
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl:
        return Path(pg_ctl).parent
    pytest.fail("PostgreSQL's initdb and pg_ctl are needed: apt-get install postgresql (.ci/run does)")


class OwnedPostgres:
    """A throwaway PostgreSQL cluster in ``folder``, listening on 127.0.0.1:``port`` only."""

    def __init__(self, folder: Path) -> None:
        self.bin = postgres_bin()
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            user = pwd.getpwnam("postgres")
            os.chown(folder, user.pw_uid, user.pw_gid)

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = list(args)
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=True, timeout=120)

    def initdb(self) -> None:
        self.run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
            "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -F"
        self.run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "server.log"),
            "-o", options, "-w", "-t", "60", "start",
        )  # fmt: skip

    def stop(self) -> None:
        """Stop at once, as a crash or a lost network would: no goodbye to connected clients."""
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def running(self) -> bool:
        result = subprocess.run(
            [str(self.bin / "pg_ctl"), "-D", str(self.data), "status"], capture_output=True, check=False
        )
        return result.returncode == 0

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"


@dataclass
class Stack:
    postgres: OwnedPostgres
    base_url: str
    server: subprocess.Popen[str]
    server_log: Path


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    folder = Path(tempfile.mkdtemp(prefix="aeo-faults-"))
    app_dir = Path(tempfile.mkdtemp(prefix="aeo-faults-app-"))
    postgres = OwnedPostgres(folder)
    try:
        postgres.initdb()
        postgres.start()
        import psycopg2

        with contextlib.closing(psycopg2.connect(postgres.url("postgres"))) as connection:
            connection.autocommit = True
            connection.cursor().execute("CREATE DATABASE aeo_faults")

        env = production_env(app_dir, DATABASE_URL=postgres.url("aeo_faults"), AEO_DB_REQUEST_SECONDS="2")
        prepare(env, ["migrate", "--noinput"], ["load_reference"], ["collectstatic", "--noinput"])
        server_log = app_dir / "server.log"
        with gunicorn(env, server_log, probe="/healthz") as (base_url, server):
            yield Stack(postgres, base_url, server, server_log)
    finally:
        if postgres.running():
            with contextlib.suppress(subprocess.CalledProcessError):
                postgres.stop()
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(app_dir, ignore_errors=True)


def wait_for(url: str, status: int, timeout: float = 30) -> Reply:
    deadline = time.monotonic() + timeout
    while True:
        reply = get(url)
        if reply.status == status or time.monotonic() > deadline:
            return reply
        time.sleep(0.2)


def test_an_unreachable_database_gives_503_with_retry_after_and_service_resumes(stack: Stack) -> None:
    site = stack.base_url
    home = get(f"{site}/?economy=CHN&as_of=2021-08-31")
    assert home.status == 200
    assert get(f"{site}/api/v1/summary?economy=CHN&as_of=2021-08-31").json()["partner_countries"] == 46  # type: ignore[index]
    assert get(f"{site}/healthz").json() == {"status": "ok", "database": "ok"}

    stack.postgres.stop()

    # A page not cached yet is computed like a cached one is served: from the data version the
    # worker knows, for up to AEO_VERSION_RECHECK_SECONDS (1 s) after its last read; then 503.
    for path in ("/?economy=CHN", "/economies/CHN/", "/ranking/", "/arrangements/"):
        page = wait_for(f"{site}{path}", 503, timeout=10)
        assert page.status == 503, (path, page.status, page.body[:500])
        assert page.headers["Retry-After"] == "30"
        assert page.headers["Content-Type"].startswith("text/html")
        assert "Temporarily unavailable" in page.body
        assert "Traceback" not in page.body and "OperationalError" not in page.body
        assert "Content-Security-Policy" in page.headers

    # That summary was served from the page cache before the outage: it may still be, for up to
    # AEO_VERSION_RECHECK_SECONDS (1 s), while its data version needs no confirming; then 503.
    api = wait_for(f"{site}/api/v1/summary?economy=CHN&as_of=2021-08-31", 503, timeout=10)
    assert api.status == 503
    assert api.headers["Retry-After"] == "30"
    assert api.headers["Content-Type"] == "application/json"
    assert api.json() == {
        "error": "service unavailable",
        "detail": "The database is unreachable. Try again shortly.",
        "retry_after": 30,
    }
    health = get(f"{site}/healthz")
    assert (health.status, health.json()) == (503, {"status": "unavailable", "database": "unreachable"})
    # Static files do not need the database.
    assert get(f"{site}/static/css/site.css").status == 200

    stack.postgres.start()

    assert wait_for(f"{site}/healthz", 200).status == 200
    again = get(f"{site}/?economy=CHN&as_of=2021-08-31")
    assert again.status == 200
    assert 'data-testid="partner-countries"' in again.body
    assert get(f"{site}/api/v1/summary?economy=CHN&as_of=2021-08-31").status == 200

    log = stack.server_log.read_text()
    assert "Traceback" not in log, log
    assert "GET /api/v1/summary 503" in log  # the request log line


def cluster_processes(postgres: OwnedPostgres) -> list[int]:
    """The postmaster and every process it started (backends, checkpointer, ...)."""
    postmaster = int((postgres.data / "postmaster.pid").read_text().split()[0])
    children = []
    for status in Path("/proc").glob("[0-9]*/status"):
        with contextlib.suppress(OSError):
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
            if int(fields.get("PPid", "0").strip()) == postmaster:
                children.append(int(status.parent.name))
    return [postmaster, *children]


def timed_get(url: str) -> tuple[Reply, float]:
    started = time.monotonic()
    reply = get(url, timeout=30)
    return reply, time.monotonic() - started


def test_a_hung_database_gives_503_within_the_request_budget_and_ping_stays_instant(stack: Stack) -> None:
    """SIGSTOP, not a stop: the server's kernel still accepts connections and queries, and nothing
    ever answers, so only the application's own deadline (ops.database) can end the wait."""
    site = stack.base_url
    assert get(f"{site}/healthz").status == 200
    processes = cluster_processes(stack.postgres)
    for pid in processes:
        os.kill(pid, signal.SIGSTOP)
    try:
        ping, seconds = timed_get(f"{site}/ping")
        assert (ping.status, seconds < 1) == (200, True), seconds
        health, seconds = timed_get(f"{site}/healthz")
        assert (health.status, seconds < 1.5) == (503, True), seconds
        assert health.json() == {"status": "unavailable", "database": "unreachable"}
        # An uncached page and an uncached API call: 503 within the request budget (the stack
        # sets AEO_DB_REQUEST_SECONDS=2), never a worker killed for its timeout. Once the version
        # a worker knows is older than AEO_VERSION_RECHECK_SECONDS (1 s), as it is by now for
        # both workers, a miss reads it again, as a hit does.
        time.sleep(1.1)
        for path in ("/ranking/?as_of=2019-03-03", "/api/v1/summary?economy=KOR&as_of=2018-02-02"):
            reply, seconds = timed_get(f"{site}{path}")
            assert reply.status == 503, (path, reply.status, reply.body[:300])
            assert reply.headers["Retry-After"] == "30"
            assert seconds < 4, (path, seconds)
        ping, seconds = timed_get(f"{site}/ping")
        assert (ping.status, seconds < 1) == (200, True), seconds
    finally:
        for pid in processes:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
    assert wait_for(f"{site}/healthz", 200).status == 200
    assert get(f"{site}/ranking/?as_of=2019-03-03").status == 200
    log = stack.server_log.read_text()
    assert "WORKER TIMEOUT" not in log and "Traceback" not in log, log
