"""The arrangements CSV writes its own cells a chunk at a time: byte for byte what the row-by-row
writer (`csv_cell` then `csv.writer`) gives, on SQLite and on PostgreSQL (one joined query)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading
import time

import pytest
from django.db import OperationalError, connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from agreements import selectors
from agreements.filtersets import bind_arrangement_filters
from agreements.models import Arrangement, ArrangementParty, Economy, Source
from dashboard import exports

# Text that exercises every rule: formula starts, quotes, separators, line breaks, non-ASCII.
TEXT = st.text(alphabet=st.sampled_from(list("'=+-@\t\r\n\",; ab中\x1f")), max_size=8)

TRICKY = [
    "=1+1",
    "+x",
    "-y",
    "@z",
    "\tt",
    "\rr",
    "'=q",
    "''+q",
    "'plain",
    'a "quoted", text',
    "line\nbreak",
    "cr\r\nlf",
    "  spaced ",
    "comma, here",
    "uni 中文 ü",
    "semi ; colon",
    "",
]


def written(cells: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out).writerow(cells)
    return out.getvalue()


@given(TEXT)
def test_a_field_is_quoted_exactly_as_csv_writer_quotes_it(text: str) -> None:
    assert exports.csv_field(text) + ",x\r\n" == written([text, "x"])


@given(st.lists(TEXT, min_size=1, max_size=6))
def test_a_text_column_gets_the_cells_the_row_by_row_writer_gives(values: list[str]) -> None:
    cells = exports._text_cells(values)
    assert [f"{cell},x\r\n" for cell in cells] == [written([exports.csv_cell(v), "x"]) for v in values]


@pytest.fixture
def tricky() -> None:
    """Arrangements whose cells need neutralising and quoting, with odd parties and sources."""
    Economy.objects.create(code="QQA", name='=Evil, "economy"\nname')
    Economy.objects.create(code="QQB", name="-minus; name")
    for i, text in enumerate(TRICKY):
        dated = i % 5 != 0
        arrangement = Arrangement.objects.create(
            key=f"TRICKY-{i:02d}",
            title=text,
            notes=TRICKY[-1 - i],
            status=["negotiating", "signed", "in_force", "ended"][i % 4],
            evidence=["confirmed", "reported", "inferred"][i % 3],
            signed_date=dt.date(2001, 1, 1) + dt.timedelta(days=i) if dated else None,
            signed_precision="day" if dated else "",
            effective_date=dt.date(2002, 1, 1) if dated and i % 3 == 0 else None,
            effective_precision="month" if dated and i % 3 == 0 else "",
        )
        for code in [["QQA", "QQB"], ["CHN"], [], ["EUU", "QQB", "QQA", "CHN"]][i % 4]:
            ArrangementParty.objects.create(arrangement=arrangement, economy_id=code)
        if i % 3 == 0:  # listed by position, then id: not in the order they were added
            Source.objects.create(arrangement=arrangement, position=2, url=f"https://example.org/{i}?a=1,2")
            Source.objects.create(arrangement=arrangement, position=1, citation=text or "cite ; semi")
            Source.objects.create(arrangement=arrangement, position=1, citation="=SUM(A1)")
        elif i % 3 == 1:
            Source.objects.create(arrangement=arrangement, url="https://example.org/x")


def arrangements(query: str, chunk_rows: int) -> exports.ArrangementRows:
    filterset = bind_arrangement_filters(QueryDict(query), queryset=selectors.arrangement_catalog())
    assert filterset.is_valid(), filterset.errors
    return exports.arrangement_rows(filterset.qs, chunk_rows=chunk_rows)


def streamed(query: str, chunk_rows: int = 2000) -> bytes:
    return b"".join(exports.csv_lines(exports.ARRANGEMENTS, arrangements(query, chunk_rows)))


def row_by_row(query: str, chunk_rows: int = 2000) -> bytes:
    """The generic writer: `ArrangementRow`s (a list, not the export's rows), csv_cell, csv.writer."""
    rows = list(arrangements(query, chunk_rows))
    return b"".join(exports.csv_lines(exports.ARRANGEMENTS, rows))


def first_row(query: str) -> dict[str, str]:
    return next(csv.DictReader(io.StringIO(streamed(query).decode(), newline="")))


@pytest.mark.django_db
@pytest.mark.usefixtures("tricky")
@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(
    "query",
    [
        "",
        "party=CHN",
        "party=QQA&party=QQB",
        "q=tricky",
        "q=no-such-arrangement",
        "ordering=-status",
        "ordering=evidence&evidence=inferred",
        "ordering=-effective_date",
        "territory=FRA",
    ],
)
@pytest.mark.parametrize("chunk_rows", [3, 2000])
def test_the_streamed_arrangements_csv_is_the_row_by_row_csv(
    query: str, language: str, chunk_rows: int
) -> None:
    with translation.override(language):
        csv_bytes = streamed(query, chunk_rows)
        assert csv_bytes == row_by_row(query, chunk_rows)
    assert csv_bytes.count(b"\r\n") > 1 or query == "q=no-such-arrangement"


@pytest.mark.django_db
@pytest.mark.usefixtures("tricky")
def test_sources_are_listed_by_position_then_id_and_parties_by_code() -> None:
    row = first_row("q=TRICKY-03")
    assert row["parties"] == "CHN;EUU;QQA;QQB"
    assert row["sources"] == "'@z ; =SUM(A1) ; https://example.org/3?a=1,2"  # one cell: one quote


@pytest.mark.django_db
def test_sources_keep_their_order_when_a_text_holds_the_export_s_own_separator() -> None:
    """PostgreSQL's query aggregates the texts unordered, split on a control character that no
    validated text holds; one written past validation is read again, in order."""
    arrangement = Arrangement.objects.create(
        key="ODD-SOURCES", title="Odd sources", status="signed", evidence="reported"
    )
    Source.objects.create(arrangement=arrangement, position=3, citation=f"third{exports.TEXT_SEPARATOR}part")
    Source.objects.create(arrangement=arrangement, position=1, citation="first")
    Source.objects.create(arrangement=arrangement, position=2, citation=f"{exports.TEXT_SEPARATOR}second")
    row = first_row("q=ODD-SOURCES")
    assert row["sources"] == f"first ; {exports.TEXT_SEPARATOR}second ; third{exports.TEXT_SEPARATOR}part"
    assert streamed("q=ODD-SOURCES") == row_by_row("q=ODD-SOURCES")


@pytest.mark.django_db
@pytest.mark.usefixtures("tricky")
def test_an_arrangement_without_parties_or_sources_has_empty_cells() -> None:
    row = first_row("q=TRICKY-02")
    assert (row["key"], row["parties"], row["parties_name"], row["sources"]) == ("TRICKY-02", "", "", "")


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-query path is PostgreSQL's")
def test_on_postgresql_the_csv_reads_its_rows_in_one_query_at_any_size() -> None:
    def queries(chunk_rows: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            streamed("", chunk_rows)
        return len(captured.captured_queries)

    assert queries(chunk_rows=5) == queries(chunk_rows=2000)


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-query path is PostgreSQL's")
def test_on_postgresql_the_export_runs_in_one_process_without_jit_and_only_its_transaction_does() -> None:
    """While the CSV streams, its transaction plans without parallel workers (each worker would
    aggregate every party and source again) and without JIT; the session's settings are back
    once the export ends."""

    def settings() -> tuple[str, str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('jit'), current_setting('max_parallel_workers_per_gather')"
            )
            return cursor.fetchone()

    before = settings()
    rows = arrangements("", chunk_rows=3)
    body = rows.csv_text()
    next(body)
    with rows.busy:  # the prefetching thread shares the connection
        assert settings() == ("off", "0")
    body.close()
    assert settings() == before


def prefetch_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "export-prefetch"]


@pytest.mark.django_db
def test_an_export_stopped_early_stops_its_prefetching_and_leaves_the_connection_usable() -> None:
    """A client that goes away mid-download: the chunks fetched ahead are dropped, the fetching
    thread ends before the cursor is closed, and the connection serves the next query."""
    body = arrangements("", chunk_rows=3).csv_text()
    assert next(body).count("\r\n") == 3
    body.close()
    assert prefetch_threads() == []
    assert Arrangement.objects.count() > 3


class FailingCursor:
    """Two chunks, then the error a lost connection raises."""

    def __init__(self) -> None:
        self.fetched = 0

    def fetchmany(self, size: int) -> list[tuple[int]]:
        self.fetched += 1
        if self.fetched > 2:
            raise OperationalError("server closed the connection unexpectedly")
        return [(self.fetched,)] * size


def test_an_error_while_prefetching_is_raised_to_the_writer_after_the_chunks_before_it() -> None:
    chunks = exports._prefetched(FailingCursor(), 2, threading.Lock())
    assert next(chunks) == [(1,), (1,)]
    assert next(chunks) == [(2,), (2,)]
    with pytest.raises(OperationalError, match="closed the connection"):
        next(chunks)
    assert prefetch_threads() == []


def test_at_most_the_allowed_chunks_wait_while_the_writer_is_slow() -> None:
    cursor = FailingCursor()
    chunks = exports._prefetched(cursor, 1, threading.Lock())
    assert next(chunks) == [(1,)]
    time.sleep(0.3)  # the fetcher fills its queue and waits
    assert cursor.fetched <= 1 + exports.PREFETCHED_CHUNKS
    chunks.close()
    assert prefetch_threads() == []
