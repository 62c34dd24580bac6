"""Reading and writing the reference dataset (the CSV files under data/).

`load_reference` validates every file first, then applies them in one transaction: a bad file
loads nothing, and each problem is reported as `file:line: message`. Loading is idempotent: rows
are matched on their natural keys and updated in place when they changed.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models.expressions import DatabaseDefault

from agreements import services
from agreements.choices import (
    BLOC_METRIC_PREFIX,
    Basis,
    Confidence,
    CountQualifier,
    DatePrecision,
    EconomyKind,
    Evidence,
    Metric,
    Status,
)
from agreements.constraints import validate_checks
from agreements.history import BulkHistory
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
    SourceDocument,
    Territory,
)
from agreements.models.memberships import OVERLAP_CONSTRAINTS, describe_period
from agreements.spreadsheet import restore
from agreements.tables import (
    ARRANGEMENT_PARTIES,
    ARRANGEMENTS,
    BLOC_MEMBERS,
    BLOCS,
    CLAIMS,
    ECONOMIES,
    ECONOMY_MEMBERS,
    PROGRAMME_COUNTS,
    PROGRAMMES,
    SOURCE_DOCUMENTS,
    TABLES,
    TERRITORIES,
    Table,
)

# The reason recorded on the history rows that a load writes (see agreements.history).
IMPORT_REASON = "Import"

SOURCE_SEPARATOR = " ; "
PARTY_SEPARATOR = ";"

# Each file's header, from its declaration (agreements.tables).
COLUMNS: dict[str, tuple[str, ...]] = {name: table.header for name, table in TABLES.items()}


class ReferenceDataError(Exception):
    """The dataset is not valid; `problems` lists each as `file:line: message`."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(
            f"{len(problems)} problem(s) in the reference data; nothing was loaded:\n{shown}{more}"
        )


class RowError(Exception):
    pass


@dataclass
class Row:
    file: str
    line: int
    values: dict[str, str]

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class LoadReport:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(+self.created or +self.updated)

    def lines(self) -> list[str]:
        tables = sorted(set(self.created) | set(self.updated) | set(self.unchanged))
        return [
            f"{table}: {self.created[table]} created, {self.updated[table]} updated, "
            f"{self.unchanged[table]} unchanged"
            for table in tables
        ]


def read_rows(directory: Path, name: str, problems: list[str]) -> list[Row]:
    path = directory / name
    if not path.exists():
        problems.append(f"{name}: file not found in {directory}")
        return []
    return rows_from_bytes(name, path.read_bytes(), problems)


# An import from an untrusted file (the admin's bulk import) is stricter than the bundled data:
# a cell longer than this is refused, and so is a raw formula (see `formula_problem`).
MAX_IMPORT_CELL = 10_000
RAW_FORMULA_START = ("=", "+", "@")


def formula_problem(raw: str) -> str | None:
    """Why a raw imported cell is refused as a spreadsheet formula, or None.

    Exports neutralise a formula-looking cell with a leading `'` (`agreements.spreadsheet`), so a
    file in the export format never has a raw `=`, `+` or `@` first: one that does was typed or
    crafted outside the registry (e.g. `=cmd|' /C calc'!A0`), and storing it would hand the
    formula to whoever exports it later. A leading `-` is accepted (dashes and negative numbers
    are ordinary text; every export still neutralises it)."""
    if raw.startswith(RAW_FORMULA_START):
        return (
            f"starts with {raw[0]!r}, which a spreadsheet runs as a formula; "
            "prefix it with ' to keep it as text"
        )
    return None


