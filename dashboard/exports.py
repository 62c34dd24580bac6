"""CSV and JSON twins of every list page: column specs shared by both, and streaming writers.

A list view binds its FilterSet or form exactly as for the page and fetches its rows once, then
`twin()` picks the format (Datasette's pattern): the page, or the same rows as CSV, JSON or Excel
with one of the specs below, or the 400 of a bad `format` or bad parameters. The CSV and the JSON
have the same columns in the same order, and list every row the page lists (all of them, not one
page).

- Codes come with a `_name` column beside them; dates are ISO 8601; several values in one cell
  (parties, blocs, sources) are joined with `;` (codes) or ` ; ` (names, sources), as in the
  reference data.
- CSV: UTF-8 without a byte-order mark (with `bom=1`, "CSV for Excel", with one: Excel reads a
  CSV without it in the machine's legacy code page and garbles Chinese names), a header row, CRLF
  line ends (RFC 4180), streamed in chunks from a queryset iterator so memory stays flat at any
  size. Text cells that a spreadsheet would run as a formula are prefixed with `'`
  (`agreements.spreadsheet`).
- The arrangements CSV, the one that grows large (the full registry with synthetic data: a
  million rows), has its own fast path, `ArrangementRows.csv_text`, which `csv_lines` takes
  whenever a view hands it those rows: it writes its cells a chunk at a time, column by column,
  and on PostgreSQL reads each arrangement with its parties and sources aggregated beside it in
  one streamed query (`_joined_sql`) instead of three queries a chunk. It exists for speed alone:
  at a million rows it is about 30 % faster than the ORM path (issue 12's figure), which keeps the
  million-row download within issue 6's 10 s (`make bench`, `csv_1m_seconds`; docs/performance.md).
  tests/dashboard/test_export_stream.py pins its bytes to the generic writer's.
- JSON: `{"view", "parameters", "count", "rows"}`, always in that order; each row has the CSV's
  columns as keys, with numbers as numbers, booleans as booleans and empty values as null.
- Excel (`format=xlsx`, `dashboard.workbook`): the same columns, dates as dates and numbers as
  numbers, and a second sheet with the view's parameters, the data version, the licence and where
  the sources are. Written with openpyxl's write-only mode, so memory stays flat.
- File names carry the language when it is not English: `partners-CHN-2021-08-31.zh-hans.csv`.
- Bad parameters answer 400 like the page: the JSON error body of the API, or a text/plain message
  naming each bad parameter for CSV. An unknown `format` answers 400.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
import queue
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

import psycopg2.extensions
from django.db import connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import get_language

from agreements import names, story, tables
from agreements.choices import Basis, EconomyKind, Evidence, Status, TerritoryKind
from agreements.models import Arrangement, ArrangementParty, Economy, Source
from agreements.reference import PARTY_SEPARATOR, SOURCE_SEPARATOR
from agreements.spreadsheet import neutralise

HTML = "html"
CSV = "csv"
JSON = "json"
XLSX = "xlsx"
CSV_FOR_EXCEL = "csv+bom"  # format=csv&bom=1: the CSV with a UTF-8 byte-order mark
FORMATS = (CSV, JSON, XLSX)
FORMAT_PARAMETER = "format"  # the query parameter that picks the twin
BOM_PARAMETER = "bom"  # bom=1 with format=csv: "CSV for Excel"
UTF8_BOM = "\ufeff".encode()
CHUNK_ROWS = 500  # rows per streamed chunk and per database fetch (with its prefetches)
NAME_SEPARATOR = " ; "


@dataclass(frozen=True, slots=True)
class ExportColumn:
    name: str
    value: Callable[[Any], object]


@dataclass(frozen=True, slots=True)
class Spec:
    """A list's export: the view name (first word of the file name) and its columns."""

    view: str
    columns: tuple[ExportColumn, ...]

    @property
    def header(self) -> list[str]:
        return [column.name for column in self.columns]

    def values(self, row: Any) -> list[object]:
        return [column.value(row) for column in self.columns]


def _label(choices: Any) -> Callable[[str], str]:
    """A choice's label in the active language; each label is translated once per language.
    `choices`: a choices class, or a field's (value, label) pairs."""
    labels = dict(getattr(choices, "choices", choices))
    translated: dict[tuple[str | None, str], str] = {}

    def label(value: str) -> str:
        if not value:
            return ""
        key = (get_language(), value)
        if key not in translated:
            translated[key] = str(labels.get(value, value))
        return translated[key]

    return label


_status, _evidence, _basis = _label(Status), _label(Evidence), _label(Basis)
_economy_kind, _territory_kind = _label(EconomyKind), _label(TerritoryKind)


def _codes(items: Iterable[Any], attribute: str) -> str:
    return PARTY_SEPARATOR.join(getattr(item, attribute) for item in items)


