"""Bulk import (agreements.imports): preview outcomes, all-or-nothing commits, hostile files refused.

The property-based test feeds hundreds of malformed files (bad dates, unknown codes, duplicate
keys, wrong encodings, missing columns, huge fields, formula injection) built from valid rows with
one defect; every file must be refused with a `file:line:` message on the defective line, and the
database must be left exactly as it was.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.db import IntegrityError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agreements import versioning
from agreements.dataset import TABLE_MODELS, table_csv
from agreements.imports import NATURAL_COLUMNS, import_table
from agreements.models import Arrangement, Bloc, BlocMembership, Claim, EconomyMembership
from agreements.reference import COLUMNS, MAX_IMPORT_CELL, array_literal
from agreements.tables import IMPORTABLE, Kind

pytestmark = pytest.mark.django_db

TABLES = sorted(NATURAL_COLUMNS)
FORMULA = "=cmd|' /C calc'!A0"


def valid_row(table: str, i: int) -> dict[str, str]:
    """A row that imports cleanly into the reference data; rows with different `i` never clash."""
    if table == "arrangements.csv":
        return {
            "key": f"QIMP-{i}",
            "title": f"Imported arrangement {i}",
            "parties": "CHN;KOR",
            "signed_date": f"2030-{1 + i % 12:02d}-01",
            "signed_precision": "day",
            "effective_date": "",
            "effective_precision": "",
            "ended_date": "",
            "status": "signed",
            "evidence": "confirmed",
            "sources": f"https://example.org/{i} ; A citation {i}",
            "notes": "'=not a formula, quoted as exports quote it",
        }
    if table == "claims.csv":
        return {
            "key": f"qimp-{i}",
            "authority": "Test authority",
            "stated_on": "2030-01-02",
            "as_of": "2030-01-01",
            "economy": "CHN",
            "basis": "signed",
            "metric": "partner_countries",
            "value": str(i),
            "source_url": "",
            "note": "",
        }
    if table == "blocs.csv":
        return {"code": f"QB{i}", "name": f"Bloc {i}", "definition": "", "source": ""}
    if table == "source_documents.csv":
        return {
            "url": f"https://example.org/document-{i}",
            "title": f"Document {i}",
            "publisher": "Example customs",
            "published": f"2020-01-{1 + i % 28:02d}",
            "archive_url": "",
        }
    group = {"economy_members.csv": ("economy", "EUU"), "bloc_members.csv": ("bloc", "RCEP")}[table]
    return {
        group[0]: group[1],
        "territory": "AFG",
        "start_date": f"{2030 + i}-01-01",
        "end_date": f"{2030 + i}-06-01",
        "note": f"row {i}",
    }


def csv_bytes(header: list[str], rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([row.get(column, "") for column in header] for row in rows)
    return buffer.getvalue().encode("utf-8")


def fingerprint() -> tuple[object, ...]:
    """Everything an import could change: the data version and every importable table's bytes."""
    counts = tuple(model.objects.count() for model in TABLE_MODELS.values())
    return (versioning.current_version(), counts, *(table_csv(name) for name in TABLES))


# Each defect: (table, valid row, draw) -> the defective row, or None where it does not apply.
# The first date column of each importable table, and its first code column with a name
# (blocs and source documents have none), from the declarations.
DATE_COLUMNS = {
    name: next(c.name for c in table.columns if c.kind == Kind.DATE)
    for name, table in IMPORTABLE.items()
    if any(c.kind == Kind.DATE for c in table.columns)
}
CODE_COLUMNS = {
    name: next(c.name for c in table.columns if c.named and c.kind in (Kind.CODE, Kind.CODES))
    for name, table in IMPORTABLE.items()
    if any(c.named and c.kind in (Kind.CODE, Kind.CODES) for c in table.columns)
}
bad_dates = st.one_of(
    st.sampled_from(["2021-13-01", "2021-02-30", "31/12/2020", "2020-1-1", "yesterday", "0000-00-00"]),
    st.text(alphabet="0123456789-/. ", min_size=1, max_size=12).filter(
        lambda s: not re.fullmatch(r"\s*(\d{4}-\d{2}-\d{2})?\s*", s)
    ),
)
unknown_codes = st.sampled_from(["QZX", "XXX", "ZZZ", "QQQ"])
formulas = st.one_of(
    st.just(FORMULA),
    st.builds(lambda first, rest: first + rest, st.sampled_from("=+@"), st.text(max_size=30)),
)


