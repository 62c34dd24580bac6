"""CSV and JSON twins of every list page: column specs shared by both, and streaming writers.

A list view binds its FilterSet or form exactly as for the page, then hands the same rows to
`respond()` with one of the specs below: the CSV and the JSON have the same columns in the same
order, and list every row the page lists (all of them, not one page).

- Codes come with a `_name` column beside them; dates are ISO 8601; several values in one cell
  (parties, blocs, sources) are joined with `;` (codes) or ` ; ` (names, sources), as in the
  reference data.
- CSV: UTF-8 without a byte-order mark, a header row, CRLF line ends (RFC 4180), streamed in
  chunks from a queryset iterator so memory stays flat at any size. Text cells that a spreadsheet
  would run as a formula are prefixed with `'` (`agreements.spreadsheet`).
- JSON: `{"view", "parameters", "count", "rows"}`, always in that order; each row has the CSV's
  columns as keys, with numbers as numbers, booleans as booleans and empty values as null.
- Bad parameters answer 400 like the page: the JSON error body of the API, or a text/plain message
  naming each bad parameter for CSV. An unknown `format` answers 400.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from django.db import connection
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import get_language

from agreements import names
from agreements.choices import Basis, EconomyKind, Evidence, Status, TerritoryKind
from agreements.models import ArrangementParty, Economy, Source
from agreements.reference import PARTY_SEPARATOR, SOURCE_SEPARATOR
from agreements.spreadsheet import neutralise

HTML = "html"
CSV = "csv"
JSON = "json"
FORMATS = (CSV, JSON)
CHUNK_ROWS = 500  # rows per streamed chunk and per database fetch (with its prefetches)
NAME_SEPARATOR = " ; "


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    value: Callable[[Any], object]


@dataclass(frozen=True, slots=True)
class Spec:
    """A list's export: the view name (first word of the file name) and its columns."""

    view: str
    columns: tuple[Column, ...]

    @property
    def header(self) -> list[str]:
        return [column.name for column in self.columns]

    def values(self, row: Any) -> list[object]:
        return [column.value(row) for column in self.columns]


def _label(choices: type[Any]) -> Callable[[str], str]:
    """A choice's label in the active language; each label is translated once per language."""
    labels = dict(choices.choices)
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
    return NAME_SEPARATOR.join(names.economy_name(item.pk, item.name) for item in items)


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
    parties: tuple[tuple[str, str], ...]  # (code, name), by code
    sources: tuple[str, ...]


ARRANGEMENT_FIELDS = (
    "key",
    "title",
    "signed_date",
    "signed_precision",
    "effective_date",
    "effective_precision",
    "ended_date",
    "status",
    "evidence",
    "notes",
)


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


# Parties and sources of one chunk of arrangements, in their export order. Plain SQL: preparing
# thousands of ids one by one for `__in` cost more than running the queries.
PARTIES_SQL = (
    f"SELECT p.arrangement_id, p.economy_id, e.name FROM {_table(ArrangementParty)} p "
    f"JOIN {_table(Economy)} e ON e.code = p.economy_id "
    "WHERE p.arrangement_id IN ({ids}) ORDER BY p.arrangement_id, p.economy_id"
)
SOURCES_SQL = (
    f"SELECT arrangement_id, url, citation FROM {_table(Source)} "
    "WHERE arrangement_id IN ({ids}) ORDER BY arrangement_id, position, id"
)


def _fetch(sql: str, ids: list[int]) -> list[tuple[Any, ...]]:
    # The ids are integers from the database itself, inlined as literals.
    with connection.cursor() as cursor:
        cursor.execute(sql.format(ids=",".join(str(int(i)) for i in ids)))
        return cursor.fetchall()


def arrangement_rows(queryset: QuerySet[Any], chunk_rows: int = 2000) -> Iterator[ArrangementRow]:
    """The filtered, ordered arrangements as `ArrangementRow`s, in chunks of `chunk_rows`.

    Three queries a chunk (the rows, their parties, their sources), values only: building model
    instances and prefetch caches cost most of the time of a large export.
    """
    rows = queryset.values_list("pk", *ARRANGEMENT_FIELDS).iterator(chunk_size=chunk_rows)
    while batch := list(itertools.islice(rows, chunk_rows)):
        ids = [row[0] for row in batch]
        parties: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for arrangement_id, code, name in _fetch(PARTIES_SQL, ids):
            parties[arrangement_id].append((code, name))
        sources: dict[int, list[str]] = defaultdict(list)
        for arrangement_id, url, citation in _fetch(SOURCES_SQL, ids):
            sources[arrangement_id].append(url or citation)
        for pk, key, title, signed, signed_p, effective, effective_p, ended, status, level, notes in batch:
            yield ArrangementRow(
                key, title, signed, signed_p, effective, effective_p, ended, status, level, notes,
                tuple(parties[pk]), tuple(sources[pk]),
            )  # fmt: skip