def rows_from_bytes(name: str, data: bytes, problems: list[str], *, untrusted: bool = False) -> list[Row]:
    """The rows of one CSV file in the reference format; problems are `file:line: message`.

    `untrusted` (an upload): a UTF-8 byte-order mark is accepted, and raw formulas and cells over
    MAX_IMPORT_CELL characters are refused."""
    try:
        text = data.decode("utf-8-sig" if untrusted else "utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        problems.append(f"{name}:{line}: not valid UTF-8 ({error.reason} at byte {error.start})")
        return []
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        header = reader.fieldnames or []
        missing = [column for column in COLUMNS[name] if column not in header]
        if missing:
            problems.append(f"{name}:1: missing column(s): {', '.join(missing)}")
            return []
        rows = []
        for values in reader:
            if None in values:
                problems.append(f"{name}:{reader.line_num}: more fields than the header has")
                continue
            if None in values.values():
                problems.append(f"{name}:{reader.line_num}: fewer fields than the header has")
                continue
            cells = {k: v.strip() for k, v in values.items()}
            # Each check first looks at the whole row at once, and names the cells only when the
            # row fails it: an 80,000-row upload passes them all.
            if "\x00" in "".join(cells.values()):
                # PostgreSQL cannot store a NUL character in text, SQLite would: refuse it on both.
                nul = [column for column, raw in cells.items() if "\x00" in raw]
                problems.append(f"{name}:{reader.line_num}: {', '.join(nul)} contains a NUL character")
                continue
            if untrusted and (
                max(map(len, cells.values()), default=0) > MAX_IMPORT_CELL
                or any(raw.startswith(RAW_FORMULA_START) for raw in cells.values())
            ):
                refused = [
                    f"{column} is too long ({len(raw)} characters; at most {MAX_IMPORT_CELL})"
                    if len(raw) > MAX_IMPORT_CELL
                    else f"{column} {formula_problem(raw)}"
                    for column, raw in cells.items()
                    if len(raw) > MAX_IMPORT_CELL or formula_problem(raw)
                ]
                if refused:
                    problems.append(f"{name}:{reader.line_num}: {'; '.join(refused)}")
                    continue
            if any(raw.startswith("'") for raw in cells.values()):
                cells = {k: restore(v) for k, v in cells.items()}
            rows.append(Row(name, reader.line_num, cells))
        return rows
    except csv.Error as error:
        # DictReader.line_num is updated only after a row parsed; the inner reader's is current.
        problems.append(f"{name}:{reader.reader.line_num}: malformed CSV ({error})")
    return []


def parse_date(value: str, column: str, *, required: bool = False) -> dt.date | None:
    if not value:
        if required:
            raise RowError(f"{column} is required")
        return None
    day = _day(value)
    if isinstance(day, str):
        raise RowError(f"{column} {day}")
    return day


@functools.lru_cache(maxsize=4096)
def _day(value: str) -> dt.date | str:
    """The day an ISO 8601 cell names, or why it names none. Remembered: a file's rows repeat the
    same few hundred dates (an 80,000-row import parses 160,000)."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return f"{value!r} is not an ISO date (YYYY-MM-DD)"
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        return f"{value!r} is not a real date ({error})"


def parse_required_date(value: str, column: str) -> dt.date:
    day = parse_date(value, column, required=True)
    assert day is not None
    return day


def parse_choice(value: str, column: str, choices: list[str], *, blank: bool = False) -> str:
    if blank and value == "":
        return value
    if value not in choices:
        raise RowError(f"{column} {value!r} is not one of: {', '.join(choices)}")
    return value


def require(value: str, column: str) -> str:
    if not value:
        raise RowError(f"{column} is required")
    return value


def validate_row(
    instance: models.Model,
    exclude: list[str],
    *,
    clean: bool = True,
    passed: set[tuple[Any, ...]] | None = None,
) -> None:
    """Validate a parsed row with its model's own rules, messages flattened for a report line:
    the fields (types, lengths, validators), `clean()` and the model's check constraints, as
    `full_clean()` runs them for the admin and the API (the checks evaluated in Python,
    `agreements.constraints`, not with a query per row).

    Not here: foreign keys (`exclude`; codes are checked against the file and the database
    once per file), unique constraints (natural keys: a row with a saved key updates it) and
    overlaps (`find_overlaps`, one sweep per file). `clean=False` where `clean()` reads the
    database for what the file itself may define (a claim's bloc). `passed`: see `_full_clean`."""
    try:
        _full_clean(instance, exclude, clean=clean, passed=passed)
        validate_checks(instance, exclude)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            raise RowError(
                "; ".join(
                    " ".join(messages) if name == NON_FIELD_ERRORS else f"{name}: {' '.join(messages)}"
                    for name, messages in error.message_dict.items()
                )
            ) from None
        raise RowError(" ".join(error.messages)) from None


def _full_clean(
    instance: models.Model, exclude: list[str], *, clean: bool, passed: set[tuple[Any, ...]] | None
) -> None:
    """`full_clean()` without its unique and constraint checks (`clean_fields()` alone without
    `clean`), in Django's steps and order, but a field's value found in `passed` is not cleaned
    again: a file's rows repeat the same dates thousands of times, and an 80,000-row import
    spent a fifth of its time cleaning them. `passed` collects (field, type, value) of the
    values that cleaned to themselves; relations are always cleaned (their check reads the
    database)."""
    if passed is None:
        if clean:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        else:
            instance.clean_fields(exclude=exclude)
        return
    field_errors: dict[str, Any] = {}
    for model_field in _cleaned_fields(type(instance), frozenset(exclude)):
        raw = getattr(instance, model_field.attname)
        if model_field.blank and raw in model_field.empty_values:
            continue
        if isinstance(raw, DatabaseDefault):
            continue
        key = None if model_field.is_relation else (model_field, type(raw), raw)
        try:
            if key in passed:
                continue
        except TypeError:  # an unhashable value: cleaned every time
            key = None
        try:
            value = model_field.clean(raw, instance)
        except ValidationError as error:
            field_errors[model_field.name] = error.error_list
            continue
        setattr(instance, model_field.attname, value)
        if key is not None and type(value) is type(raw) and value == raw:
            passed.add(key)
    if not clean:
        if field_errors:
            raise ValidationError(field_errors)
        return
    errors: dict[str, Any] = {}
    if field_errors:
        errors = ValidationError(field_errors).update_error_dict(errors)
    try:
        instance.clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


@functools.cache
def _cleaned_fields(model: type[models.Model], exclude: frozenset[str]) -> list[models.Field[Any, Any]]:
    """The fields `clean_fields()` cleans, as it picks them."""
    return [
        model_field
        for model_field in model._meta.fields
        if model_field.name not in exclude and not model_field.generated
    ]


def build[M: models.Model](model: type[M], **values: Any) -> M:
    """`model(**values)` for attribute names (`bloc_id`), made by position as Django makes the
    rows it reads: half the time of keywords, for the memberships of an 80,000-row file. A field
    not given takes its default."""
    fields = _fields_by_position(model)
    if not values.keys() <= fields.keys():
        raise TypeError(f"{model.__name__} has no field {sorted(values.keys() - fields.keys())}")
    return model(*[values[name] if name in values else field.get_default() for name, field in fields.items()])


@functools.cache
def _fields_by_position(model: type[models.Model]) -> dict[str, models.Field[Any, Any]]:
    return {str(field.attname): field for field in model._meta.concrete_fields}


@dataclass
class Parsed:
    territories: dict[str, tuple[Row | None, Territory]] = field(default_factory=dict)
    economies: dict[str, tuple[Row, Economy]] = field(default_factory=dict)
    economy_members: list[tuple[Row, EconomyMembership]] = field(default_factory=list)
    blocs: dict[str, tuple[Row, Bloc]] = field(default_factory=dict)
    bloc_members: list[tuple[Row, BlocMembership]] = field(default_factory=list)
    arrangements: dict[str, tuple[Row, Arrangement, list[str], list[str]]] = field(default_factory=dict)
    claims: list[tuple[Row, Claim]] = field(default_factory=list)
    source_documents: dict[str, tuple[Row, SourceDocument]] = field(default_factory=dict)
    programmes: dict[str, tuple[Row, Programme]] = field(default_factory=dict)
    programme_counts: list[tuple[Row, ProgrammeCount]] = field(default_factory=list)
    # (arrangement key, economy) -> the party's own in-force facts; None when the file is not
    # part of what is loaded (the admin's one-table import), so that nothing is reset.
    party_dates: dict[tuple[str, str], tuple[Row, ArrangementParty]] | None = None


# arrangement_parties.csv's `effective_unknown`: "yes", or empty.
YES = "yes"


@dataclass
class Known:
    """What the database already holds, for parsing one table against it (the admin's import).

    Codes in the database count as known; saved memberships take part in the overlap check
    unless a row of the file replaces them (same natural key)."""

    territories: set[str] = field(default_factory=set)
    economies: set[str] = field(default_factory=set)
    blocs: set[str] = field(default_factory=set)
    programmes: set[str] = field(default_factory=set)
    economy_members: list[tuple[str, str, dt.date | None, dt.date | None]] = field(default_factory=list)
    bloc_members: list[tuple[str, str, dt.date | None, dt.date | None]] = field(default_factory=list)

    @classmethod
    def from_database(cls) -> Known:
        fields = ("territory_id", "start_date", "end_date")
        return cls(
            territories=set(Territory.objects.values_list("iso3", flat=True)),
            economies=set(Economy.objects.values_list("code", flat=True)),
            blocs=set(Bloc.objects.values_list("code", flat=True)),
            programmes=set(Programme.objects.values_list("economy_id", flat=True)),
            economy_members=list(EconomyMembership.objects.values_list("economy_id", *fields)),
            bloc_members=list(BlocMembership.objects.values_list("bloc_id", *fields)),
        )


def parse(directory: Path) -> Parsed:
    problems: list[str] = []
    files = {name: read_rows(directory, name, problems) for name in COLUMNS}
    return parse_files(files, problems)


def parse_files(files: Mapping[str, list[Row]], problems: list[str], known: Known | None = None) -> Parsed:
    """Validate the rows of some or all tables; raise ReferenceDataError listing every problem."""
    parsed = parse_valid_rows(files, problems, known)
    if problems:
        raise ReferenceDataError(problems)
    return parsed


Period = tuple[dt.date | None, dt.date | None]


def find_overlaps(
    label: str,
    code: str,
    iso3: str,
    rows: list[tuple[Row, dt.date | None, dt.date | None]],
    saved: list[Period],
) -> list[str]:
    """The overlap problems of one (group, territory): one sort and one sweep, at most one problem
    per file row, so n rows cost O(n log n) and give at most n problems.

    Periods are sorted by start (an open start first); a period overlaps an earlier one exactly
    when it starts before the furthest end seen so far (half-open periods, an open end is
    infinite). A file row is reported against the period holding that furthest end; a saved
    period that overlaps a file row is reported on that row. Saved periods never overlap each
    other (the database refuses it), so a problem always has a file row to name."""
    never = dt.date.min
    # (start, saved?, index): a saved period sorts before a file row starting the same day, and
    # file rows keep their file order, so the later line is the one reported.
    entries: list[tuple[dt.date, int, int, dt.date | None, Row | None]] = [
        (start or never, 0, index, end, None) for index, (start, end) in enumerate(saved)
    ]
    entries += [(start or never, 1, row.line, end, row) for row, start, end in rows]
    entries.sort(key=lambda entry: entry[:3])
    problems: list[tuple[int, str]] = []
    flagged: set[int] = set()
    reach: tuple[dt.date | None, Row | None, Period] | None = None  # furthest end, its owner
    for start, _, _, end, row in entries:
        period = (None if start == never else start, end)
        if reach is not None and (reach[0] is None or start < reach[0]):
            other_row, other_period = reach[1], reach[2]
            if row is not None and row.line not in flagged:
                flagged.add(row.line)
                against = (
                    f"line {other_row.line} {describe_period(*other_period)}"
                    if other_row is not None
                    else f"the saved membership {describe_period(*other_period)}"
                )
                problems.append(
                    (
                        row.line,
                        f"{row.where}: {iso3} in {label} {code} for {describe_period(*period)} "
                        f"overlaps {against}",
                    )
                )
            elif row is None and other_row is not None and other_row.line not in flagged:
                flagged.add(other_row.line)
                problems.append(
                    (
                        other_row.line,
                        f"{other_row.where}: {iso3} in {label} {code} for {describe_period(*other_period)} "
                        f"overlaps the saved membership {describe_period(*period)}",
                    )
                )
        if reach is None or (reach[0] is not None and (end is None or end > reach[0])):
            reach = (end, row, period)
    return [problem for _, problem in sorted(problems)]


def parse_valid_rows(
    files: Mapping[str, list[Row]], problems: list[str], known: Known | None = None
) -> Parsed:
    """The rows that are valid on their own; each problem is appended to `problems`.

    Without `known`, the files are the whole dataset (`load_reference`): a code is known if a file
    defines it (territories.csv lists every ISO 3166-1 territory). With `known`, codes in the
    database count too, and tables not in `files` are simply not imported."""
    parsed = Parsed()
    passed: set[tuple[Any, ...]] = set()  # field values that cleaned to themselves, in any file

    def validate(instance: models.Model, exclude: list[str], *, clean: bool = True) -> None:
        validate_row(instance, exclude, clean=clean, passed=passed)

    if "arrangement_parties.csv" in files:
        parsed.party_dates = {}
    files = {name: files.get(name, []) for name in COLUMNS}

    def guarded(rows: list[Row], handle: Callable[[Row], None]) -> None:
        for row in rows:
            try:
                handle(row)
            except RowError as error:
                problems.append(f"{row.where}: {error}")

    def territory(row: Row) -> None:
        v = row.values
        iso3 = require(v["iso3"], "iso3")
        if iso3 in parsed.territories:
            raise RowError(f"duplicate territory {iso3!r}")
        # An empty alpha-2 is None: alpha-2 codes are unique, and territories without one exist.
        item = Territory(
            iso3=iso3,
            iso2=v["iso2"] or None,
            name=require(v["name"], "name"),
            name_zh=v["name_zh"],
            kind=v["kind"],
        )
        validate(item, exclude=[])
        parsed.territories[iso3] = (row, item)

    guarded(files["territories.csv"], territory)
    iso2_seen: dict[str | None, str] = {}
    for iso3, (territory_row, listed) in parsed.territories.items():
        if listed.iso2 in iso2_seen:
            problems.append(
                f"{territory_row.where if territory_row else 'territories'}: "
                f"alpha-2 {listed.iso2!r} used by {iso2_seen[listed.iso2]} too"
            )
        if listed.iso2:
            iso2_seen[listed.iso2] = iso3

    def known_territory(code: str) -> str:
        if code not in parsed.territories and (known is None or code not in known.territories):
            raise RowError(f"unknown territory {code!r}")
        return code

    def economy(row: Row) -> None:
        v = row.values
        code = require(v["code"], "code")
        if code in parsed.economies:
            raise RowError(f"duplicate economy {code!r}")
        item = Economy(
            code=code,
            name=require(v["name"], "name"),
            name_zh=v["name_zh"],
            kind=parse_choice(v["kind"], "kind", EconomyKind.values),
        )
        validate(item, exclude=[])
        parsed.economies[code] = (row, item)

    guarded(files["economies.csv"], economy)

    def known_economy(code: str) -> str:
        if code not in parsed.economies and (known is None or code not in known.economies):
            raise RowError(f"unknown economy {code!r}")
        return code

    def economy_member(row: Row) -> None:
        v = row.values
        item = build(
            EconomyMembership,
            economy_id=known_economy(require(v["economy"], "economy")),
            territory_id=known_territory(require(v["territory"], "territory")),
            start_date=parse_date(v["start_date"], "start_date"),
            end_date=parse_date(v["end_date"], "end_date"),
            note=v["note"],
        )
        item.overlaps_checked_by_formset = True  # by `find_overlaps`, for the whole file at once
        validate(item, exclude=["economy", "territory"])
        parsed.economy_members.append((row, item))

    guarded(files["economy_members.csv"], economy_member)

    def bloc(row: Row) -> None:
        v = row.values
        code = require(v["code"], "code")
        if code in parsed.blocs:
            raise RowError(f"duplicate bloc {code!r}")
        item = Bloc(
            code=code,
            name=require(v["name"], "name"),
            name_zh=v["name_zh"],
            definition=v["definition"],
            source=v["source"],
        )
        validate(item, exclude=[])
        parsed.blocs[code] = (row, item)

    guarded(files["blocs.csv"], bloc)

    def known_bloc(code: str) -> bool:
        return code in parsed.blocs or (known is not None and code in known.blocs)

    def bloc_member(row: Row) -> None:
        v = row.values
        code = require(v["bloc"], "bloc")
        if not known_bloc(code):
            raise RowError(f"unknown bloc {code!r}")
        item = build(
            BlocMembership,
            bloc_id=code,
            territory_id=known_territory(require(v["territory"], "territory")),
            start_date=parse_date(v["start_date"], "start_date"),
            end_date=parse_date(v["end_date"], "end_date"),
            note=v["note"],
        )
        item.overlaps_checked_by_formset = True  # by `find_overlaps`, for the whole file at once
        validate(item, exclude=["bloc", "territory"])
        parsed.bloc_members.append((row, item))

    guarded(files["bloc_members.csv"], bloc_member)

    membership_sets: list[tuple[str, list[tuple[Row, Any]], str, list[Any]]] = [
        ("economy", parsed.economy_members, "economy_id", known.economy_members if known else []),
        ("bloc", parsed.bloc_members, "bloc_id", known.bloc_members if known else []),
    ]
    for label, members, group, saved in membership_sets:
        by_pair: dict[tuple[str, str], list[tuple[Row, Period]]] = defaultdict(list)
        for member_row, member in members:
            by_pair[(getattr(member, group), member.territory_id)].append(
                (member_row, (member.start_date, member.end_date))
            )
        # A saved membership stays unless a row replaces it (same group, territory and start).
        replaced = {(code, iso3, period[0]) for (code, iso3), items in by_pair.items() for _, period in items}
        kept: dict[tuple[str, str], list[Period]] = defaultdict(list)
        for code, iso3, start, end in saved:
            if (code, iso3) in by_pair and (code, iso3, start) not in replaced:
                kept[(code, iso3)].append((start, end))
        overlapping: set[int] = set()
        for (code, iso3), items in by_pair.items():
            found = find_overlaps(label, code, iso3, [(r, s, e) for r, (s, e) in items], kept[(code, iso3)])
            overlapping.update(int(problem.split(":", 2)[1]) for problem in found)
            problems.extend(found)
        # A refused row is not applied (the preview would only report it again, as a constraint).
        members[:] = [
            (member_row, item) for member_row, item in members if member_row.line not in overlapping
        ]

    def arrangement(row: Row) -> None:
        v = row.values
        key = require(v["key"], "key")
        if key in parsed.arrangements:
            raise RowError(f"duplicate arrangement key {key!r}")
        parties = [p.strip() for p in v["parties"].split(PARTY_SEPARATOR) if p.strip()]
        duplicates = services.repeated_parties(parties)
        if duplicates:
            raise RowError(f"party listed twice: {', '.join(duplicates)}")
        if services.too_few_parties(parties):
            raise RowError("an arrangement needs two or more parties")
        for party in parties:
            known_economy(party)
        item = Arrangement(
            key=key,
            title=v["title"],
            signed_date=parse_date(v["signed_date"], "signed_date"),
            signed_precision=parse_choice(
                v["signed_precision"], "signed_precision", DatePrecision.values, blank=True
            ),
            effective_date=parse_date(v["effective_date"], "effective_date"),
            effective_precision=parse_choice(
                v["effective_precision"], "effective_precision", DatePrecision.values, blank=True
            ),
            ended_date=parse_date(v["ended_date"], "ended_date"),
            status=parse_choice(v["status"], "status", Status.values),
            evidence=parse_choice(v["evidence"], "evidence", Evidence.values),
            notes=v["notes"],
        )
        # The reference format has no ended_precision column: an end date is a day.
        item.ended_precision = DatePrecision.DAY if item.ended_date else ""
        validate(item, exclude=[])
        sources = [s.strip() for s in v["sources"].split(SOURCE_SEPARATOR) if s.strip()]
        for position, source in enumerate(sources):
            # The admin's validation of a source (URL syntax, length), position by position.
            try:
                validate(Source(position=position, **Source.fields_for(source)), exclude=["arrangement"])
            except RowError as error:
                raise RowError(f"source {position + 1}: {error}") from None
        parsed.arrangements[key] = (row, item, parties, sources)

    guarded(files["arrangements.csv"], arrangement)

    def party_date(row: Row) -> None:
        v = row.values
        key = require(v["arrangement"], "arrangement")
        if key not in parsed.arrangements:
            raise RowError(f"unknown arrangement {key!r}")
        _, head, parties, _ = parsed.arrangements[key]
        code = require(v["economy"], "economy")
        if code not in parties:
            raise RowError(f"{code!r} is not a party to {key}")
        assert parsed.party_dates is not None
        if (key, code) in parsed.party_dates:
            raise RowError(f"party {code} of {key} listed twice")
        item = ArrangementParty(
            economy_id=code,
            effective_date=parse_date(v["effective_date"], "effective_date"),
            effective_precision=parse_choice(
                v["effective_precision"], "effective_precision", DatePrecision.values, blank=True
            ),
            effective_unknown=parse_choice(v["effective_unknown"], "effective_unknown", [YES], blank=True)
            == YES,
            source=v["source"],
            note=v["note"],
        )
        item.arrangement = head  # unsaved: its dates bound the party's (ArrangementParty.clean)
        validate(item, exclude=["arrangement", "economy"])
        parsed.party_dates[(key, code)] = (row, item)

    if parsed.party_dates is not None:
        guarded(files["arrangement_parties.csv"], party_date)

    claim_keys: set[tuple[str, str, str]] = set()

    def claim(row: Row) -> None:
        v = row.values
        metric = require(v["metric"], "metric")
        if metric.startswith(BLOC_METRIC_PREFIX):
            if not known_bloc(metric.removeprefix(BLOC_METRIC_PREFIX)):
                raise RowError(f"unknown bloc in metric {metric!r}")
        elif metric not in Metric.values:
            raise RowError(f"metric {metric!r} is not one of: {', '.join(Metric.values)}, bloc:<code>")
        if not re.fullmatch(r"\d{1,9}", v["value"]):
            raise RowError(f"value {v['value']!r} is not a whole number")
        item = Claim(
            key=require(v["key"], "key"),
            authority=require(v["authority"], "authority"),
            stated_on=parse_required_date(v["stated_on"], "stated_on"),
            as_of=parse_required_date(v["as_of"], "as_of"),
            economy_id=known_economy(require(v["economy"], "economy")),
            basis=parse_choice(v["basis"], "basis", Basis.values),
            metric=metric,
            value=int(v["value"]),
            source_url=v["source_url"],
            note=v["note"],
        )
        # Not clean(): it looks a bloc metric up in the database, and the file may define the bloc.
        validate(item, exclude=["economy"], clean=False)
        natural = (item.key, item.basis, item.metric)
        if natural in claim_keys:
            raise RowError(f"duplicate claim {item.key} {item.basis} {item.metric}")
        claim_keys.add(natural)
        parsed.claims.append((row, item))

    guarded(files["claims.csv"], claim)

    def source_document(row: Row) -> None:
        v = row.values
        url = require(v["url"], "url")
        if url in parsed.source_documents:
            raise RowError(f"duplicate source document {url!r}")
        item = SourceDocument(
            url=url,
            title=v["title"],
            publisher=v["publisher"],
            published=parse_date(v["published"], "published"),
            archive_url=v["archive_url"],
        )
        validate(item, exclude=[])
        parsed.source_documents[url] = (row, item)

    guarded(files["source_documents.csv"], source_document)

    def programme(row: Row) -> None:
        v = row.values
        economy = known_economy(require(v["economy"], "economy"))
        if economy in parsed.programmes:
            raise RowError(f"duplicate programme of {economy!r}")
        launched = parse_date(v["launched_date"], "launched_date")
        precision = parse_choice(
            v["launched_precision"], "launched_precision", DatePrecision.values, blank=True
        )
        item = Programme(
            economy_id=economy,
            name=require(v["name"], "name"),
            native_name=v["native_name"],
            launched_date=launched,
            launched_precision=precision,
            legal_basis=v["legal_basis"],
            sources=v["sources"],
            confidence=parse_choice(v["confidence"], "confidence", Confidence.values),
            note=v["note"],
        )
        validate(item, exclude=["economy"])
        parsed.programmes[economy] = (row, item)

    guarded(files["programmes.csv"], programme)

    count_keys: set[tuple[str, dt.date]] = set()

    def programme_count(row: Row) -> None:
        v = row.values
        economy = require(v["economy"], "economy")
        if economy not in parsed.programmes and (known is None or economy not in known.programmes):
            raise RowError(f"no programme of economy {economy!r}")
        if not re.fullmatch(r"\d{1,9}", v["operators"]):
            raise RowError(f"operators {v['operators']!r} is not a whole number")
        item = ProgrammeCount(
            programme_id=economy,
            operators=int(v["operators"]),
            qualifier=parse_choice(v["qualifier"], "qualifier", CountQualifier.values),
            as_of_date=parse_required_date(v["as_of_date"], "as_of_date"),
            as_of_precision=parse_choice(v["as_of_precision"], "as_of_precision", DatePrecision.values),
            source=v["source"],
            confidence=parse_choice(v["confidence"], "confidence", Confidence.values),
            note=v["note"],
        )
        validate(item, exclude=["programme"])
        natural = (economy, item.as_of_date)
        if natural in count_keys:
            raise RowError(f"duplicate count of {economy} on {item.as_of_date.isoformat()}")
        count_keys.add(natural)
        parsed.programme_counts.append((row, item))

    guarded(files["programme_counts.csv"], programme_count)
    return parsed


FieldValues = dict[str, Any]


def _values(instance: models.Model, fields: tuple[str, ...]) -> FieldValues:
    return {name: getattr(instance, name) for name in fields}


BATCH_SIZE = 5000

# Columns that PostgreSQL's fast insert takes as they are (psycopg2 adapts their Python values).
_PLAIN_COLUMNS = (
    models.CharField,
    models.TextField,
    models.DateField,
    models.IntegerField,
    models.ForeignKey,
    models.AutoField,
)


def array_literal(values: Iterable[Any]) -> str:
    """PostgreSQL's text form of a one-dimensional array (`{"a","b",NULL}`), for a `%s::type[]`
    parameter: every element double-quoted with `"` and `\\` escaped, None as NULL.

    psycopg2 sends a Python list as `ARRAY['a','b',...]`, one literal per element that the server
    parses as an expression of its own: a third of the time of an 80,000-row insert. One string
    per column is read by the array type's input function instead. Dates go as ISO 8601, which
    the server reads whatever its DateStyle."""
    items = list(values)
    if not items:
        return "{}"
    texts = [
        value.isoformat() if isinstance(value, dt.date) else str(value)
        for value in items
        if value is not None
    ]
    if len(texts) == len(items):
        # No NULL: every element is escaped and quoted at once, over the whole column, with NUL
        # (which no text PostgreSQL stores can hold) between elements while escaping.
        joined = "\x00".join(texts)
        if joined.count("\x00") == len(texts) - 1:
            return '{"' + _escape(joined).replace("\x00", '","') + '"}'
    quoted = iter(f'"{_escape(text)}"' for text in texts)
    return "{" + ",".join("NULL" if value is None else next(quoted) for value in items) + "}"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def insert(model: type[models.Model], instances: list[models.Model]) -> None:
    """`bulk_create`, and on PostgreSQL one INSERT ... SELECT FROM unnest(column arrays) per batch.

    Django prepares every value of a bulk insert through its compiler, which cost an 80,000-row
    import seconds; the plain columns of the registry's tables (text, dates, codes) go to the
    database as arrays instead, one text parameter per column (`array_literal`), and the new
    primary keys come back in order."""
    # Every column but a generated primary key (codes are primary keys too, and are given).
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]
    if connection.vendor != "postgresql" or not all(isinstance(f, _PLAIN_COLUMNS) for f in fields):
        model._default_manager.bulk_create(instances)
        return
    quote = connection.ops.quote_name
    arrays = ", ".join(f"%s::{field.db_type(connection) or 'text'}[]" for field in fields)
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(str(f.column)) for f in fields)}) "
        f"SELECT * FROM unnest({arrays}) RETURNING {quote(str(model._meta.pk.column))}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [array_literal(getattr(i, f.attname) for i in instances) for f in fields])
        keys = [row[0] for row in cursor.fetchall()]
    for instance, key in zip(instances, keys, strict=True):
        instance.pk = key
        instance._state.adding = False
        instance._state.db = connection.alias


