"""The change history of every registry record: what changed, when, and (for staff) who.

Every registry model has `history = HistoricalRecords()` (django-simple-history): each `save()`
and `delete()`, from the admin, a service, an import or the API, writes one row to the model's
historical table with the time, the type (created, changed, deleted), the signed-in user (taken
from the request by `HistoryRequestMiddleware`), a reason and a copy of every field. The history
tables are not registry data: writing them never bumps the data version (`agreements.versioning`
listens to the registry models only), while the edit that wrote them does.

Bulk writers that bypass `save()` must record history themselves. `load_reference` does, through
`BulkHistory`: one INSERT per model at the end of the load instead of one per row, which keeps the
load of the whole reference dataset about as fast as without history. `bench.synthetic`
(benchmark data, never served as the registry's own) deliberately records none.

Which fields changed is not stored: it is computed here by comparing each version with the one
before it, so a page reads every version of the records it shows (a handful per record).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.paginator import Page
from django.db import connection, models
from django.db.models import Q, Value
from django.urls import reverse
from django.utils import timezone

from agreements.corrections import report_number
from agreements.models import (
    Arrangement,
    ArrangementParty,
    Bloc,
    BlocMembership,
    Claim,
    Economy,
    EconomyMembership,
    Programme,
    ProgrammeCount,
    Source,
    Territory,
)
from agreements.paging import PAGE_SIZE, page_of

# The models whose history is recorded, in a fixed order: the index is stored in the union query
# of `recent_changes` to tell the rows of one historical table from another's.
TRACKED: tuple[type[models.Model], ...] = (
    Territory,
    Economy,
    EconomyMembership,
    Bloc,
    BlocMembership,
    Arrangement,
    ArrangementParty,
    Source,
    Claim,
    Programme,
    ProgrammeCount,
)

KINDS = {"+": "created", "~": "changed", "-": "deleted"}
VALUE_LIMIT = 300  # characters of an old or new value shown on a page
RECORD_PAGE_LIMIT = 50  # changes shown on a record's page, newest first


# --- writing ----------------------------------------------------------------------------------


@dataclass
class BulkHistory:
    """History rows for a bulk writer, inserted in one statement per model and kind by `flush()`.

    `deferred(instance)` wraps a `save()` whose per-row history is skipped; `add()` then records
    the saved instance (a created one, or an update) to be written at the end."""

    reason: str
    pending: dict[tuple[type[models.Model], bool], list[models.Model]] = field(
        default_factory=lambda: defaultdict(list)
    )

    @staticmethod
    @contextlib.contextmanager
    def deferred(instance: models.Model) -> Iterator[None]:
        instance.skip_history_when_saving = True  # type: ignore[attr-defined]  # read by simple_history
        try:
            yield
        finally:
            del instance.skip_history_when_saving  # type: ignore[attr-defined]

    def add(self, instances: Iterable[models.Model], *, created: bool) -> None:
        for instance in instances:
            if instance.pk is None:
                raise ValueError(f"{instance!r} has no primary key: save it before recording its history")
            self.pending[(type(instance), created)].append(instance)

    def flush(self) -> None:
        for (model, created), instances in self.pending.items():
            if connection.vendor == "postgresql":
                _copy_into_history(model, instances, created=created, reason=self.reason)
            else:
                model.history.bulk_history_create(  # type: ignore[attr-defined]
                    instances, update=not created, default_change_reason=self.reason, batch_size=500
                )
        self.pending.clear()


def _copy_into_history(
    model: type[models.Model], instances: list[models.Model], *, created: bool, reason: str
) -> None:
    """What `bulk_history_create` writes, as one INSERT ... SELECT from the saved rows.

    simple-history builds a historical instance per row in Python, which cost an 80,000-row import
    more time than everything else it did; the database copies the same columns itself. The
    rows are read as saved, in this transaction, which is what the history records."""
    from agreements.reference import array_literal  # reference imports this module

    historical: Any = model.history.model  # type: ignore[attr-defined]
    pk = model._meta.pk
    columns = [str(field.column) for field in historical.tracked_fields]
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    user = historical.get_default_history_user(instances[0])
    sql = (
        f"INSERT INTO {connection.ops.quote_name(historical._meta.db_table)} "
        f"({quoted}, history_date, history_change_reason, history_type, history_user_id) "
        f"SELECT {quoted}, %s, %s, %s, %s FROM {connection.ops.quote_name(model._meta.db_table)} "
        f"WHERE {connection.ops.quote_name(str(pk.column))} = ANY(%s::{pk.rel_db_type(connection)}[])"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                timezone.now(),
                reason,
                "+" if created else "~",
                user.pk if user is not None else None,
                array_literal(instance.pk for instance in instances),
            ],
        )


# --- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldChange:
    name: str
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class Change:
    """One version of one record: what it was, what it became, when, by whom and why."""

    id: str  # unique across models, for anchors and feed ids: "<model>-<history id>"
    at: dt.datetime
    kind: str  # "created", "changed" or "deleted"
    model: str  # the model's verbose name
    record: str  # which record, without a query: a code, a key, "CHN in EUU"...
    url: str | None  # the page that shows the record (None when it has none, or is gone)
    user: str  # username, "" when no one was signed in (imports, the shell); staff-only
    reason: str
    fields: tuple[FieldChange, ...]
    correction: int | None = None  # the correction report this change accepted (its reason names it)


def _show(model_field: models.Field[Any, Any], value: Any) -> str:
    if value is None or value == "":
        return ""
    if model_field.choices:
        value = dict(model_field.flatchoices).get(value, value)
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return text if len(text) <= VALUE_LIMIT else text[: VALUE_LIMIT - 1] + "…"


def _field_changes(
    tracked: Sequence[models.Field[Any, Any]],
    row: Any,
    before: Any | None,
    labels: dict[models.Field[Any, Any], str] | None = None,
) -> tuple[FieldChange, ...]:
    """The fields that differ between `before` and `row`; `labels` keeps each field's translated
    verbose name across the rows of one list (a page lists fifty changes)."""
    labels = {} if labels is None else labels
    changes = []
    for model_field in tracked:
        name = model_field.attname
        if row.history_type == "-":
            old, new = _show(model_field, getattr(row, name)), ""
        else:
            old = _show(model_field, getattr(before, name)) if before is not None else ""
            new = _show(model_field, getattr(row, name))
        if old != new:
            if model_field not in labels:
                labels[model_field] = str(model_field.verbose_name)
            changes.append(FieldChange(labels[model_field], old, new))
    return tuple(changes)


@dataclass(frozen=True, slots=True)
class _Existing:
    """Which records behind some historical rows still exist: links only go to pages that do."""

    arrangement_keys: dict[int, str]
    codes: dict[type[models.Model], set[str]]
    urls: dict[tuple[type[models.Model], str], str] = field(default_factory=dict)  # once per page

    @classmethod
    def of(cls, rows: Sequence[tuple[type[models.Model], Any]]) -> _Existing:
        arrangement_ids = {
            row.id if model is Arrangement else row.arrangement_id
            for model, row in rows
            if model in (Arrangement, ArrangementParty, Source)
        }
        keys = (
            dict(Arrangement.objects.filter(pk__in=arrangement_ids).values_list("pk", "key"))
            if arrangement_ids
            else {}
        )
        groups = {
            Territory: {row.iso3 for model, row in rows if model is Territory},
            Economy: {
                row.code
                if model is Economy
                else row.programme_id
                if model is ProgrammeCount
                else row.economy_id
                for model, row in rows
                if model in (Economy, EconomyMembership, Programme, ProgrammeCount)
            },
            Bloc: {
                row.code if model is Bloc else row.bloc_id
                for model, row in rows
                if model in (Bloc, BlocMembership)
            },
        }
        codes: dict[type[models.Model], set[str]] = {
            model: set(model._default_manager.filter(pk__in=wanted).values_list("pk", flat=True))
            if wanted
            else set()
            for model, wanted in groups.items()
        }
        return cls(keys, codes)

    def url(self, model: type[Economy | Territory | Bloc], code: str) -> str | None:
        return self._page(model, code) if code in self.codes[model] else None

    def arrangement_url(self, pk: int) -> str | None:
        key = self.arrangement_keys.get(pk)
        return self._page(Arrangement, key) if key else None

    def _page(self, model: type[Arrangement | Economy | Territory | Bloc], code: str) -> str:
        """The record's `get_absolute_url`, once per page and record: a group's page lists hundreds
        of its memberships' changes, most of them linking to the same few pages."""
        if (model, code) not in self.urls:
            record = Arrangement(key=code) if model is Arrangement else model(pk=code)
            self.urls[model, code] = record.get_absolute_url()
        return self.urls[model, code]


