"""Imports under hostile sizes, hostile cells and concurrent confirms (issue 11, findings 4, 5, 7).

- The overlap check is one sort-and-sweep per (group, territory): each row is reported at most
  once, so a file of n overlapping rows gives at most n problems (the pairwise check gave n²/2).
- A row shows at most MAX_MESSAGES_PER_ROW messages; a preview lists at most MAX_SHOWN_ROWS rows.
- Two confirms of overlapping memberships never both succeed: writes are serialised on the
  data-version row, saved rows are read inside the transaction, and on PostgreSQL a trigger
  refuses the overlap whatever path writes it.
- NUL bytes, over-long values and malformed source URLs are row errors, never a 500.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agreements.imports import MAX_MESSAGES_PER_ROW, MAX_SHOWN_ROWS, import_table
from agreements.models import Arrangement, BlocMembership, EconomyMembership
from agreements.models.memberships import periods_overlap
from agreements.reference import COLUMNS, Row, find_overlaps

pytestmark = pytest.mark.django_db


def csv_bytes(table: str, rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS[table])
    writer.writerows([row.get(column, "") for column in COLUMNS[table]] for row in rows)
    return buffer.getvalue().encode("utf-8")


def member(start: str, end: str = "", territory: str = "JPN", bloc: str = "CEE") -> dict[str, str]:
    return {"bloc": bloc, "territory": territory, "start_date": start, "end_date": end, "note": ""}


def arrangement(key: str, **cells: str) -> dict[str, str]:
    return {
        "key": key,
        "title": "",
        "parties": "CHN;KOR",
        "signed_date": "2030-01-01",
        "signed_precision": "day",
        "status": "signed",
        "evidence": "confirmed",
        "sources": "https://example.org/a",
        "notes": "",
    } | cells


# Finding 4: linear overlap check, capped problems.


def test_many_open_ended_rows_for_one_territory_give_one_problem_each_not_one_per_pair() -> None:
    rows = [member((dt.date(2000, 1, 1) + dt.timedelta(days=i)).isoformat()) for i in range(400)]
    result = import_table("bloc_members.csv", csv_bytes("bloc_members.csv", rows))
    assert not result.ok
    # Every row but the earliest overlaps another; each is reported once (pairwise: 79,800).
    assert len(result.problems) <= len(rows)
    assert result.counts["error"] >= len(rows) - 1
    assert all(len(row.messages) <= MAX_MESSAGES_PER_ROW for row in result.rows)


def test_a_preview_lists_at_most_the_shown_rows_and_says_how_many_more() -> None:
    rows = [member(f"{1995 + i}-01-01", f"{1995 + i}-06-01", territory="AFG") for i in range(3)]
    result = import_table("bloc_members.csv", csv_bytes("bloc_members.csv", rows * 1))
    assert result.ok and result.shown_rows == result.rows and result.hidden_rows == 0
    many = [member(f"{1995 + i % 30}-01-01", f"{1995 + i % 30}-06-01", territory="AFG") for i in range(30)]
    assert MAX_SHOWN_ROWS >= 30  # the cap itself is exercised on a synthetic result below
    result = import_table("bloc_members.csv", csv_bytes("bloc_members.csv", many))
    assert result.ok
    result.rows = result.rows * (MAX_SHOWN_ROWS // 30 + 2)
    assert len(result.shown_rows) == MAX_SHOWN_ROWS
    assert result.hidden_rows == len(result.rows) - MAX_SHOWN_ROWS


def test_a_preview_with_errors_lists_the_error_rows_first() -> None:
    rows = [member(f"{1995 + i}-01-01", f"{1995 + i}-06-01", territory="AFG") for i in range(5)]
    rows.append(member("1996-02-01", "1996-03-01", territory="AFG"))  # overlaps line 3
    result = import_table("bloc_members.csv", csv_bytes("bloc_members.csv", rows))
    assert not result.ok
    assert [row.outcome for row in result.shown_rows] == ["error"]
    assert "overlaps line 3" in result.shown_rows[0].messages[0]


Period = tuple[dt.date | None, dt.date | None]


@st.composite
def periods(draw: Any) -> Period:
    start = draw(st.one_of(st.none(), st.integers(0, 40)))
    length = draw(st.one_of(st.none(), st.integers(1, 15)))
    base = dt.date(2000, 1, 1)
    start_date = None if start is None else base + dt.timedelta(days=start)
    if length is None:
        return start_date, None
    end_offset = (start if start is not None else draw(st.integers(-10, 40))) + length
    return start_date, base + dt.timedelta(days=end_offset)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(file_periods=st.lists(periods(), max_size=8), saved_periods=st.lists(periods(), max_size=4))
def test_the_sweep_refuses_exactly_the_files_the_pairwise_check_refuses(
    file_periods: list[Period], saved_periods: list[Period]
) -> None:
    rows = [(Row("bloc_members.csv", i + 2, {}), start, end) for i, (start, end) in enumerate(file_periods)]
    problems = find_overlaps("bloc", "CEE", "JPN", rows, saved_periods)
    pairwise = {
        row.line
        for index, (row, start, end) in enumerate(rows)
        if any(periods_overlap(start, end, s, e) for _, s, e in rows[:index])
        or any(periods_overlap(start, end, s, e) for s, e in saved_periods)
    }
    flagged = {int(problem.split(":")[1]) for problem in problems}
    assert bool(flagged) == bool(pairwise)
    assert len(problems) == len(flagged)  # one problem per row at most
    for row, start, end in rows:
        if row.line in flagged:  # every flagged row really overlaps something
            others = [(s, e) for r, s, e in rows if r is not row] + list(saved_periods)
            assert any(periods_overlap(start, end, s, e) for s, e in others)


# Finding 7: hostile cells are row errors.


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"notes": "a\x00b"}, "NUL"),
        ({"sources": "https://example.org/" + "a" * 1100}, "at most 1000 characters"),
        ({"sources": "https://exa mple.com/<b>x"}, "valid URL"),
    ],
)
def test_hostile_arrangement_cells_are_row_errors_and_nothing_is_saved(
    cells: dict[str, str], expected: str
) -> None:
    content = csv_bytes("arrangements.csv", [arrangement("QHOST-1", **cells)])
    for commit in (False, True):
        result = import_table("arrangements.csv", content, commit=commit)
        assert [row.outcome for row in result.rows] == ["error"], result.problems
        assert expected in " ".join(result.rows[0].messages)
        assert result.problems[0].startswith("arrangements.csv:2: ")
    assert not Arrangement.objects.filter(key="QHOST-1").exists()


def test_a_nul_byte_in_a_membership_note_is_a_row_error() -> None:
    row = member("1995-01-01", "1995-06-01", territory="AFG") | {"note": "x\x00"}
    result = import_table("bloc_members.csv", csv_bytes("bloc_members.csv", [row]), commit=True)
    assert not result.applied
    assert "NUL" in result.rows[0].messages[0]


# Finding 5: concurrent confirms.


def confirm_concurrently(contents: list[bytes]) -> list[bool]:
    barrier = threading.Barrier(len(contents))
    applied: list[bool] = [False] * len(contents)
    errors: list[BaseException] = []

    def confirm(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            applied[index] = import_table("bloc_members.csv", contents[index], commit=True).applied
        except BaseException as error:  # reported below: a thread's exception must fail the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(i,)) for i in range(len(contents))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return applied


@pytest.mark.usefixtures("committed_reference")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_confirms_of_overlapping_memberships_never_both_succeed() -> None:
    first = csv_bytes("bloc_members.csv", [member("2020-01-01")])
    second = csv_bytes("bloc_members.csv", [member("2021-06-01")])
    BlocMembership.objects.filter(bloc_id="CEE", territory_id="JPN").delete()
    try:
        for _ in range(3):
            applied = confirm_concurrently([first, second])
            assert applied.count(True) == 1, applied
            assert BlocMembership.objects.filter(bloc_id="CEE", territory_id="JPN").count() == 1
            BlocMembership.objects.filter(bloc_id="CEE", territory_id="JPN").delete()
    finally:
        BlocMembership.objects.filter(bloc_id="CEE", territory_id="JPN").delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the no-overlap trigger is PostgreSQL's")
def test_postgresql_refuses_overlapping_memberships_whatever_writes_them() -> None:
    saved = EconomyMembership.objects.filter(economy_id="EUU", territory_id="FRA").get()
    with pytest.raises(IntegrityError, match="economymembership_no_overlap"), transaction.atomic():
        EconomyMembership.objects.bulk_create(
            [EconomyMembership(economy_id="EUU", territory_id="FRA", start_date=dt.date(2030, 1, 1))]
        )
    assert saved.end_date is None
    BlocMembership.objects.create(bloc_id="CEE", territory_id="JPN", start_date=dt.date(2020, 1, 1))
    with pytest.raises(IntegrityError, match="blocmembership_no_overlap"), transaction.atomic():
        BlocMembership.objects.create(
            bloc_id="CEE", territory_id="JPN", start_date=dt.date(2021, 6, 1), end_date=dt.date(2022, 1, 1)
        )
    # Adjacent half-open periods do not overlap.
    BlocMembership.objects.filter(bloc_id="CEE", territory_id="JPN").update(end_date=dt.date(2021, 6, 1))
    BlocMembership.objects.create(bloc_id="CEE", territory_id="JPN", start_date=dt.date(2021, 6, 1))
