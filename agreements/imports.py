"""Bulk import of one table from a CSV in the export format, with a preview of every row's outcome.

The import format is the export format: one file of the full download (`agreements.dataset`),
with exactly the columns of its declaration (`agreements.tables`). Rows are validated against
the database (codes it already holds are known), then applied in one transaction
(`services.tables_load`, the loader's bulk write): any problem applies nothing. The preview is
the same import run inside a transaction that is rolled back, so "new", "changed" and
"unchanged" are what confirming would do.

An upload is untrusted: besides everything the loader checks, a cell longer than
`MAX_IMPORT_CELL` characters is refused, and so is a raw spreadsheet formula (a cell starting
with `=`, `+` or `@`). A formula-looking text is stored only when quoted as the export quotes it
(`'=...`); the quote is removed on import as `agreements.spreadsheet.restore` does.
"""

from __future__ import annotations

import contextlib
import gc
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import transaction

from agreements import services, versioning
from agreements.reference import (
    Applier,
    Known,
    Parsed,
    ReferenceDataError,
    Row,
    parse_valid_rows,
    refresh_statistics,
    rows_from_bytes,
)
from agreements.tables import IMPORTABLE

ERROR = "error"
# A row shows at most this many messages ("… and N more"); a preview lists at most this many
# rows (the errors first, when there are any): an 80,000-row file stays a readable page.
MAX_MESSAGES_PER_ROW = 5
MAX_SHOWN_ROWS = 1000
OUTCOMES = ("new", "changed", "unchanged", ERROR)

# Each importable table and the columns that identify a row (its natural key).
NATURAL_COLUMNS: dict[str, tuple[str, ...]] = {name: table.key for name, table in IMPORTABLE.items()}


@dataclass(frozen=True)
class RowResult:
    line: int
    key: str
    outcome: str
    messages: tuple[str, ...] = ()
    # A changed row's changes: (column, old value, new value).
    changes: tuple[tuple[str, str, str], ...] = ()


@dataclass
class ImportResult:
    table: str
    rows: list[RowResult]
    # Every problem as `file:line: message`, as the loader reports them.
    problems: list[str] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(row.outcome for row in self.rows)
        return {outcome: counted[outcome] for outcome in OUTCOMES}

    @property
    def shown_rows(self) -> list[RowResult]:
        """The rows a preview lists: the error rows if there are any, else every row; capped."""
        errors = [row for row in self.rows if row.outcome == ERROR]
        return (errors or self.rows)[:MAX_SHOWN_ROWS]

    @property
    def hidden_rows(self) -> int:
        return len(self.rows) - len(self.shown_rows)

    @property
    def changes(self) -> bool:
        return any(row.outcome in ("new", "changed") for row in self.rows)


class _RollBack(Exception):
    pass


def _label(table: str, row: Row) -> str:
    return " · ".join(row.values.get(column, "") or "—" for column in NATURAL_COLUMNS[table])


def import_table(table: str, data: bytes, *, commit: bool = False) -> ImportResult:
    """Validate `data` as `table` against the database; apply it if `commit` and nothing is wrong.

    Without `commit` (the preview), the rows are applied in a transaction that is rolled back."""
    if table not in NATURAL_COLUMNS:
        raise ValueError(f"{table} cannot be imported")
    with _collector_paused():
        return _import_table(table, data, commit=commit)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the import: a large file makes about a million
    objects that all live until the import ends (rows, model instances, results), and the
    collector's full passes rescanned them all again and again, about a twentieth of an
    80,000-row import. Reference counting still frees everything; cycles wait for the end."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _import_table(table: str, data: bytes, *, commit: bool) -> ImportResult:
    problems: list[str] = []
    rows = rows_from_bytes(table, data, problems, untrusted=True)
    applier = Applier(dry=not commit)
    applied = False
    try:
        # One change: the version moves (once) at the end of `batched()`, never for a preview or a
        # refused file, whose transaction is rolled back.
        with transaction.atomic(), versioning.batched():
            # Writers queue here; what the rows are checked against is read after the lock, so a
            # concurrent import's committed rows are seen (issue 11, finding 5).
            versioning.lock()
            parsed = parse_valid_rows({table: rows}, problems, Known.from_database()) if rows else Parsed()
            # tables_load raises ReferenceDataError on a constraint violation, which rolls back too.
            services.tables_load(parsed=parsed, applier=applier)
            if problems or not commit:
                raise _RollBack
            applied = True
    except (_RollBack, ReferenceDataError):
        pass
    if applied:
        refresh_statistics()
    problems += applier.problems
    return ImportResult(table, _row_results(table, rows, problems, applier), problems, applied)


def _row_results(table: str, rows: list[Row], problems: list[str], applier: Applier) -> list[RowResult]:
    pattern = re.compile(rf"{re.escape(table)}:(\d+): (.*)", re.DOTALL)
    messages: dict[int, list[str]] = {}
    for problem in problems:
        match = pattern.fullmatch(problem)
        line = int(match[1]) if match else 0
        messages.setdefault(line, []).append(match[2] if match else problem)
    by_line = {row.line: row for row in rows}
    results = []
    for line in sorted(set(by_line) | set(messages)):
        row = by_line.get(line)
        key = _label(table, row) if row else ""
        if line in messages:
            shown = messages[line][:MAX_MESSAGES_PER_ROW]
            if len(messages[line]) > MAX_MESSAGES_PER_ROW:
                shown.append(f"… and {len(messages[line]) - MAX_MESSAGES_PER_ROW} more")
            results.append(RowResult(line, key, ERROR, tuple(shown)))
        else:
            outcome = applier.outcomes.get((table, line), "unchanged")
            changes = tuple(applier.changes.get((table, line), ()))
            results.append(RowResult(line, key, outcome, changes=changes))
    return results