@st.composite
def malformed_file(draw: st.DrawFn) -> tuple[str, bytes, int]:
    """(table, file content, the line that must be reported)."""
    table = draw(st.sampled_from(TABLES))
    header = list(COLUMNS[table])
    rows = [valid_row(table, i) for i in range(draw(st.integers(0, 4)))]
    at = draw(st.integers(0, len(rows)))
    line = at + 2  # the header is line 1
    kind = draw(
        st.sampled_from(
            ["date", "code", "duplicate", "encoding", "missing", "huge", "formula", "required", "choice"]
        )
    )
    if kind == "missing":
        header.remove(draw(st.sampled_from(header)))
        return table, csv_bytes(header, rows), 1
    if kind == "encoding":
        row = valid_row(table, 99)
        text_column = {
            "arrangements.csv": "title",
            "claims.csv": "authority",
            "blocs.csv": "name",
            "source_documents.csv": "title",
        }.get(table, "note")
        row[text_column] = "Côte d'Ivoire — São Tomé"
        rows.insert(at, row)
        content = csv_bytes(header, rows).decode()
        encoding = draw(st.sampled_from(["latin-1", "cp1252", "utf-16"]))
        if encoding == "utf-16":
            return table, content.encode("utf-16"), 1
        return table, content.encode(encoding, errors="replace"), line
    row = valid_row(table, 99)
    if kind == "duplicate":
        rows.insert(at, dict(row))
        rows.insert(at, row)
        return table, csv_bytes(header, rows), line + 1
    if kind == "date":
        if table not in DATE_COLUMNS:
            row["name"] = ""  # blocs have no dates: a missing required value instead
        else:
            row[DATE_COLUMNS[table]] = draw(bad_dates)
    elif kind == "code":
        code = draw(unknown_codes)
        if table == "blocs.csv":
            row["code"] = code * 8  # longer than a bloc code may be
        elif table == "source_documents.csv":
            row["url"] = f"{code} is not a URL"  # a document's key is its URL
        elif table == "arrangements.csv":
            row["parties"] = f"CHN;{code}"
        else:
            row[CODE_COLUMNS[table]] = code
    elif kind == "huge":
        size = draw(st.sampled_from([MAX_IMPORT_CELL + 1, 50_000, 200_000]))
        row[draw(st.sampled_from(header))] = "x" * size
    elif kind == "formula":
        row[draw(st.sampled_from(header))] = draw(formulas)
    elif kind == "required":
        row[NATURAL_COLUMNS[table][0]] = ""
    elif kind == "choice":
        column = {
            "arrangements.csv": "status",
            "claims.csv": "basis",
            "blocs.csv": "name",
            "economy_members.csv": "territory",
            "bloc_members.csv": "territory",
            "source_documents.csv": "archive_url",  # not a choice, but a URL: the same kind of defect
        }[table]
        row[column] = "=" + row[column] if column == "name" else "not-a-choice"
    rows.insert(at, row)
    return table, csv_bytes(header, rows), line


@pytest.mark.parametrize("table", TABLES)
def test_valid_rows_import_as_new_then_unchanged(table: str) -> None:
    content = csv_bytes(list(COLUMNS[table]), [valid_row(table, i) for i in range(3)])
    version = versioning.current_version()
    preview = import_table(table, content)
    assert preview.ok, preview.problems
    assert [row.outcome for row in preview.rows] == ["new", "new", "new"]
    assert [row.line for row in preview.rows] == [2, 3, 4]
    assert not preview.applied and versioning.current_version() == version

    applied = import_table(table, content, commit=True)
    assert applied.applied
    assert int(versioning.current_version()) == int(version) + 1  # one bump for the whole file

    again = import_table(table, content, commit=True)
    assert [row.outcome for row in again.rows] == ["unchanged"] * 3
    assert int(versioning.current_version()) == int(version) + 1  # nothing changed: no bump


def test_an_arrangement_is_imported_with_its_parties_sources_and_quoted_formula_text() -> None:
    import_table(
        "arrangements.csv",
        csv_bytes(list(COLUMNS["arrangements.csv"]), [valid_row("arrangements.csv", 1)]),
        commit=True,
    )
    arrangement = Arrangement.objects.get(key="QIMP-1")
    assert sorted(arrangement.parties.values_list("code", flat=True)) == ["CHN", "KOR"]
    assert [s.text for s in arrangement.sources.order_by("position")] == [
        "https://example.org/1",
        "A citation 1",
    ]
    # A quoted formula is stored as text without its quote, as the loader reads an export.
    assert arrangement.notes == "=not a formula, quoted as exports quote it"


