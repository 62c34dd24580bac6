"""A request never waits on PostgreSQL for longer than its budget, even when the server hangs.

A hung server (frozen, swapped out, behind a dead network path that still accepts packets) is
worse than a stopped one: its kernel accepts connections and acknowledges queries, so libpq's
``connect_timeout`` is the only bound libpq has, a server-side ``statement_timeout`` never fires,
and TCP keepalives see a healthy peer. Without a bound of its own, each worker waits until
gunicorn kills it, and then even ``/ping`` finds no free worker.

So psycopg2 waits through `wait` (``psycopg2.extensions.set_wait_callback``): every wait for the
server, connecting included, polls the socket with ``select`` until the current request's
deadline. Past it, the connection is closed (Django then discards it, and the next request
connects afresh) and ``DatabaseTimeout``, an ``OperationalError``, is raised: the middleware
answers 503 as for any outage. The deadline is per request, not per query, so a retry on a new
connection (the kept connection's health check) cannot double it. Outside a request (management
commands, streamed downloads after their view returned) there is no deadline.
"""

from __future__ import annotations

import contextlib
import select
import time
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

import psycopg2
import psycopg2.extensions
import psycopg2.extras

# The monotonic time after which the current request stops waiting for the database, or None.
_deadline: ContextVar[float | None] = ContextVar("aeo_database_deadline", default=None)


class DatabaseTimeout(psycopg2.OperationalError):
    """The database did not answer before the request's deadline."""


def install() -> None:
    """Route every psycopg2 wait through `wait` (idempotent; one callback per process)."""
    if psycopg2.extensions.get_wait_callback() is not wait:
        psycopg2.extensions.set_wait_callback(wait)


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Bound the database waits inside the block to `seconds` in all, or to the enclosing
    deadline if that comes sooner. `seconds` <= 0: no bound of its own."""
    now = time.monotonic()
    outer = _deadline.get()
    mine = now + seconds if seconds > 0 else None
    chosen = min((d for d in (outer, mine) if d is not None), default=None)
    token = _deadline.set(chosen)
    try:
        yield
    finally:
        _deadline.reset(token)


def wait(conn: Any) -> None:
    """psycopg2's wait callback: `psycopg2.extras.wait_select`, bounded by the deadline."""
    until = _deadline.get()
    if until is None:
        psycopg2.extras.wait_select(conn)
        return
    while True:
        state = conn.poll()
        if state == psycopg2.extensions.POLL_OK:
            return
        remaining = until - time.monotonic()
        if remaining <= 0:
            _abandon(conn)
        if state == psycopg2.extensions.POLL_READ:
            ready = select.select([conn.fileno()], [], [], remaining)[0]
        elif state == psycopg2.extensions.POLL_WRITE:
            ready = select.select([], [conn.fileno()], [], remaining)[1]
        else:  # pragma: no cover - psycopg2 documents no other state
            raise psycopg2.OperationalError(f"bad state from poll: {state}")
        if not ready:
            _abandon(conn)


def _abandon(conn: Any) -> None:
    # No cancel request: it would open a new connection to the same hung server and wait on it.
    # psycopg2 closes a connection whose wait callback raised (closing it here would deadlock on
    # the connection's own lock); Django's usability check then fails at once and discards it.
    raise DatabaseTimeout("the database did not answer in time")
