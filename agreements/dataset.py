"""The full download: every registry table as CSV in the reference-data format, zipped with a README.

`table_rows(name)` is the inverse of the loader (`agreements.reference`): each file has exactly
the loader's `COLUMNS`, and loading an export into an empty database, then exporting again, gives
the same bytes. Rows are sorted in Python by their natural key, so the order does not depend on
the database's collation or NULL ordering; `territories.csv` lists every territory in the
database (every ISO 3166-1 territory, not only those the data refers to).

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
from agreements.reference import COLUMNS, PARTY_SEPARATOR, SOURCE_SEPARATOR, YES
from agreements.spreadsheet import neutralise

ZIP_NAME = "aeo-registry-data.zip"
README_SOURCE = Path(settings.BASE_DIR) / "data" / "README.md"
# Zip entries carry a fixed timestamp: the archive's bytes depend on the data only.
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)

TABLE_MODELS: dict[str, type[Any]] = {
    "territories.csv": Territory,
    "economies.csv": Economy,
    "economy_members.csv": EconomyMembership,
    "blocs.csv": Bloc,
    "bloc_members.csv": BlocMembership,
    "arrangements.csv": Arrangement,
    "arrangement_parties.csv": ArrangementParty,
    "claims.csv": Claim,
    "source_documents.csv": SourceDocument,
    "programmes.csv": Programme,
    "programme_counts.csv": ProgrammeCount,
}


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralise(str(value))


def _start_key(day: dt.date | None) -> tuple[bool, dt.date]:
    return (day is not None, day or dt.date.min)


def _territories() -> list[tuple[object, ...]]:
    return sorted(Territory.objects.values_list("iso3", "iso2", "name", "name_zh", "kind"))


def _economies() -> list[tuple[object, ...]]:
    return sorted(Economy.objects.values_list("code", "name", "name_zh", "kind"))


def _memberships(model: type[Any], group: str) -> list[tuple[object, ...]]:
    rows = model.objects.values_list(f"{group}_id", "territory_id", "start_date", "end_date", "note")
    return sorted(rows, key=lambda r: (r[0], r[1], _start_key(r[2])))


def _blocs() -> list[tuple[object, ...]]:
    return sorted(Bloc.objects.values_list("code", "name", "name_zh", "definition", "source"))


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
    rows = []
    for a in Arrangement.objects.order_by("key").values(
        "pk",
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
    ):
        rows.append(
            (
                a["key"],
                a["title"],
                PARTY_SEPARATOR.join(parties[a["pk"]]),
                a["signed_date"],
                a["signed_precision"],
                a["effective_date"],
                a["effective_precision"],
                a["ended_date"],
                a["status"],
                a["evidence"],
                SOURCE_SEPARATOR.join(sources[a["pk"]]),
                a["notes"],
            )
        )
    return sorted(rows, key=lambda r: str(r[0]))


def _party_dates_query() -> Any:
    """The parties with facts of their own (a date, "unknown", a source or a note): the others
    take the arrangement's in-force date and have no row in arrangement_parties.csv."""
    from django.db.models import Q

    return ArrangementParty.objects.exclude(
        Q(effective_date__isnull=True, effective_unknown=False, source="", note="")
    )


def _arrangement_parties() -> list[tuple[object, ...]]:
    rows = _party_dates_query().values_list(
        "arrangement__key",
        "economy_id",
        "effective_date",
        "effective_precision",
        "effective_unknown",
        "source",
        "note",
    )
    return sorted(
        (key, economy, day, precision, YES if unknown else "", source, note)
        for key, economy, day, precision, unknown, source, note in rows
    )


def _claims() -> list[tuple[object, ...]]:
    rows = Claim.objects.values_list(
        "key",
        "authority",
        "stated_on",
        "as_of",
        "economy_id",
        "basis",
        "metric",
        "value",
        "source_url",
        "note",
    )
    return sorted(rows, key=lambda r: (r[0], r[5], r[6]))


def _source_documents() -> list[tuple[object, ...]]:
    return sorted(SourceDocument.objects.values_list("url", "title", "publisher", "published", "archive_url"))


def _programmes() -> list[tuple[object, ...]]:
    return sorted(
        Programme.objects.values_list(*_fields("programmes.csv", economy="economy_id")),
        key=lambda r: str(r[0]),
    )


def _programme_counts() -> list[tuple[object, ...]]:
    return sorted(
        ProgrammeCount.objects.values_list(*_fields("programme_counts.csv", economy="programme_id")),
        key=lambda r: (r[0], r[1]),
    )


def _fields(name: str, **renamed: str) -> list[str]:
    """The model fields of a reference file's columns, in its order."""
    return [renamed.get(column, column) for column in COLUMNS[name]]


def table_rows(name: str) -> list[tuple[object, ...]]:
    """The rows of one reference file (without its header), in the file's column order."""
    readers = {
        "territories.csv": _territories,
        "economies.csv": _economies,
        "economy_members.csv": lambda: _memberships(EconomyMembership, "economy"),
        "blocs.csv": _blocs,
        "bloc_members.csv": lambda: _memberships(BlocMembership, "bloc"),
        "arrangements.csv": _arrangements,
        "arrangement_parties.csv": _arrangement_parties,
        "claims.csv": _claims,
        "source_documents.csv": _source_documents,
        "programmes.csv": _programmes,
        "programme_counts.csv": _programme_counts,
    }
    return readers[name]()


def table_csv(name: str, rows: list[tuple[object, ...]] | None = None) -> bytes:
    """One reference file's exact bytes: UTF-8, LF line ends as in data/, a header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS[name])
    writer.writerows([_cell(value) for value in row] for row in (table_rows(name) if rows is None else rows))
    return buffer.getvalue().encode("utf-8")


def write_tables(directory: Path) -> None:
    """Write every reference file into `directory` (what `load_reference --dir` reads)."""
    for name in COLUMNS:
        (directory / name).write_bytes(table_csv(name))


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
    rows = {name: table_rows(name) for name in COLUMNS}
    tables = {name: table_csv(name, rows[name]) for name in COLUMNS}
    digest = hashlib.sha256(b"".join(tables[name] for name in sorted(tables))).hexdigest()
    counts = {name: len(rows[name]) for name in COLUMNS}
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
