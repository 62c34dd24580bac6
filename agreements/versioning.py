"""The data version: a number that changes whenever any registry record changes.

Use it as a cache key: `current_version()` costs one indexed query (a single-row table read by
primary key) and returns a string, `"0"` before anything was ever recorded. The number only grows.

What bumps it:

- every `save()` and `delete()` of a registry model, and every change of an arrangement's parties
  (`post_save`, `post_delete` and `m2m_changed` receivers, connected in `AgreementsConfig.ready`).
  This covers the admin, services and the shell.
- bulk operations that bypass signals bump it once, explicitly: `services.tables_load` (the
  loader's and the import's, when anything was created or updated) and
  `bench.synthetic.add_synthetic`. Code that writes with
  `QuerySet.update()`, `bulk_create()` or raw SQL must call `bump()` itself.

Inside `batched()`, the receivers are silent and `bump()` waits for the end of the outermost
`batched()`, which bumps once if anything asked it to: a bulk writer bumps once instead of once per
row, and a write made of several services (the admin's form saving a claim, or a membership with
its siblings) is one change, however many of them bumped.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from agreements import change_signal
from agreements.models import (
    Arrangement,
    ArrangementParty,
    Bloc,
    BlocMembership,
    Claim,
    DataVersion,
    Economy,
    EconomyMembership,
    Programme,
    ProgrammeCount,
    Source,
    SourceDocument,
    Territory,
)

SINGLETON = 1
_VERSION_SQL = (
    f"SELECT {DataVersion._meta.get_field('number').column} FROM {DataVersion._meta.db_table} "
    f"WHERE {DataVersion._meta.pk.column} = %s"
)

# Every model whose rows are registry data (the tables of the full download).
REGISTRY_MODELS: tuple[type[models.Model], ...] = (
    Territory,
    Economy,
    EconomyMembership,
    Bloc,
    BlocMembership,
    Arrangement,
    ArrangementParty,
    Source,
    Claim,
    SourceDocument,
    Programme,
    ProgrammeCount,
)

_silenced: ContextVar[bool] = ContextVar("aeo_data_version_silenced", default=False)
# Inside `batched()`: whether a `bump()` is waiting for the end of the outermost one.
_pending: ContextVar[list[bool] | None] = ContextVar("aeo_data_version_pending", default=None)


# This process's last database read: (change counter when read, version, monotonic time).
_remembered: tuple[int, str, float] | None = None


# Inside `steady()`: the version this read-only request has seen, once it has asked.
_steady: ContextVar[list[str] | None] = ContextVar("aeo_data_version_steady", default=None)


@contextlib.contextmanager
def steady() -> Iterator[None]:
    """A read-only request: the version is read once and every later `current_version()` in it
    answers the same (a page asked two or three times, each a stat and a read of the change
    counter). A `bump()` inside, or a transaction, asks again."""
    token = _steady.set([])
    try:
        yield
    finally:
        _steady.reset(token)


def current_version() -> str:
    """The current data version, as a string: at most one query.

    While the machine's change counter (`agreements.change_signal`) has not moved since this
    process last read the version, and that read is less than AEO_VERSION_RECHECK_SECONDS old,
    the version is known without asking the database. Inside a transaction the database is
    always asked: the transaction may have bumped the version itself, uncommitted."""
    seen_here = _steady.get()
    # Read once: `connection` looks the connection up (a context-local lookup) on every attribute.
    atomic = connection.in_atomic_block
    if seen_here and not atomic:
        return seen_here[0]
    version = _current_version(atomic)
    if seen_here is not None and not atomic:
        seen_here.append(version)
    return version


def _current_version(atomic: bool) -> str:
    global _remembered
    signal = change_signal.counter()
    if signal is None or atomic:
        return _version_from_database()
    seen = signal.read()  # before the database: a change committed in between is seen next time
    now = time.monotonic()
    remembered = _remembered
    if (
        remembered is not None
        and remembered[0] == seen
        and now - remembered[2] < settings.AEO_VERSION_RECHECK_SECONDS
    ):
        return remembered[1]
    version = _version_from_database()
    _remembered = (seen, version, now)
    return version


def forget() -> None:
    """Ask the database next time (tests that roll back or flush call this between tests)."""
    global _remembered
    _remembered = None


def _version_from_database() -> str:
    """One query, with a plain cursor: it runs on every page served from the cache that the
    change counter cannot answer, where building an ORM query cost more than the query itself."""
    with connection.cursor() as cursor:
        cursor.execute(_VERSION_SQL, [SINGLETON])
        row = cursor.fetchone()
    return str(row[0] if row else 0)


def version_info() -> tuple[str, dt.datetime | None]:
    """The version and when it last changed (None if never). One query."""
    row = DataVersion.objects.filter(pk=SINGLETON).values_list("number", "changed_at").first()
    if row is None:
        return "0", None
    return str(row[0]), row[1]


def bump() -> None:
    """Record that the data changed: increment the version and stamp the time, then, once that is
    committed, move the machine's change counter (never, if the transaction rolls back).

    One UPDATE; the row is created on first use (or after a test flush emptied the table). Inside
    `batched()`, the UPDATE waits for the end of the outermost `batched()`."""
    pending = _pending.get()
    if pending is not None:
        pending[0] = True
        return
    _bump_now()


def _bump_now() -> None:
    seen_here = _steady.get()
    if seen_here:
        seen_here.clear()  # a write in a "steady" request: ask again
    _increment()
    signal = change_signal.counter()
    if signal is not None:
        # After the UPDATE: outside a transaction on_commit runs at once, and a reader that saw
        # the counter move must find the new number.
        transaction.on_commit(signal.increment)


def lock() -> None:
    """Serialise writers on the data-version row until the current transaction ends.

    Call it first in a write transaction, before reading what the write is validated against:
    a second writer then waits here and reads what the first committed (two imports of
    overlapping memberships can no longer both pass). On SQLite, whose write transactions are
    serialised by the database itself (`transaction_mode` IMMEDIATE), the row lock is a no-op."""
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError("versioning.lock() needs a transaction")
    if not list(DataVersion.objects.select_for_update().filter(pk=SINGLETON).values_list("pk")):
        try:
            with transaction.atomic():
                DataVersion.objects.create(pk=SINGLETON, number=0)
        except IntegrityError:  # created concurrently
            pass
        list(DataVersion.objects.select_for_update().filter(pk=SINGLETON).values_list("pk"))


def _increment() -> None:
    now = timezone.now()
    if DataVersion.objects.filter(pk=SINGLETON).update(number=F("number") + 1, changed_at=now):
        return
    try:
        with transaction.atomic():
            DataVersion.objects.create(pk=SINGLETON, number=1, changed_at=now)
    except IntegrityError:  # created concurrently: increment that row instead
        DataVersion.objects.filter(pk=SINGLETON).update(number=F("number") + 1, changed_at=now)


@contextlib.contextmanager
def batched() -> Iterator[None]:
    """One change of the data: silence the per-row receivers, and bump once at the end if anything
    inside called `bump()` (the caller, when it knows something changed, or a service it called).

    Nested, only the outermost bumps. Open it inside the write's transaction, so that the bump is
    part of it; an exception leaves without bumping (the transaction rolls the writes back)."""
    if _pending.get() is not None:
        yield
        return
    pending = [False]
    silenced, waiting = _silenced.set(True), _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(waiting)
        _silenced.reset(silenced)
    if pending[0]:
        _bump_now()


def _changed(sender: Any, **kwargs: Any) -> None:
    if kwargs.get("raw") or _silenced.get():
        return
    if kwargs.get("action", "post_").startswith("pre_"):
        return
    bump()


def connect() -> None:
    """Connect the receivers; called once from `AgreementsConfig.ready`."""
    for model in REGISTRY_MODELS:
        label = model._meta.label_lower
        post_save.connect(_changed, sender=model, dispatch_uid=f"data-version-save-{label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"data-version-delete-{label}")
    m2m_changed.connect(_changed, sender=Arrangement.parties.through, dispatch_uid="data-version-parties")