class Applier:
    """Upserts parsed rows; records constraint violations against their lines."""

    def __init__(self, *, dry: bool = False) -> None:
        # A dry run (the import's preview) works out every row's outcome without writing the rows
        # that have no children: their constraints are all checked in Python beforehand (natural
        # keys, overlaps), and writing 80,000 rows only to roll them back costs most of a preview.
        self.dry = dry
        self.report = LoadReport()
        self.problems: list[str] = []
        # Rows are saved one by one but their history is written in bulk at the end (much faster).
        self.history = BulkHistory(reason=IMPORT_REASON)
        # Each file row's outcome by its line: "new", "changed" or "unchanged".
        self.outcomes: dict[tuple[str, int], str] = {}
        # What a "changed" row changes, by its line: (field, old value, new value), for the preview.
        self.changes: dict[tuple[str, int], list[tuple[str, str, str]]] = defaultdict(list)
        # Rows without children are written in batches by `flush()`: one statement per
        # BATCH_SIZE rows instead of three round trips per row (an 80,000-row import).
        self.to_create: list[tuple[Row | None, models.Model]] = []
        self.to_update: list[tuple[Row | None, models.Model, tuple[str, ...]]] = []

    def flush(self) -> None:
        """Write the queued rows: updates first (a membership closed by the file makes room for
        the file's next one), then creations. A batch the database refuses is written again row
        by row, so each refusal is reported on its own line."""
        if self.dry:
            self.to_create, self.to_update = [], []
            return
        for start in range(0, len(self.to_update), BATCH_SIZE):
            batch = self.to_update[start : start + BATCH_SIZE]
            by_shape: dict[tuple[type[models.Model], tuple[str, ...]], list[models.Model]] = defaultdict(list)
            for _, instance, fields in batch:
                by_shape[(type(instance), fields)].append(instance)
            try:
                with transaction.atomic():
                    for (model, fields), instances in by_shape.items():
                        model._default_manager.bulk_update(instances, fields)
                for instances in by_shape.values():
                    self.history.add(instances, created=False)
            except IntegrityError:
                for row, instance, _ in batch:
                    self.save(row, instance)
        for start in range(0, len(self.to_create), BATCH_SIZE):
            created = self.to_create[start : start + BATCH_SIZE]
            by_model: dict[type[models.Model], list[models.Model]] = defaultdict(list)
            for _, instance in created:
                by_model[type(instance)].append(instance)
            try:
                with transaction.atomic():
                    for model, instances in by_model.items():
                        insert(model, instances)
                for instances in by_model.values():
                    self.history.add(instances, created=True)
            except IntegrityError:
                for row, instance in created:
                    instance.pk = None
                    instance._state.adding = True
                    self.save(row, instance)
        self.to_create, self.to_update = [], []

    def save(self, row: Row | None, instance: models.Model) -> bool:
        adding = instance._state.adding
        try:
            with transaction.atomic(), self.history.deferred(instance):
                instance.save()
            self.history.add([instance], created=adding)
            return True
        except IntegrityError as error:
            self.problems.append(
                f"{row.where if row else instance._meta.db_table}: {explain(instance, error)}"
            )
            return False

    def upsert(
        self,
        table: str,
        existing: Mapping[Any, models.Model],
        key: Any,
        row: Row | None,
        item: models.Model,
        fields: tuple[str, ...],
        *,
        children_changed: Callable[[models.Model], bool] | None = None,
    ) -> models.Model:
        """Create or update in place by natural key; `children_changed` syncs dependent rows."""
        current = existing.get(key)
        if current is None:
            if children_changed is None:
                self.to_create.append((row, item))
            elif self.save(row, item):
                children_changed(item)
            self.report.created[table] += 1
            self.record(row, NEW)
            return item
        changed = _values(current, fields) != _values(item, fields)
        if changed:
            for name in fields:
                if getattr(current, name) != getattr(item, name):
                    self.note_change(row, name, getattr(current, name), getattr(item, name))
                setattr(current, name, getattr(item, name))
            if children_changed is None:
                self.to_update.append((row, current, fields))
            else:
                self.save(row, current)
        if children_changed and children_changed(current):
            changed = True
        (self.report.updated if changed else self.report.unchanged)[table] += 1
        self.record(row, CHANGED if changed else UNCHANGED)
        return current

    def record(self, row: Row | None, outcome: str) -> None:
        if row is not None:
            self.outcomes[(row.file, row.line)] = outcome

    def note_change(self, row: Row | None, name: str, old: Any, new: Any) -> None:
        if row is not None:
            # The file's column: a foreign key's column drops the field's "_id" (claims' economy).
            self.changes[(row.file, row.line)].append((name.removesuffix("_id"), _shown(old), _shown(new)))