@pytest.mark.parametrize(
    "note",
    ['a "quoted" word', 'back\\slash \\" mixed', "{braces},commas", "NULL", "  ", "中文 ; ü", ""],
)
def test_a_note_is_stored_and_recorded_exactly_as_the_file_has_it(note: str) -> None:
    # The bulk insert sends each column as one array literal (reference.array_literal): quotes,
    # backslashes, braces and the word NULL must come back as written, in the row and its history.
    row = {"bloc": "RCEP", "territory": "ATA", "start_date": "2031-01-01", "end_date": "", "note": note}
    result = import_table(
        "bloc_members.csv", csv_bytes(list(COLUMNS["bloc_members.csv"]), [row]), commit=True
    )
    assert result.applied, result.problems
    saved = BlocMembership.objects.get(bloc_id="RCEP", territory_id="ATA", start_date="2031-01-01")
    assert saved.note == note.strip() and saved.end_date is None
    history = saved.history.get()
    assert (history.history_type, history.note, history.end_date) == ("+", note.strip(), None)


@pytest.mark.parametrize(
    "values",
    [[], [None], ["a", 'b "c"', "d\\e", "{f,g}", "NULL", ""], ["a\\", None, '"', "NULL"], ["ü", None]],
)
def test_an_array_literal_reads_back_as_the_values_it_was_made_of(values: list[str | None]) -> None:
    literal = array_literal(values)
    assert literal.startswith("{") and literal.endswith("}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s::text[]", [literal])
            assert cursor.fetchone()[0] == values


def test_a_value_refused_once_is_refused_on_every_row_that_repeats_it() -> None:
    # The parse cleans a value that passed once only once per file (reference._full_clean): a
    # refused value is never remembered, and a repeated valid one is still checked with its row.
    def row(territory: str, start: str, end: str = "", note: str = "") -> dict[str, str]:
        return {"bloc": "RCEP", "territory": territory, "start_date": start, "end_date": end, "note": note}

    rows = [
        row("ATA", "2031-01-01"),
        row("BVT", "1900-01-01"),
        row("HMD", "1900-01-01"),
        row("ATF", "2031-01-01", note="tab\vbed"),
        row("SGS", "2031-01-01", note="tab\vbed"),
        row("IOT", "2031-01-01", end="2030-01-01"),
        row("UMI", "2031-01-01", end="2030-01-01"),
    ]
    result = import_table("bloc_members.csv", csv_bytes(list(COLUMNS["bloc_members.csv"]), rows))
    messages = {r.line: r.messages for r in result.rows if r.outcome == "error"}
    assert sorted(messages) == [3, 4, 5, 6, 7, 8]
    assert messages[3] == messages[4] and "start_date: Enter a date from" in messages[3][0]
    assert messages[5] == messages[6] and "note: Remove the control character U+000B" in messages[5][0]
    assert messages[7] == messages[8] == ("end_date: The end date must be after the start date.",)


def test_a_changed_row_is_previewed_as_changed_and_updated_in_place() -> None:
    row = valid_row("claims.csv", 1)
    import_table("claims.csv", csv_bytes(list(COLUMNS["claims.csv"]), [row]), commit=True)
    row["value"] = "77"
    preview = import_table("claims.csv", csv_bytes(list(COLUMNS["claims.csv"]), [row]))
    assert [r.outcome for r in preview.rows] == ["changed"]
    assert Claim.objects.get(key="qimp-1").value == 1
    import_table("claims.csv", csv_bytes(list(COLUMNS["claims.csv"]), [row]), commit=True)
    assert Claim.objects.get(key="qimp-1").value == 77


def test_one_bad_row_applies_nothing_and_the_good_rows_still_show_their_outcome() -> None:
    rows = [valid_row("blocs.csv", 1), valid_row("blocs.csv", 2) | {"name": ""}]
    before = fingerprint()
    result = import_table("blocs.csv", csv_bytes(list(COLUMNS["blocs.csv"]), rows), commit=True)
    assert not result.applied
    assert [(r.line, r.outcome) for r in result.rows] == [(2, "new"), (3, "error")]
    assert result.rows[1].messages == ("name is required",)
    assert not Bloc.objects.filter(code__in=["QB1", "QB2"]).exists()
    assert fingerprint() == before