def _record(model: type[models.Model], row: Any, existing: _Existing) -> tuple[str, str | None]:
    """A label for the record of a historical row, and the URL of the page that shows it."""
    if model is Territory:
        return row.iso3, existing.url(Territory, row.iso3)
    if model is Economy:
        return row.code, existing.url(Economy, row.code)
    if model is Bloc:
        return row.code, existing.url(Bloc, row.code)
    if model is EconomyMembership:
        return f"{row.territory_id} in {row.economy_id}", existing.url(Economy, row.economy_id)
    if model is BlocMembership:
        return f"{row.territory_id} in {row.bloc_id}", existing.url(Bloc, row.bloc_id)
    if model is Arrangement:
        return row.key, existing.arrangement_url(row.id)
    if model in (ArrangementParty, Source):
        owner = existing.arrangement_keys.get(row.arrangement_id, f"arrangement #{row.arrangement_id}")
        what = row.economy_id if model is ArrangementParty else f"source {row.position + 1}"
        return f"{what} of {owner}", existing.arrangement_url(row.arrangement_id)
    if model is Claim:
        return f"{row.key} {row.basis} {row.metric}", reverse("claim-list")
    if model is Programme:
        return f"AEO programme of {row.economy_id}", existing.url(Economy, row.economy_id)
    if model is ProgrammeCount:
        return (
            f"certified operators of {row.programme_id} on {row.as_of_date.isoformat()}",
            existing.url(Economy, row.programme_id),
        )
    return str(row.pk), None


