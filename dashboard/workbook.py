"""The Excel twin of a list (`format=xlsx`): the CSV's columns, with dates as dates and numbers as
numbers, and a second sheet saying what the file holds.

Written with openpyxl's write-only mode, which streams rows to a temporary file, into an
anonymous temporary file that is then streamed out, so memory stays flat whatever the number of
rows (`make bench` measures a 100,000-row workbook). A text cell is always text: one that starts
with `=` would otherwise be stored as a formula, so it is written as a string cell explicitly;
characters a workbook cannot hold (C0 controls) are dropped.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from agreements.versioning import current_version

CHUNK_BYTES = 64 * 1024
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LICENCE = "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/): AEO Registry"
SOURCES = (
    "Every arrangement lists its sources (the sources and sources_names columns of the arrangements "
    "table, and each record's page); the full download holds them all."
)


def _cell(sheet: WriteOnlyWorksheet, value: object) -> object:
    if isinstance(value, str):
        text: str = ILLEGAL_CHARACTERS_RE.sub("", value)
        if text.startswith("="):
            cell = WriteOnlyCell(sheet, value=text)
            cell.data_type = "s"  # text, never a formula
            return cell
        return text or None
    if isinstance(value, list | tuple):
        return "; ".join(str(item) for item in value) or None
    if value is None or isinstance(value, bool | int | float | dt.date):
        return value
    return str(value)


def write(spec: Any, rows: Iterable[Any], *, params: Mapping[str, object], file: Any, url: str = "") -> int:
    """Write the workbook of `rows` to `file`; returns the number of rows written."""
    book = Workbook(write_only=True)
    data = book.create_sheet(spec.view[:31])
    bold = Font(bold=True)
    header = []
    for name in spec.header:
        cell = WriteOnlyCell(data, value=name)
        cell.font = bold
        header.append(cell)
    data.append(header)
    count = 0
    for row in rows:
        data.append([_cell(data, value) for value in spec.values(row)])
        count += 1
    about = book.create_sheet("about")
    about.append([WriteOnlyCell(about, value="AEO Registry"), None])
    facts: list[tuple[str, object]] = [
        ("view", spec.view),
        ("rows", count),
        ("data version", current_version()),
        ("generated", timezone.now().replace(microsecond=0, tzinfo=None)),
        ("licence", LICENCE),
        ("sources", SOURCES),
    ]
    if url:
        facts.append(("url", url))
    facts += [(f"parameter: {name}", "" if value is None else str(value)) for name, value in params.items()]
    for label, value in facts:
        about.append([label, _cell(about, value)])
    book.save(file)
    return count


def _stream(spec: Any, rows: Iterable[Any], params: Mapping[str, object], url: str) -> Iterator[bytes]:
    with tempfile.TemporaryFile() as file:
        write(spec, rows, params=params, file=file, url=url)
        file.seek(0)
        while chunk := file.read(CHUNK_BYTES):
            yield chunk


def response(
    spec: Any, rows: Iterable[Any], *, params: Mapping[str, object], name: str, url: str = ""
) -> StreamingHttpResponse:
    """The workbook as a download. It is written when the response is read, after the view has
    returned (like the streamed CSV): a large workbook is not cut by the request's database
    deadline (`ops.database`), and nothing is written for a response nobody reads."""
    response = StreamingHttpResponse(_stream(spec, rows, params, url), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"{name}.xlsx") or ""
    return response