def test_a_membership_overlapping_a_saved_one_is_refused() -> None:
    # EUU membership of FRA is saved as open-ended: a later period overlaps it.
    row = {"economy": "EUU", "territory": "FRA", "start_date": "2030-01-01", "end_date": "", "note": ""}
    result = import_table("economy_members.csv", csv_bytes(list(COLUMNS["economy_members.csv"]), [row]))
    assert [r.outcome for r in result.rows] == ["error"]
    assert "overlaps the saved membership" in result.rows[0].messages[0]


def test_a_file_row_replacing_a_saved_membership_is_not_an_overlap() -> None:
    saved = BlocMembership.objects.filter(bloc_id="RCEP").order_by("territory_id").first()
    assert saved is not None
    row = {
        "bloc": "RCEP",
        "territory": saved.territory_id,
        "start_date": saved.start_date.isoformat() if saved.start_date else "",
        "end_date": "2031-01-01",
        "note": "closed by import",
    }
    result = import_table(
        "bloc_members.csv", csv_bytes(list(COLUMNS["bloc_members.csv"]), [row]), commit=True
    )
    assert result.applied, result.problems
    saved.refresh_from_db()
    assert saved.note == "closed by import"
    assert EconomyMembership.objects.exists()


def test_at_least_200_malformed_files_are_each_refused_on_their_line_and_change_nothing() -> None:
    before = fingerprint()
    seen: list[str] = []

    @settings(
        max_examples=250,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(malformed_file())
    def check(case: tuple[str, bytes, int]) -> None:
        table, content, line = case
        result = import_table(table, content, commit=True)
        assert not result.ok and not result.applied
        assert all(re.match(rf"{re.escape(table)}:\d+: \S", problem) for problem in result.problems), (
            result.problems
        )
        assert any(problem.startswith(f"{table}:{line}: ") for problem in result.problems), (
            line,
            result.problems,
        )
        assert any(row.outcome == "error" and row.line == line and row.messages for row in result.rows)
        seen.append(table)

    check()
    assert len(seen) >= 200
    assert fingerprint() == before


def test_the_garbage_collector_runs_again_after_an_import_applied_or_refused() -> None:
    import gc

    rows = [valid_row("blocs.csv", 1), valid_row("blocs.csv", 2) | {"name": ""}]
    assert gc.isenabled()
    import_table("blocs.csv", csv_bytes(list(COLUMNS["blocs.csv"]), rows), commit=True)
    assert gc.isenabled()
    import_table("blocs.csv", csv_bytes(list(COLUMNS["blocs.csv"]), rows[:1]), commit=True)
    assert gc.isenabled()


MEMBERSHIP_TABLES = [
    model._meta.db_table
    for membership in (BlocMembership, EconomyMembership)
    for model in (membership, membership.history.model)
]


def test_a_membership_of_an_unknown_territory_is_still_refused_by_the_database() -> None:
    # The bulk writer trusts the parse for its codes; the foreign key is what holds them anyway.
    with pytest.raises(IntegrityError), transaction.atomic():
        BlocMembership.objects.bulk_create([BlocMembership(bloc_id="RCEP", territory_id="ZZZ")])
        connection.check_constraints(table_names=[BlocMembership._meta.db_table])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_a_territory_foreign_key_check_finds_the_row_through_the_primary_key() -> None:
    # The query PostgreSQL runs for each membership written (migration 0017): not a table scan.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute(
            "PREPARE territory_check(varchar) AS SELECT 1 FROM ONLY agreements_territory x "
            "WHERE iso3 OPERATOR(pg_catalog.=) $1 FOR KEY SHARE OF x"
        )
        cursor.execute("EXPLAIN EXECUTE territory_check('FRA')")
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("DEALLOCATE territory_check")
    assert "Index Scan" in plan and "Seq Scan" not in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's pattern-ops indexes")
def test_memberships_and_their_history_are_indexed_by_group_and_territory_without_like_twins() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexdef FROM pg_indexes WHERE tablename = ANY(%s)", [MEMBERSHIP_TABLES]
        )
        indexes = cursor.fetchall()
    assert not [definition for _, definition in indexes if "pattern_ops" in definition]
    for table in MEMBERSHIP_TABLES:
        leading = {
            definition.split("(", 1)[1].split(",")[0].rstrip(")")
            for name, definition in indexes
            if name == table
        }
        group = "bloc_id" if "bloc" in table else "economy_id"
        assert {group, "territory_id"} <= leading, (table, leading)