def _change_order(model: type[models.Model], row: Any) -> tuple[Any, str]:
    """Where a version's change stands in a list of changes (`Change.at`, `Change.id`)."""
    return row.history_date, f"{model._meta.model_name}-{row.history_id}"


def _changes(
    versions: dict[type[models.Model], list[Any]],
    wanted: set[tuple[int, int]] | None,
    limit: int | None = None,
) -> list[Change]:
    """The changes of the given versions, each compared with its record's previous version,
    newest first.

    `versions` holds, per model, every version of its records up to the newest wanted one (in any
    order); `wanted` restricts the result to these (model index, history id) pairs, and `limit`
    to the newest changes: only those are worked out (a group's page at a hundred times the data
    has hundreds of membership versions and shows fifty)."""
    selected: list[tuple[type[models.Model], Any, Any | None]] = []
    for model, rows in versions.items():
        index = TRACKED.index(model)
        pk_name = model._meta.pk.attname
        previous: dict[Any, Any] = {}
        for row in sorted(rows, key=lambda r: (r.history_date, r.history_id)):
            key = getattr(row, pk_name)
            if wanted is None or (index, row.history_id) in wanted:
                selected.append((model, row, previous.get(key)))
            previous[key] = row
    if limit is not None:
        selected.sort(key=lambda item: _change_order(item[0], item[1]), reverse=True)
        del selected[limit:]
    existing = _Existing.of([(model, row) for model, row, _ in selected])
    tracked_fields = {model: _historical(model).tracked_fields for model in versions}
    model_names = {model: str(model._meta.verbose_name) for model in versions}
    labels: dict[models.Field[Any, Any], str] = {}
    changes = []
    for model, row, before in selected:
        label, url = _record(model, row, existing)
        tracked = tracked_fields[model]
        changes.append(
            Change(
                id=f"{model._meta.model_name}-{row.history_id}",
                at=row.history_date,
                kind=KINDS[row.history_type],
                model=model_names[model],
                record=label,
                url=url,
                user=row.history_user.get_username() if row.history_user_id else "",
                reason=row.history_change_reason or "",
                fields=_field_changes(tracked, row, before, labels),
                correction=report_number(row.history_change_reason),
            )
        )
    changes.sort(key=lambda change: (change.at, change.id), reverse=True)
    return changes