def _names(items: Iterable[Any]) -> str:
    """Economies' names in the request's language (`_name` columns follow it; codes do not)."""
    return NAME_SEPARATOR.join(map(names.local_name, items))


# The specs of the seven lists.


@dataclass(frozen=True, slots=True)
class ArrangementRow:
    """An arrangement as the export reads it: plain values, no model instance."""

    key: str
    title: str
    signed_date: dt.date | None
    signed_precision: str
    effective_date: dt.date | None
    effective_precision: str
    ended_date: dt.date | None
    status: str
    evidence: str
    notes: str
    parties: tuple[tuple[str, str, str], ...]  # (code, name, name_zh), by code
    sources: tuple[str, ...]


# The arrangement's own columns, read as plain values (parties and sources are read beside them).
ARRANGEMENT_FIELDS = tables.ARRANGEMENTS.fields()


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, Field) and field.column
    return connection.ops.quote_name(field.column)


# Parties and sources of one chunk of arrangements, in their export order. Plain SQL: preparing
# thousands of ids one by one for `__in` cost more than running the queries.
PARTIES_SQL = (
    f"SELECT p.arrangement_id, p.economy_id, e.name, e.name_zh FROM {_table(ArrangementParty)} p "
    f"JOIN {_table(Economy)} e ON e.code = p.economy_id "
    "WHERE p.arrangement_id IN ({ids}) ORDER BY p.arrangement_id, p.economy_id"
)
SOURCES_SQL = (
    f"SELECT arrangement_id, url, citation FROM {_table(Source)} "
    "WHERE arrangement_id IN ({ids}) ORDER BY arrangement_id, position, id"
)


def _fetch(db: BaseDatabaseWrapper, sql: str, ids: list[int]) -> list[tuple[Any, ...]]:
    # The ids are integers from the database itself, inlined as literals.
    with db.cursor() as cursor:
        cursor.execute(sql.format(ids=",".join(str(int(i)) for i in ids)))
        return cursor.fetchall()


# On PostgreSQL the CSV reads everything in one query: each arrangement with its parties' codes
# and its sources' texts aggregated beside it, streamed through a server-side cursor. Looking up
# a chunk's parties and sources by id costs more there (an index probe per arrangement) than
# aggregating both tables in one ordered pass; a filtered export aggregates only the exported
# arrangements (`IN`), so a narrow filter stays a few index lookups. Order within a cell: party
# codes are sorted in Python, once per distinct set; the sources by (position, id), in Python too,
# for the arrangements that have more than one (`_ordered_sources`). An aggregate's own ORDER BY
# sorts every group, one source or many: a fifth of the query's time at a million rows (and a
# presorted subquery's order is only what PostgreSQL usually does, not what it promises). The two
# aggregates of one group read its rows in the same order, so the i-th text has the i-th place.
PARTY_KEY_SEPARATOR = "\x1f"  # between the codes of a party key (codes are three letters)
TEXT_SEPARATOR = "\x1e"  # between the source texts of one arrangement, in no particular order
_JOINS = (
    " LEFT JOIN (SELECT {p_arrangement} AS arrangement_id, string_agg({p_economy}, %s) AS codes "
    "FROM {party}{p_exported} GROUP BY {p_arrangement}) AS export_parties "
    "ON export_parties.arrangement_id = {pk}"
    " LEFT JOIN (SELECT {s_arrangement} AS arrangement_id, string_agg("
    "CASE WHEN {s_url} = '' THEN {s_citation} ELSE {s_url} END, %s) AS texts, "
    "CASE WHEN count(*) > 1 THEN string_agg({s_position}::text || ',' || {s_id}::text, ',') END AS places "
    "FROM {source}{s_exported} GROUP BY {s_arrangement}) AS export_sources "
    "ON export_sources.arrangement_id = {pk}"
)


def _joined_sql(queryset: QuerySet[Any]) -> tuple[str, tuple[Any, ...]]:
    """The queryset's own SELECT (its filters and order), with the two aggregates joined in."""
    sql, params = queryset.values_list("pk", *ARRANGEMENT_FIELDS).query.sql_with_params()
    table = _table(Arrangement)
    select, found, rest = sql.partition(f" FROM {table}")
    if not found or "%s" in select:  # the first FROM is the main one: the SELECT list is plain fields
        raise ValueError(f"unexpected SQL for the arrangements export: {sql[:200]}")
    party, source = _column(ArrangementParty, "arrangement"), _column(Source, "arrangement")
    exported = {"p_exported": "", "s_exported": ""}
    ids_params: tuple[Any, ...] = ()
    if queryset.query.where:
        ids_sql, ids_params = queryset.order_by().values("pk").query.sql_with_params()
        exported = {
            "p_exported": f" WHERE {party} IN ({ids_sql})",
            "s_exported": f" WHERE {source} IN ({ids_sql})",
        }
    joins = _JOINS.format(
        party=_table(ArrangementParty),
        p_arrangement=party,
        p_economy=_column(ArrangementParty, "economy"),
        source=_table(Source),
        s_arrangement=source,
        s_url=_column(Source, "url"),
        s_citation=_column(Source, "citation"),
        s_position=_column(Source, "position"),
        s_id=_column(Source, "id"),
        pk=f"{table}.{_column(Arrangement, 'id')}",
        **exported,
    )
    # New columns go last: the ORDER BY may name columns by position.
    select += (
        ", COALESCE(export_parties.codes, ''), COALESCE(export_sources.texts, ''), export_sources.places"
    )
    return (
        select + found + joins + rest,
        (PARTY_KEY_SEPARATOR, *ids_params, TEXT_SEPARATOR, *ids_params, *params),
    )


