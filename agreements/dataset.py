"""The full download: every registry table as CSV in the reference-data format, zipped with a README.

`table_rows(name)` is the inverse of the loader (`agreements.reference`): each file has exactly
the columns of its declaration (`agreements.tables`), and loading an export into an empty
database, then exporting again, gives the same bytes. Rows are sorted in Python by their natural
key, so the order does not depend on the database's collation or NULL ordering;
`territories.csv` lists every territory in the database (every ISO 3166-1 territory, not only
those the data refers to).

Decisions: arrangement parties keep the order they were entered in (the loader keeps the file's
order); `ended_precision` is not in the reference format (the loader reads an end date as a day).
Cells are neutralised against spreadsheet formulas like every CSV the registry writes
(`agreements.spreadsheet`); the loader undoes it.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from agreements import versioning
from agreements.models import (
    Arrangement,
    ArrangementParty,
    Source,
)
from agreements.reference import PARTY_SEPARATOR, SOURCE_SEPARATOR, YES
from agreements.spreadsheet import neutralise
from agreements.tables import ARRANGEMENT_PARTIES, ARRANGEMENTS, TABLES, Kind, Table

ZIP_NAME = "aeo-registry-data.zip"
README_SOURCE = Path(settings.BASE_DIR) / "data" / "README.md"
# Zip entries carry a fixed timestamp: the archive's bytes depend on the data only.
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)

# Each file's model, from its declaration (agreements.tables).
TABLE_MODELS: dict[str, type[Any]] = {name: table.model for name, table in TABLES.items()}


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralise(str(value))


def _natural_order(table: Table, rows: Iterable[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """Rows sorted by their natural key, an unknown (empty) start before every date."""
    positions = [table.header.index(column) for column in table.key]
    return sorted(rows, key=lambda row: tuple((row[i] is not None, row[i]) for i in positions))


def _arrangements() -> list[tuple[object, ...]]:
    parties: dict[int, list[str]] = defaultdict(list)
    for arrangement_id, code in ArrangementParty.objects.order_by("pk").values_list(
        "arrangement_id", "economy_id"
    ):
        parties[arrangement_id].append(code)
    sources: dict[int, list[str]] = defaultdict(list)
    for arrangement_id, url, citation in Source.objects.order_by(
        "arrangement_id", "position", "pk"
    ).values_list("arrangement_id", "url", "citation"):
        sources[arrangement_id].append(url or citation)
    made = {
        "parties": lambda pk: PARTY_SEPARATOR.join(parties[pk]),
        "sources": lambda pk: SOURCE_SEPARATOR.join(sources[pk]),
    }
    columns = [ARRANGEMENTS.column(name) for name in ARRANGEMENTS.header]
    return [
        tuple(made[c.name](a["pk"]) if c.field is None else a[c.field] for c in columns)
        for a in Arrangement.objects.order_by("key").values("pk", *ARRANGEMENTS.fields())
    ]


def _party_dates_query() -> Any:
    """The parties with facts of their own (a date, "unknown", a source or a note): the others
    take the arrangement's in-force date and have no row in arrangement_parties.csv."""
    from django.db.models import Q

    return ArrangementParty.objects.exclude(
        Q(effective_date__isnull=True, effective_unknown=False, source="", note="")
    )


def _flag(value: object) -> str:
    return YES if value else ""


def table_rows(name: str) -> list[tuple[object, ...]]:
    """The rows of one reference file (without its header), in the file's column order, sorted by
    the natural key."""
    table = TABLES[name]
    if table is ARRANGEMENTS:
        return _natural_order(table, _arrangements())
    query = _party_dates_query() if table is ARRANGEMENT_PARTIES else table.model._default_manager.all()
    rows = query.values_list(*table.fields())
    flags = [i for i, column in enumerate(table.header) if table.column(column).kind == Kind.FLAG]
    if flags:
        rows = (tuple(_flag(v) if i in flags else v for i, v in enumerate(row)) for row in rows)
    return _natural_order(table, rows)


def table_csv(name: str, rows: list[tuple[object, ...]] | None = None) -> bytes:
    """One reference file's exact bytes: UTF-8, LF line ends as in data/, a header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(TABLES[name].header)
    writer.writerows([_cell(value) for value in row] for row in (table_rows(name) if rows is None else rows))
    return buffer.getvalue().encode("utf-8")


def record_counts() -> dict[str, int]:
    """Rows per reference file (memberships and claims counted as rows, territories all known)."""
    return {
        name: (_party_dates_query() if model is ArrangementParty else model.objects).count()
        for name, model in TABLE_MODELS.items()
    }


@dataclass(frozen=True, slots=True)
class Download:
    version: str
    changed_at: dt.datetime | None
    counts: dict[str, int]
    digest: str
    content: bytes


def _readme(version: str, changed_at: dt.datetime | None, counts: dict[str, int], digest: str) -> bytes:
    stamp = changed_at.isoformat(timespec="seconds") if changed_at else "never"
    lines = [
        "# AEO Registry: full data download",
        "",
        f"- Data version: {version} (last changed {stamp})",
        f"- Content digest (SHA-256 of the CSV files in name order): {digest}",
        "- Licence: Creative Commons Attribution 4.0 International (CC BY 4.0,",
        "  https://creativecommons.org/licenses/by/4.0/).",
        '  Attribution: "AEO Registry reference data, CC BY 4.0".',
        "- Format: the reference-data format below; load it with",
        "  `python manage.py load_reference --dir FOLDER`.",
        "- Cells that would start with =, +, -, @, a tab or a carriage return are prefixed with ' so",
        "  spreadsheets do not run them as formulas; the loader removes that one quote.",
        "",
        "| file | records |",
        "|---|---|",
        *(f"| `{name}` | {count} |" for name, count in counts.items()),
        "",
        "The rest of this file is the dataset's description (data/README.md): fields, values, counting",
        "rules, sources and decisions. `territories.csv` here lists every territory the registry knows.",
        "",
        "---",
        "",
    ]
    return ("\n".join(lines)).encode("utf-8") + README_SOURCE.read_bytes()


def build_download() -> Download:
    """The zip of every table and the README, with the version it was built at."""
    version, changed_at = versioning.version_info()
    rows = {name: table_rows(name) for name in TABLES}
    tables = {name: table_csv(name, rows[name]) for name in TABLES}
    digest = hashlib.sha256(b"".join(tables[name] for name in sorted(tables))).hexdigest()
    counts = {name: len(rows[name]) for name in TABLES}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        entries: Iterable[tuple[str, bytes]] = [
            ("README.md", _readme(version, changed_at, counts, digest)),
            *tables.items(),
        ]
        for name, content in entries:
            info = zipfile.ZipInfo(f"aeo-registry-data/{name}", date_time=ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return Download(version, changed_at, counts, digest, buffer.getvalue())


def iter_members(content: bytes) -> Iterator[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for info in archive.infolist():
            yield info.filename, archive.read(info)