ARRANGEMENTS = Spec(
    "arrangements",
    (
        Column("key", lambda a: a.key),
        Column("title", lambda a: a.title),
        Column("parties", lambda a: PARTY_SEPARATOR.join(code for code, _ in a.parties)),
        Column(
            "parties_name",
            lambda a: NAME_SEPARATOR.join(names.economy_name(code, name) for code, name in a.parties),
        ),
        Column("signed_date", lambda a: a.signed_date),
        Column("signed_precision", lambda a: a.signed_precision),
        Column("effective_date", lambda a: a.effective_date),
        Column("effective_precision", lambda a: a.effective_precision),
        Column("ended_date", lambda a: a.ended_date),
        Column("status", lambda a: a.status),
        Column("status_name", lambda a: _status(a.status)),
        Column("evidence", lambda a: a.evidence),
        Column("evidence_name", lambda a: _evidence(a.evidence)),
        Column("sources", lambda a: SOURCE_SEPARATOR.join(a.sources)),
        Column("notes", lambda a: a.notes),
    ),
)


def partners_spec(bloc_names: Mapping[str, str]) -> Spec:
    """Partner territories (`selectors.PartnerRow`); bloc names come from the overview."""
    return Spec(
        "partners",
        (
            Column("territory", lambda r: r.territory),
            Column("territory_name", lambda r: r.territory_name),
            Column("economy", lambda r: r.economy),
            Column("economy_name", lambda r: r.economy_name),
            Column("arrangement", lambda r: r.arrangement.key),
            Column("arrangement_title", lambda r: r.arrangement.title),
            Column("signed_date", lambda r: r.arrangement.signed_date),
            Column("signed_precision", lambda r: r.arrangement.signed_precision),
            Column("effective_date", lambda r: r.arrangement.effective_date),
            Column("effective_precision", lambda r: r.arrangement.effective_precision),
            Column("evidence", lambda r: r.arrangement.evidence),
            Column("evidence_name", lambda r: _evidence(r.arrangement.evidence)),
            Column("blocs", lambda r: PARTY_SEPARATOR.join(r.blocs)),
            Column("blocs_name", lambda r: NAME_SEPARATOR.join(bloc_names.get(c, c) for c in r.blocs)),
        ),
    )


ECONOMIES = Spec(
    "economies",
    (
        Column("code", lambda e: e.code),
        Column("name", lambda e: e.name),
        Column("kind", lambda e: e.kind),
        Column("kind_name", lambda e: _economy_kind(e.kind)),
        Column("territories_now", lambda e: e.territories_now),
        Column("arrangements", lambda e: e.arrangement_count),
    ),
)

TERRITORIES = Spec(
    "territories",
    (
        Column("iso3", lambda r: r.territory.iso3),
        Column("iso2", lambda r: r.territory.iso2),
        Column("name", lambda r: r.territory.name),
        Column("kind", lambda r: r.territory.kind),
        Column("kind_name", lambda r: _territory_kind(r.territory.kind)),
        Column("economies", lambda r: _codes(r.economies, "code")),
        Column("economies_name", lambda r: _names(r.economies)),
    ),
)

BLOCS = Spec(
    "blocs",
    (
        Column("code", lambda b: b.code),
        Column("name", lambda b: b.name),
        Column("members_now", lambda b: b.members_now),
        Column("members_ever", lambda b: b.members_ever),
        Column("definition", lambda b: b.definition),
        Column("source", lambda b: b.source),
    ),
)


@dataclass(frozen=True, slots=True)
class RankingRow:
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
        Column(name, attrgetter(name))
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
        Column("key", lambda r: r.claim.key),
        Column("authority", lambda r: r.claim.authority),
        Column("stated_on", lambda r: r.claim.stated_on),
        Column("as_of", lambda r: r.claim.as_of),
        Column("economy", lambda r: r.claim.economy_id),
        Column("economy_name", lambda r: names.economy_name(r.claim.economy_id, r.claim.economy.name)),
        Column("basis", lambda r: r.claim.basis),
        Column("basis_name", lambda r: _basis(r.claim.basis)),
        Column("metric", lambda r: r.claim.metric),
        Column("claimed", lambda r: r.claim.value),
        Column("computed", lambda r: r.computed),
        Column("match", lambda r: r.match),
        Column("note", lambda r: r.claim.note),
        Column("source_url", lambda r: r.claim.source_url),
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
    """`html` (no `format`, or `format=html`), `csv` or `json`; None for anything else."""
    value = request.GET.get("format", "")
    if value in ("", HTML):
        return HTML
    return value if value in FORMATS else None


def unknown_format(request: HttpRequest) -> HttpResponse:
    value = request.GET.get("format", "")
    return HttpResponse(
        f"format: unknown format {value[:40]!r}; use csv or json (or leave it out for the page).\n",
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
    """The CSV's bytes, a header then one chunk of encoded lines per CHUNK_ROWS rows."""
    writer = csv.writer(_Echo())
    yield writer.writerow(spec.header).encode("utf-8")
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
    """`<view>[-<part>...]` from the view and its parameters (codes, the as-of date)."""
    words = [spec.view, *(csv_cell(part) for part in parts if part)]
    return "-".join(words)


def respond(
    fmt: str,
    spec: Spec,
    rows: Iterable[Any],
    *,
    count: int,
    params: Mapping[str, object],
    name: str,
) -> StreamingHttpResponse:
    """Stream `rows` as CSV (a download) or as the JSON envelope."""
    if fmt == CSV:
        response = StreamingHttpResponse(csv_lines(spec, rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, f"{name}.csv") or ""
    else:
        # Parameters are converted before streaming starts: an error then is a 500, not a cut file.
        response = StreamingHttpResponse(
            json_lines(spec, rows, count=count, params=parameters(params)), content_type="application/json"
        )
        response["Content-Disposition"] = content_disposition_header(False, f"{name}.json") or ""
    return response