class ArrangementRows:
    """The filtered, ordered arrangements of an export, read in chunks of `chunk_rows`.

    Iterated, it yields `ArrangementRow`s (the JSON and any other spec): three queries a chunk
    (the rows, their parties, their sources), values only, since building model instances and
    prefetch caches cost most of the time of a large export. `csv_text()` writes the CSV body
    itself, a chunk at a time and column by column (`_ArrangementCells`), from the one joined
    query on PostgreSQL (see `_joined_sql`).
    """

    def __init__(self, queryset: QuerySet[Any], chunk_rows: int) -> None:
        self.queryset = queryset
        self.chunk_rows = chunk_rows
        self.db = connections[queryset.db]
        # Held while a query runs on the connection: the rows are fetched by a thread of their
        # own (`_prefetched`) while the writer may look up names or a row's sources.
        self.busy = threading.Lock()

    def _batches(
        self,
    ) -> Iterator[tuple[list[tuple[Any, ...]], dict[int, list[tuple[str, str, str]]], dict[int, list[str]]]]:
        rows = self.queryset.values_list("pk", *ARRANGEMENT_FIELDS).iterator(chunk_size=self.chunk_rows)
        while batch := list(itertools.islice(rows, self.chunk_rows)):
            ids = [row[0] for row in batch]
            parties: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
            for arrangement_id, code, name, name_zh in _fetch(self.db, PARTIES_SQL, ids):
                parties[arrangement_id].append((code, name, name_zh))
            sources: dict[int, list[str]] = defaultdict(list)
            for arrangement_id, url, citation in _fetch(self.db, SOURCES_SQL, ids):
                sources[arrangement_id].append(url or citation)
            yield batch, parties, sources

    def __iter__(self) -> Iterator[ArrangementRow]:
        for batch, parties, sources in self._batches():
            for row in batch:
                pk, key, title, signed, signed_p, effective, effective_p, ended, status, level, notes = row
                yield ArrangementRow(
                    key, title, signed, signed_p, effective, effective_p, ended, status, level, notes,
                    tuple(parties[pk]), tuple(sources[pk]),
                )  # fmt: skip

    def _flat_chunks(self) -> Iterator[Sequence[tuple[Any, ...]]]:
        """Chunks of (pk, *ARRANGEMENT_FIELDS, party key, sources text, None) tuples; on PostgreSQL
        the days are ISO text, not dates."""
        if self.db.vendor == "postgresql":
            yield from self._joined_chunks()
            return
        for batch, parties, sources in self._batches():
            yield [
                (
                    *row,
                    PARTY_KEY_SEPARATOR.join(code for code, _, _ in parties[row[0]]),
                    SOURCE_SEPARATOR.join(sources[row[0]]),
                    None,
                )
                for row in batch
            ]

    def _joined_chunks(self) -> Iterator[Sequence[tuple[Any, ...]]]:
        sql, params = _joined_sql(self.queryset)
        # A transaction, so that the server-side cursor streams (outside one it is declared WITH
        # HOLD: the whole result is computed and stored before the first row).
        with transaction.atomic(using=self.db.alias), self.db.chunked_cursor() as cursor:
            with self.db.cursor() as settings_cursor:
                # This transaction only: compiling the query's expressions to machine code took
                # PostgreSQL longer (0.4 s at a million rows) than it saved; and in a parallel
                # plan every worker aggregated all the parties and sources again for its third
                # of the arrangements (on two cores, 9.5-10.8 s for a million rows against
                # 7.6-9.0 s in one process).
                settings_cursor.execute(
                    "SELECT set_config('jit', 'off', true), "
                    "set_config('max_parallel_workers_per_gather', '0', true)"
                )
            psycopg2.extensions.register_type(DAY_AS_TEXT, cursor.cursor)
            cursor.execute(sql, params)
            for chunk in _prefetched(cursor, self.chunk_rows, self.busy):
                if any(row[-1] is not None for row in chunk):
                    chunk = [row if row[-1] is None else self._ordered_sources(row) for row in chunk]
                yield chunk

    def _ordered_sources(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        """The row with its sources' texts in their order, (position, id), joined as the cell has them."""
        texts = row[-2].split(TEXT_SEPARATOR)
        numbers = [int(number) for number in row[-1].split(",")]
        places = list(zip(numbers[0::2], numbers[1::2], strict=True))
        if len(places) == len(texts):
            ordered = [text for _, text in sorted(zip(places, texts, strict=True))]
        else:  # a text holding the separator itself (no validated text can): read them in order
            with self.busy:
                ordered = [url or citation for _, url, citation in _fetch(self.db, SOURCES_SQL, [row[0]])]
        return (*row[:-2], SOURCE_SEPARATOR.join(ordered), None)

    def csv_text(self) -> Generator[str, None, None]:
        """The CSV body (no header) of `ARRANGEMENTS`, one string per chunk."""
        cells = _ArrangementCells(self.db, self.busy)
        for chunk in self._flat_chunks():
            yield cells.lines(chunk)


# Chunks fetched ahead of the one being written: a bound on the memory they hold.
PREFETCHED_CHUNKS = 2


def _prefetched(
    cursor: Any, chunk_rows: int, busy: threading.Lock
) -> Generator[list[tuple[Any, ...]], None, None]:
    """The cursor's rows, `chunk_rows` at a time, fetched by a thread of their own while the
    caller writes the chunk before: PostgreSQL reads out and sends the next chunk while this
    process writes the last (about a fifth of a million-row export was spent waiting for it).
    psycopg2 lets other threads run while it waits for the server. Each fetch holds `busy`,
    which the writer's own queries hold too (one query at a time on a connection). At most
    PREFETCHED_CHUNKS chunks wait. An error
    while fetching is raised here; when the caller stops early (a client gone), the thread
    finishes its fetch and stops before the cursor is closed."""
    ready: queue.Queue[list[tuple[Any, ...]] | BaseException | None] = queue.Queue(PREFETCHED_CHUNKS)
    stop = threading.Event()

    def put(item: list[tuple[Any, ...]] | BaseException | None) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def fetch() -> None:
        try:
            while True:
                with busy:
                    chunk = cursor.fetchmany(chunk_rows)
                if not chunk:
                    break
                if not put(chunk):
                    return
            put(None)
        except BaseException as error:  # handed to the caller, raised there
            put(error)

    fetcher = threading.Thread(target=fetch, name="export-prefetch", daemon=True)
    fetcher.start()
    try:
        while (item := ready.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        fetcher.join()


def arrangement_rows(queryset: QuerySet[Any], chunk_rows: int = 2000) -> ArrangementRows:
    """The filtered, ordered arrangements as `ArrangementRow`s, in chunks of `chunk_rows`."""
    return ArrangementRows(queryset, chunk_rows)


def _choice_name(model: type[Model], field: str) -> Callable[[Any], str]:
    """A row's choice label for a model field (the `_name` of a coded column)."""
    model_field = model._meta.get_field(field)
    assert isinstance(model_field, Field)
    label = _label(model_field.choices or [])
    getter = attrgetter(field)
    return lambda row: label(getter(row))


def _arrangement_columns() -> Iterator[ExportColumn]:
    """The arrangements file's columns (`agreements.tables.ARRANGEMENTS`), each code with its
    `_name` companion: parties' names, and the labels of status and evidence."""
    made: dict[str, Callable[[Any], object]] = {
        "parties": lambda a: PARTY_SEPARATOR.join(code for code, _, _ in a.parties),
        "parties_name": lambda a: NAME_SEPARATOR.join(
            names.local(name, name_zh) for _, name, name_zh in a.parties
        ),
        "sources": lambda a: SOURCE_SEPARATOR.join(a.sources),
    }
    table = tables.ARRANGEMENTS
    for name in table.header:
        column = table.column(name)
        field = column.field
        yield ExportColumn(name, made[name] if field is None else attrgetter(field))
        if column.named:
            if field is None:
                yield ExportColumn(f"{name}_name", made[f"{name}_name"])
            else:
                yield ExportColumn(f"{name}_name", _choice_name(table.model, field))


ARRANGEMENTS = Spec("arrangements", tuple(_arrangement_columns()))


def partners_spec(bloc_names: Mapping[str, str]) -> Spec:
    """Partner territories (`selectors.PartnerRow`); bloc names come from the overview."""
    return Spec(
        "partners",
        (
            ExportColumn("territory", lambda r: r.territory),
            ExportColumn("territory_name", lambda r: r.territory_name),
            ExportColumn("economy", lambda r: r.economy),
            ExportColumn("economy_name", lambda r: r.economy_name),
            ExportColumn("arrangement", lambda r: r.arrangement.key),
            ExportColumn("arrangement_title", lambda r: r.arrangement.title),
            ExportColumn("signed_date", lambda r: r.arrangement.signed_date),
            ExportColumn("signed_precision", lambda r: r.arrangement.signed_precision),
            # The partner's own in-force day with the economy (see PartnerRow).
            ExportColumn("effective_date", lambda r: r.effective_date),
            ExportColumn("effective_precision", lambda r: r.effective_precision),
            ExportColumn("evidence", lambda r: r.arrangement.evidence),
            ExportColumn("evidence_name", lambda r: _evidence(r.arrangement.evidence)),
            ExportColumn("blocs", lambda r: PARTY_SEPARATOR.join(r.blocs)),
            ExportColumn("blocs_name", lambda r: NAME_SEPARATOR.join(bloc_names.get(c, c) for c in r.blocs)),
        ),
    )


ECONOMIES = Spec(
    "economies",
    (
        ExportColumn("code", lambda e: e.code),
        ExportColumn("name", lambda e: e.name),
        ExportColumn("kind", lambda e: e.kind),
        ExportColumn("kind_name", lambda e: _economy_kind(e.kind)),
        ExportColumn("territories_now", lambda e: e.territories_now),
        ExportColumn("arrangements", lambda e: e.arrangement_count),
    ),
)

TERRITORIES = Spec(
    "territories",
    (
        ExportColumn("iso3", lambda r: r.territory.iso3),
        ExportColumn("iso2", lambda r: r.territory.iso2),
        ExportColumn("name", lambda r: r.territory.name),
        ExportColumn("kind", lambda r: r.territory.kind),
        ExportColumn("kind_name", lambda r: _territory_kind(r.territory.kind)),
        ExportColumn("economies", lambda r: _codes(r.economies, "code")),
        ExportColumn("economies_name", lambda r: _names(r.economies)),
    ),
)

BLOCS = Spec(
    "blocs",
    (
        ExportColumn("code", lambda b: b.code),
        ExportColumn("name", lambda b: b.name),
        ExportColumn("members_now", lambda b: b.members_now),
        ExportColumn("members_ever", lambda b: b.members_ever),
        ExportColumn("definition", lambda b: b.definition),
        ExportColumn("source", lambda b: b.source),
    ),
)


@dataclass(frozen=True, slots=True)
class EconomyRanks:
    """One economy in both rankings of the ranking page (a rank is None when not ranked)."""

    economy: str
    economy_name: str
    partner_countries: int
    rank_by_countries: int | None
    partner_economies: int
    rank_by_economies: int | None


RANKING = Spec(
    "ranking",
    tuple(
        ExportColumn(name, attrgetter(name))
        for name in (
            "economy",
            "economy_name",
            "partner_countries",
            "rank_by_countries",
            "partner_economies",
            "rank_by_economies",
        )
    ),
)

CLAIMS = Spec(
    "claims",
    (
        ExportColumn("key", lambda r: r.claim.key),
        ExportColumn("authority", lambda r: r.claim.authority),
        ExportColumn("stated_on", lambda r: r.claim.stated_on),
        ExportColumn("as_of", lambda r: r.claim.as_of),
        ExportColumn("economy", lambda r: r.claim.economy_id),
        ExportColumn("economy_name", lambda r: names.local_name(r.claim.economy)),
        ExportColumn("basis", lambda r: r.claim.basis),
        ExportColumn("basis_name", lambda r: _basis(r.claim.basis)),
        ExportColumn("metric", lambda r: r.claim.metric),
        ExportColumn("claimed", lambda r: r.claim.value),
        ExportColumn("computed", lambda r: r.computed),
        ExportColumn("match", lambda r: r.match),
        ExportColumn("note", lambda r: r.claim.note),
        ExportColumn("source_url", lambda r: r.claim.source_url),
    ),
)


def why_spec(known: Any, bloc_codes: Sequence[str]) -> Spec:
    """Events that moved an economy's figures (`why.EventRow`), with the figures after their day:
    one `bloc_<code>` column per bloc. `known` is the story's `why.Names`."""

    def codes(measure: str, gained: bool) -> Callable[[Any], str]:
        return lambda r: PARTY_SEPARATOR.join(r.codes(measure, gained))

    def named(measure: str, gained: bool) -> Callable[[Any], str]:
        lookup = known.economy if measure == story.ECONOMIES else known.territory
        return lambda r: NAME_SEPARATOR.join(lookup(code) for code in r.codes(measure, gained))

    def blocs(gained: bool) -> Callable[[Any], str]:
        return lambda r: PARTY_SEPARATOR.join(
            f"{m.measure.removeprefix(story.BLOC_PREFIX)}:{m.code}"
            for m in r.bloc_moves
            if m.gained == gained
        )

    def bloc(code: str) -> Callable[[Any], int]:
        return lambda r: r.after.by_bloc.get(code, 0)

    return Spec(
        "why",
        (
            ExportColumn("date", lambda r: r.day),
            ExportColumn("event", lambda r: r.event.kind),
            ExportColumn("event_name", lambda r: r.kind_name),
            ExportColumn(
                "arrangement", lambda r: r.event.subject if r.event.kind in story.ARRANGEMENT_KINDS else ""
            ),
            ExportColumn("partners", lambda r: PARTY_SEPARATOR.join(r.event.partners)),
            ExportColumn("partners_name", lambda r: NAME_SEPARATOR.join(r.partner_names)),
            ExportColumn(
                "group", lambda r: "" if r.event.kind in story.ARRANGEMENT_KINDS else r.event.subject
            ),
            ExportColumn("group_name", lambda r: r.group_name),
            ExportColumn("territory", lambda r: r.event.territory),
            ExportColumn("territory_name", lambda r: r.territory_name),
            ExportColumn("description", lambda r: r.description),
            *(
                column
                for measure in (story.ECONOMIES, story.COUNTRIES)
                for gained, word in ((True, "gained"), (False, "lost"))
                for column in (
                    ExportColumn(f"{measure}_{word}", codes(measure, gained)),
                    ExportColumn(f"{measure}_{word}_name", named(measure, gained)),
                )
            ),
            ExportColumn("bloc_members_gained", blocs(True)),
            ExportColumn("bloc_members_lost", blocs(False)),
            ExportColumn("partner_economies", lambda r: r.after.partner_economies),
            ExportColumn("partner_countries", lambda r: r.after.partner_countries),
            *(ExportColumn(f"bloc_{code}", bloc(code)) for code in bloc_codes),
        ),
    )


BETWEEN = Spec(
    "why-between",
    (
        ExportColumn("measure", lambda r: r.move.measure),
        ExportColumn("measure_name", lambda r: r.measure_name),
        ExportColumn("change", lambda r: r.change),
        ExportColumn("change_name", lambda r: r.change_name),
        ExportColumn("partner", lambda r: r.move.code),
        ExportColumn("partner_name", lambda r: r.partner_name),
        ExportColumn("date", lambda r: r.move.day),
        ExportColumn("events", lambda r: PARTY_SEPARATOR.join(event.kind for event, _ in r.reasons)),
        ExportColumn("reasons", lambda r: NAME_SEPARATOR.join(text for _, text in r.reasons)),
    ),
)


# Values


def csv_cell(value: object) -> str:
    if type(value) is str:  # the common case first: large exports call this for every cell
        return neutralise(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralise(str(value))


# The arrangements CSV, a chunk at a time. Byte for byte what `csv.writer` writes for
# `[csv_cell(v) for v in ARRANGEMENTS.values(row)]` (tests/dashboard/test_export_stream.py compares them),
# at a fraction of the cost: a chunk is turned into columns, a text column is checked as one
# string for cells that need neutralising or quoting (most chunks have none), and values that
# repeat (codes, labels, dates, party sets) are converted once per export.

_FORMULA_AFTER_NUL = re.compile(r"\x00['=+\-@\t\r]")  # a cell that may start a formula
MEMO_LIMIT = 100_000  # distinct values remembered per column before starting over


class _Memo(dict[Any, Any]):
    """value -> its cell, computed on first sight."""

    def __init__(self, compute: Callable[[Any], Any]) -> None:
        super().__init__()
        self.compute = compute

    def __missing__(self, value: Any) -> Any:
        if len(self) >= MEMO_LIMIT:  # a bound on memory, never reached by real data
            self.clear()
        cell = self[value] = self.compute(value)
        return cell


def csv_field(text: str) -> str:
    """A field as `csv.writer` writes it (QUOTE_MINIMAL): quoted when it has , " CR or LF."""
    if "," in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def _text_cells(values: Sequence[str]) -> Sequence[str]:
    """A column of text values as cells: neutralised, then quoted where needed."""
    joined = "\x00".join(values)  # a NUL inside a value can only cost a needless pass below
    if _FORMULA_AFTER_NUL.search("\x00" + joined):
        values = list(map(neutralise, values))
    if "," in joined or '"' in joined or "\n" in joined or "\r" in joined:
        # csv_field, inlined: a column with commas (notes) pays this for every cell.
        return [
            '"' + v.replace('"', '""') + '"' if "," in v or '"' in v or "\n" in v or "\r" in v else v
            for v in values
        ]
    return values


def _date_cell(value: dt.date | str | None) -> str:
    """A day's cell, from a date or from its ISO text (PostgreSQL's, `DAY_AS_TEXT`)."""
    if value is None:
        return ""
    return value if isinstance(value, str) else value.isoformat()


# PostgreSQL's dates as the text it sends, for the CSV that writes them so: parsing each into a
# date to write it back out cost a tenth of a large export. The text is YYYY-MM-DD: psycopg2
# sets DateStyle to ISO on every connection whose server has another (its own date parsing
# needs it too).
DAY_AS_TEXT = psycopg2.extensions.new_type((1082,), "AEO_DAY_AS_TEXT", lambda value, cursor: value)


class _ArrangementCells:
    """One export's cells of `ARRANGEMENTS`, in the language active when it starts."""

    def __init__(self, db: BaseDatabaseWrapper, busy: threading.Lock) -> None:
        def text(value: object) -> str:
            return csv_field(csv_cell(value))

        self.db = db
        self.busy = busy  # held while querying: the connection may be fetching rows meanwhile
        self.economies: dict[str, tuple[str, str]] = {}  # code -> (name, name_zh)
        self.value = _Memo(text)
        self.status_name = _Memo(lambda value: text(_status(value)))
        self.evidence_name = _Memo(lambda value: text(_evidence(value)))
        self.date = _Memo(_date_cell)
        self.codes = _Memo(lambda key: text(PARTY_SEPARATOR.join(self._codes(key))))
        self.names = _Memo(lambda key: text(NAME_SEPARATOR.join(map(self._name, self._codes(key)))))

    @staticmethod
    def _codes(key: str) -> list[str]:
        return sorted(key.split(PARTY_KEY_SEPARATOR)) if key else []

    def _name(self, code: str) -> str:
        """The economy's name in the active language (`_name` columns follow it; codes do not)."""
        if code not in self.economies:  # first use, or an economy added since
            with self.busy, self.db.cursor() as cursor:
                cursor.execute(f"SELECT code, name, name_zh FROM {_table(Economy)}")
                self.economies = {code: (name, name_zh) for code, name, name_zh in cursor.fetchall()}
        return names.local(*self.economies[code])

    def lines(self, rows: Sequence[tuple[Any, ...]]) -> str:
        """CRLF-terminated CSV lines of `_flat_chunks` rows."""
        (_, keys, titles, signed, signed_p, effective, effective_p, ended, status, level, notes,
         parties, sources, _) = zip(*rows, strict=True)  # fmt: skip
        value, date = self.value.__getitem__, self.date.__getitem__
        columns = (
            _text_cells(keys),
            _text_cells(titles),
            list(map(self.codes.__getitem__, parties)),
            list(map(self.names.__getitem__, parties)),
            list(map(date, signed)),
            list(map(value, signed_p)),
            list(map(date, effective)),
            list(map(value, effective_p)),
            list(map(date, ended)),
            list(map(value, status)),
            list(map(self.status_name.__getitem__, status)),
            list(map(value, level)),
            list(map(self.evidence_name.__getitem__, level)),
            _text_cells(sources),
            _text_cells(notes),
        )
        return "\r\n".join(map(",".join, zip(*columns, strict=True))) + "\r\n"


def json_value(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    if value == "":
        return None
    if isinstance(value, Model):
        return str(value.pk)
    if isinstance(value, list | tuple | QuerySet):
        return [json_value(item) for item in value]
    return value


def parameters(data: Mapping[str, object]) -> dict[str, object]:
    """Cleaned parameters for the JSON envelope: codes for objects, ISO dates, null for empty."""
    return {name: json_value(value) for name, value in data.items()}


# Formats and errors


def requested_format(request: HttpRequest) -> str | None:
    """`html` (no `format`, or `format=html`), `csv`, `csv+bom` (`format=csv&bom=1`), `json` or
    `xlsx`; None for anything else, `bom` included (only `1` and `0` mean something)."""
    value = request.GET.get(FORMAT_PARAMETER, "")
    bom = request.GET.get(BOM_PARAMETER, "")
    if bom not in ("", "0", "1"):
        return None
    if value in ("", HTML):
        return HTML
    if value == CSV and bom == "1":
        return CSV_FOR_EXCEL
    return value if value in FORMATS else None


def unknown_format(request: HttpRequest) -> HttpResponse:
    value = request.GET.get(FORMAT_PARAMETER, "")
    bom = request.GET.get(BOM_PARAMETER, "")
    if bom not in ("", "0", "1"):
        return HttpResponse(
            f"bom: {bom[:40]!r} is not 1 or 0; bom=1 with format=csv adds a byte-order mark for Excel.\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    return HttpResponse(
        f"format: unknown format {value[:40]!r}; use csv, json or xlsx (or leave it out for the page).\n",
        status=400,
        content_type="text/plain; charset=utf-8",
    )


def invalid(fmt: str, errors: Mapping[str, Any]) -> HttpResponse:
    """The 400 answer of a twin whose parameters are invalid (the page shows the same errors)."""
    errors = {name: [str(message) for message in messages] for name, messages in sorted(errors.items())}
    if fmt == JSON:
        body = {"error": "invalid parameters", "parameters": sorted(errors), "errors": errors}
        return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
    text = "".join(f"{name}: {' '.join(messages)}\n" for name, messages in errors.items())
    return HttpResponse(
        f"Invalid parameters: {', '.join(errors)}\n{text}",
        status=400,
        content_type="text/plain; charset=utf-8",
    )


# Writers


class _Echo:
    """A file-like object whose write() returns what it was given (csv.writer into a generator)."""

    def write(self, value: str) -> str:
        return value


def _chunks(rows: Iterable[Any]) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def csv_lines(spec: Spec, rows: Iterable[Any]) -> Iterator[bytes]:
    """The CSV's bytes, a header then one chunk of encoded lines per CHUNK_ROWS rows (per chunk of
    the export's own size for `arrangement_rows`, which writes its cells itself)."""
    writer = csv.writer(_Echo())
    yield writer.writerow(spec.header).encode("utf-8")
    if isinstance(rows, ArrangementRows) and spec is ARRANGEMENTS:
        for text in rows.csv_text():
            yield text.encode("utf-8")
        return
    for chunk in _chunks(rows):
        yield "".join(writer.writerow([csv_cell(v) for v in spec.values(row)]) for row in chunk).encode(
            "utf-8"
        )


def json_lines(
    spec: Spec, rows: Iterable[Any], *, count: int, params: Mapping[str, object]
) -> Iterator[bytes]:
    """The JSON envelope's bytes, streamed; `count` is given because it comes before the rows."""

    def dumps(value: object) -> str:
        return json.dumps(value, ensure_ascii=False)

    yield (
        f'{{"view": {dumps(spec.view)}, "parameters": {dumps(params)}, "count": {count}, "rows": ['
    ).encode()
    first = True
    for chunk in _chunks(rows):
        parts = []
        for row in chunk:
            item = dict(zip(spec.header, (json_value(v) for v in spec.values(row)), strict=True))
            parts.append(("" if first else ", ") + dumps(item))
            first = False
        yield "".join(parts).encode("utf-8")
    yield b"]}"


def filename(spec: Spec, *parts: object) -> str:
    """`<view>[-<part>...]` from the view and its parameters (codes, the as-of date), then the
    language where it is not English (`.zh-hans`), so the two languages' files never share a name."""
    words = [spec.view, *(csv_cell(part) for part in parts if part)]
    language = get_language() or "en"
    return "-".join(words) + ("" if language == "en" else f".{language}")


@dataclass(frozen=True, slots=True)
class Rows:
    """A list view's rows for its twins, as the view fetched them for its page: the spec, the rows,
    the parameters that chose them and the parts of the file name after the view's. `count` is
    the JSON's count when the rows are not a sequence (a queryset's `count`, run only for JSON)."""

    spec: Spec
    rows: Iterable[Any]
    params: Mapping[str, object]
    name_parts: Sequence[object] = ()
    count: int | Callable[[], int] | None = None


def twin(
    request: HttpRequest,
    *,
    rows: Callable[[], Rows] | None = None,
    errors: Mapping[str, Any] | None = None,
) -> HttpResponseBase | None:
    """The one place a list view's format is picked (Datasette's pattern: the view validates and
    fetches its rows once, then the format is chosen): the CSV, JSON or Excel twin of the page, the
    400 of an unknown `format` or `bom`, or of bad parameters in the twin's format (`errors`,
    which the page shows itself), or None when the page itself is asked for.

    `rows` is called only for a twin, so the page never builds the twin's rows. The CSV streams
    through `csv_lines`, where rows that write their own CSV body (the arrangements' fast
    PostgreSQL path, `ArrangementRows.csv_text`) plug in.
    """
    fmt = requested_format(request)
    if fmt is None:
        return unknown_format(request)
    if fmt == HTML:
        return None
    if errors:
        return invalid(fmt, errors)
    if rows is None:
        raise ValueError("a twin needs its rows or the errors that kept them from being fetched")
    table = rows()
    items = table.rows
    if table.count is not None:
        count: int | Callable[[], int] = table.count
    else:
        assert isinstance(items, Sequence), "rows that are not a sequence need their count"
        count = len(items)
    return respond(
        fmt,
        table.spec,
        items,
        count=count,
        params=table.params,
        name=filename(table.spec, *table.name_parts),
    )


def respond(
    fmt: str,
    spec: Spec,
    rows: Iterable[Any],
    *,
    count: int | Callable[[], int],
    params: Mapping[str, object],
    name: str,
) -> StreamingHttpResponse:
    """Stream `rows` as CSV (a download) or as the JSON envelope. `count` is the JSON's count, or
    a function that gives it (a query the CSV never runs)."""
    if fmt in (CSV, CSV_FOR_EXCEL):
        lines = csv_lines(spec, rows)
        if fmt == CSV_FOR_EXCEL:
            lines = itertools.chain([UTF8_BOM], lines)
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, f"{name}.csv") or ""
    elif fmt == XLSX:
        from dashboard import workbook  # openpyxl is imported only when a workbook is asked for

        return workbook.response(spec, rows, params=parameters(params), name=name)
    else:
        # Parameters are converted before streaming starts: an error then is a 500, not a cut file.
        response = StreamingHttpResponse(
            json_lines(spec, rows, count=count() if callable(count) else count, params=parameters(params)),
            content_type="application/json",
        )
        response["Content-Disposition"] = content_disposition_header(False, f"{name}.json") or ""
    return response