def _shown(value: Any) -> str:
    """A value as its CSV cell shows it: dates in ISO form, nothing for None, lists joined by ' ; '."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return " ; ".join(_shown(item) for item in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def explain(instance: models.Model, error: IntegrityError) -> str:
    text = str(error)
    for name, message in OVERLAP_CONSTRAINTS.items():
        if name in text:
            return f"{message} ({name})"
    for constraint in instance._meta.constraints:
        if constraint.name in text:
            return f"{constraint.get_violation_error_message()} ({constraint.name})"
    return f"rejected by the database: {text.strip().splitlines()[0]}"


NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"

# A party's own in-force facts (arrangement_parties.csv), loaded onto the party rows.
PARTY_DATE_FIELDS = ARRANGEMENT_PARTIES.value_fields


def apply(parsed: Parsed, applier: Applier | None = None) -> LoadReport:
    """Write the parsed rows (the body of `services.tables_load`, which gives it its transaction,
    lock and data-version bump: call that)."""
    applier = applier or Applier()
    tables: list[tuple[Table, list[tuple[Row | None, Any]]]] = [
        (TERRITORIES, list(parsed.territories.values())),
        (ECONOMIES, list(parsed.economies.values())),
        (BLOCS, list(parsed.blocs.values())),
        (ECONOMY_MEMBERS, list(parsed.economy_members)),
        (BLOC_MEMBERS, list(parsed.bloc_members)),
    ]
    for table, rows in tables:
        if not rows:
            continue
        existing = {table.key_of(instance): instance for instance in table.model._default_manager.all()}
        for row, item in rows:
            applier.upsert(table.rows_name, existing, table.key_of(item), row, item, table.value_fields)
        applier.flush()  # the next tables refer to these rows

    existing_arrangements = {a.key: a for a in Arrangement.objects.all()} if parsed.arrangements else {}
    existing_parties: dict[int, list[str]] = defaultdict(list)
    existing_sources: dict[int, list[str]] = defaultdict(list)
    if parsed.arrangements:
        for arrangement_id, economy_id in ArrangementParty.objects.order_by("pk").values_list(
            "arrangement_id", "economy_id"
        ):
            existing_parties[arrangement_id].append(economy_id)
        for source in Source.objects.order_by("arrangement_id", "position", "pk"):
            existing_sources[source.arrangement_id].append(source.text)
    fresh: set[int] = set()  # arrangements whose parties this load created, with their own facts
    party_dates = parsed.party_dates
    for arrangement_key, (row, item, parties, sources) in parsed.arrangements.items():

        def sync_children(
            saved: models.Model,
            parties: list[str] = parties,
            sources: list[str] = sources,
            row: Row | None = row,
            existed: bool = arrangement_key in existing_arrangements,
            key: str = arrangement_key,
        ) -> bool:
            changed = False
            old_parties, old_sources = existing_parties.get(saved.pk, []), existing_sources.get(saved.pk, [])
            if existed and sorted(old_parties) != sorted(parties):
                applier.note_change(row, "parties", sorted(old_parties), sorted(parties))
            if existed and old_sources != sources:
                applier.note_change(row, "sources", old_sources, sources)
            assert isinstance(saved, Arrangement)
            if sorted(existing_parties.get(saved.pk, [])) != sorted(parties):
                # A party's own in-force facts come from arrangement_parties.csv when it is loaded,
                # else they stay as they were (the admin's import of arrangements.csv alone).
                facts = (
                    None
                    if party_dates is None
                    else {
                        code: _values(own, PARTY_DATE_FIELDS)
                        for (k, code), (_, own) in party_dates.items()
                        if k == key
                    }
                )
                services.arrangement_parties_replace(
                    arrangement=saved, parties=parties, facts=facts, history=applier.history
                )
                fresh.add(saved.pk)
                changed = True
            if existing_sources.get(saved.pk, []) != sources:
                services.arrangement_sources_replace(
                    arrangement=saved, sources=sources, history=applier.history
                )
                changed = True
            return changed

        applier.upsert(
            ARRANGEMENTS.rows_name,
            existing_arrangements,
            arrangement_key,
            row,
            item,
            ARRANGEMENTS.value_fields,
            children_changed=sync_children,
        )

    if parsed.party_dates is not None:
        # Every party of every arrangement: its own facts from the file, or none (a party not in
        # the file takes the arrangement's in-force date).
        blank = ArrangementParty()
        for party in ArrangementParty.objects.select_related("arrangement").order_by("pk"):
            row, wanted = parsed.party_dates.get((party.arrangement.key, party.economy_id), (None, blank))
            if party.arrangement_id in fresh:
                if row is not None:
                    applier.report.created[ARRANGEMENT_PARTIES.rows_name] += 1
                    applier.record(row, NEW)
                continue
            if _values(party, PARTY_DATE_FIELDS) == _values(wanted, PARTY_DATE_FIELDS):
                if row is not None:
                    applier.report.unchanged[ARRANGEMENT_PARTIES.rows_name] += 1
                    applier.record(row, UNCHANGED)
                continue
            for name in PARTY_DATE_FIELDS:
                setattr(party, name, getattr(wanted, name))
            applier.save(row, party)
            applier.report.updated[ARRANGEMENT_PARTIES.rows_name] += 1
            applier.record(row, CHANGED)

    existing_claims = {CLAIMS.key_of(c): c for c in Claim.objects.all()} if parsed.claims else {}
    for claim_row, claim in parsed.claims:
        applier.upsert(
            CLAIMS.rows_name, existing_claims, CLAIMS.key_of(claim), claim_row, claim, CLAIMS.value_fields
        )

    documents = SOURCE_DOCUMENTS
    existing_documents = (
        {documents.key_of(d): d for d in SourceDocument.objects.all()} if parsed.source_documents else {}
    )
    for document_row, document in parsed.source_documents.values():
        key = documents.key_of(document)
        applier.upsert(
            documents.rows_name, existing_documents, key, document_row, document, documents.value_fields
        )
    if parsed.programmes:
        applier.flush()  # the claims' economies are saved; programmes refer to economies only
        existing_programmes = {PROGRAMMES.key_of(p): p for p in Programme.objects.all()}
        for programme_row, programme in parsed.programmes.values():
            applier.upsert(
                PROGRAMMES.rows_name,
                existing_programmes,
                PROGRAMMES.key_of(programme),
                programme_row,
                programme,
                PROGRAMMES.value_fields,
            )
        applier.flush()  # the counts refer to these rows
    counts = PROGRAMME_COUNTS
    existing_counts = (
        {counts.key_of(c): c for c in ProgrammeCount.objects.all()} if parsed.programme_counts else {}
    )
    for count_row, count in parsed.programme_counts:
        applier.upsert(
            counts.rows_name, existing_counts, counts.key_of(count), count_row, count, counts.value_fields
        )

    applier.flush()
    applier.history.flush()
    if applier.problems:
        raise ReferenceDataError(applier.problems)
    return applier.report


def load_reference(directory: Path) -> LoadReport:
    """Validate the dataset in `directory`, then load it with `services.tables_load`: one
    transaction (all or nothing), the data version bumped once if anything was created or updated,
    never by an idempotent reload."""
    report = services.tables_load(parsed=parse(directory))
    if report.changed:
        refresh_statistics()
    return report


def refresh_statistics() -> None:
    """Refresh PostgreSQL's planner statistics of the registry's tables, after a bulk write.

    The planner picks each query's plan from them; until they are refreshed (by autovacuum, a
    minute or more later, or never where it is off) a table grown a hundredfold is planned as the
    small table it was: the arrangement list at a hundred times the reference data read every
    source and every party link with sequential scans, 63 ms instead of 32. Inside a transaction
    the rows it wrote are counted, and the statistics roll back with it."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(
        connection.ops.quote_name(model._meta.db_table)
        for model in apps.get_app_config("agreements").get_models(include_auto_created=True)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")