def _historical(model: type[models.Model]) -> Any:
    """The historical model of a tracked model. Read through `model.history`, simple_history
    builds a new manager class each time (inspecting every queryset method): four of them cost a
    record's page about a millisecond."""
    if model not in _HISTORICAL:
        _HISTORICAL[model] = model.history.model  # type: ignore[attr-defined]
    return _HISTORICAL[model]


_HISTORICAL: dict[type[models.Model], Any] = {}


class _Version:
    """One historical row's values as attributes (each field's `attname`, `pk` the history id as
    on the historical model) and its user, read without building the historical model's instance
    and its user's: a group's page reads every version of its memberships (hundreds), of which it
    shows fifty."""

    def __init__(self, values: dict[str, Any], username: str | None) -> None:
        self.__dict__.update(values)
        self.pk = values["history_id"]
        self.history_user = None if values["history_user_id"] is None else _VersionUser(username or "")


@dataclass(frozen=True, slots=True)
class _VersionUser:
    username: str

    def get_username(self) -> str:
        return self.username


def _versions(model: type[models.Model], condition: Q) -> list[Any]:
    """Every version of the records matching `condition` (`model.history`'s rows, through the
    historical model's own manager, ordered as its Meta says, newest first), as `_Version`s."""
    historical = _historical(model)
    names = [f.attname for f in historical._meta.concrete_fields]
    username = f"history_user__{get_user_model().USERNAME_FIELD}"
    rows = historical._default_manager.filter(condition).values_list(*names, username)
    return [_Version(dict(zip(names, row, strict=False)), row[-1]) for row in rows]


def record_history(record: models.Model, *, limit: int = RECORD_PAGE_LIMIT) -> list[Change]:
    """The changes of a record shown on its page, with those of the rows edited along with it
    (an arrangement's parties and sources, a group's memberships), newest first."""
    pk = record.pk
    related: list[tuple[type[models.Model], Q]]
    if isinstance(record, Arrangement):
        related = [
            (Arrangement, Q(id=pk)),
            (ArrangementParty, Q(arrangement_id=pk)),
            (Source, Q(arrangement_id=pk)),
        ]
    elif isinstance(record, Economy):
        related = [
            (Economy, Q(code=pk)),
            (EconomyMembership, Q(economy_id=pk)),
            (Programme, Q(economy_id=pk)),
            (ProgrammeCount, Q(programme_id=pk)),
        ]
    elif isinstance(record, Bloc):
        related = [(Bloc, Q(code=pk)), (BlocMembership, Q(bloc_id=pk))]
    elif isinstance(record, Territory):
        related = [
            (Territory, Q(iso3=pk)),
            (EconomyMembership, Q(territory_id=pk)),
            (BlocMembership, Q(territory_id=pk)),
        ]
    else:
        related = [(type(record), Q(pk=pk))]
    versions = {model: _versions(model, condition) for model, condition in related}
    return _changes(versions, None, limit)


def recent_changes(number: str | int | None, *, per_page: int = PAGE_SIZE) -> tuple[Page[Any], list[Change]]:
    """A page of every recorded change, newest first, and the changes on it.

    One union query lists the page's rows; then, per model on the page, one query reads the
    versions needed to tell what changed."""
    parts = [
        model.history.order_by()  # type: ignore[attr-defined]
        .annotate(model_index=Value(index))
        .values_list("history_date", "history_id", "model_index")
        for index, model in enumerate(TRACKED)
    ]
    union = parts[0].union(*parts[1:], all=True).order_by("-history_date", "-history_id")
    page = page_of(union, number, per_page)
    wanted = {(index, history_id) for _, history_id, index in page.object_list}
    versions: dict[type[models.Model], list[Any]] = {}
    for index in sorted({index for index, _ in wanted}):
        model = TRACKED[index]
        history = model.history
        ids = [history_id for i, history_id in wanted if i == index]
        pk_name = model._meta.pk.attname
        records = history.filter(history_id__in=ids).values_list(pk_name, flat=True)
        newest = max(date for date, history_id, i in page.object_list if i == index)
        versions[model] = _versions(model, Q(**{f"{pk_name}__in": records}, history_date__lte=newest))
    return page, _changes(versions, wanted)
