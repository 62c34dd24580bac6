"""load_reference: idempotent, updates in place, all or nothing, errors name file and line."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from agreements.models import Arrangement, EconomyMembership, Territory
from tests.conftest import REFERENCE_DIR

pytestmark = pytest.mark.django_db


def snapshot() -> dict[str, list[tuple[object, ...]]]:
    """Every row of every registry table, as plain values."""
    return {
        model.__name__: sorted(model._default_manager.values_list(), key=repr)
        for model in apps.get_app_config("agreements").get_models()
    }


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(REFERENCE_DIR, folder)
    return folder


def edit_csv(path: Path, line: int, column: str, value: str) -> None:
    """Set one cell; `line` is the file's line number (the header is line 1)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
        fieldnames = list(rows[0])
    rows[line - 2][column] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fieldnames, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def load(folder: Path) -> str:
    out = io.StringIO()
    call_command("load_reference", "--dir", str(folder), stdout=out)
    return out.getvalue()


def test_every_iso_territory_is_known_with_customs_names() -> None:
    assert Territory.objects.count() == 249
    assert Territory.objects.get(iso3="TWN").name == "Chinese Taipei"
    assert Territory.objects.get(iso3="HKG").kind == "region"
    assert Territory.objects.get(iso3="ATA").name == "Antarctica"


def test_loading_twice_gives_identical_data(dataset: Path) -> None:
    before = snapshot()
    output = load(dataset)
    assert snapshot() == before
    assert "arrangements: 0 created, 0 updated, 173 unchanged" in output


def test_a_changed_row_updates_in_place(dataset: Path) -> None:
    original = Arrangement.objects.get(key="USA-NZL-2007")
    edit_csv(dataset / "arrangements.csv", 2, "notes", "Corrected note.")
    edit_csv(dataset / "arrangements.csv", 2, "sources", "https://example.org/a ; A printed citation")
    output = load(dataset)
    updated = Arrangement.objects.get(key="USA-NZL-2007")
    assert updated.pk == original.pk
    assert updated.notes == "Corrected note."
    assert [(s.url, s.citation) for s in updated.sources.all()] == [
        ("https://example.org/a", ""),
        ("", "A printed citation"),
    ]
    assert "arrangements: 0 created, 1 updated, 172 unchanged" in output


def test_a_changed_party_list_is_an_update(dataset: Path) -> None:
    edit_csv(dataset / "arrangements.csv", 2, "parties", "USA;NZL;AUS")
    output = load(dataset)
    assert sorted(Arrangement.objects.get(key="USA-NZL-2007").parties.values_list("code", flat=True)) == [
        "AUS",
        "NZL",
        "USA",
    ]
    assert "arrangements: 0 created, 1 updated" in output


@pytest.mark.parametrize(
    ("file", "line", "column", "value", "message"),
    [
        ("arrangements.csv", 3, "parties", "JPN;XXX", "arrangements.csv:3: unknown economy 'XXX'"),
        ("arrangements.csv", 4, "parties", "USA", "arrangements.csv:4: an arrangement needs two or more parties"),
        ("arrangements.csv", 4, "parties", "USA;USA", "arrangements.csv:4: party listed twice: USA"),
        ("arrangements.csv", 5, "signed_date", "2008-02-30", "arrangements.csv:5: signed_date '2008-02-30' is not a real"),
        ("arrangements.csv", 5, "signed_date", "June 2008", "arrangements.csv:5: signed_date 'June 2008' is not an ISO"),
        ("arrangements.csv", 5, "status", "maybe", "arrangements.csv:5: status 'maybe' is not one of"),
        ("arrangements.csv", 2, "signed_date", "2007-06-15", "arrangements.csv:2: signed_date: A month-precision date"),
        ("arrangements.csv", 4, "effective_date", "2009-01-01", "arrangements.csv:4: effective_precision"),
        ("economy_members.csv", 3, "end_date", "1950-01-01", "economy_members.csv:3: end_date: The end date must be after the start date."),
        ("economy_members.csv", 3, "start_date", "19580101", "economy_members.csv:3: start_date '19580101'"),
        ("bloc_members.csv", 2, "territory", "ZZZ", "bloc_members.csv:2: unknown territory 'ZZZ'"),
        ("claims.csv", 2, "value", "many", "claims.csv:2: value 'many' is not a whole number"),
        ("claims.csv", 2, "metric", "bloc:NOPE", "claims.csv:2: unknown bloc in metric 'bloc:NOPE'"),
        ("economies.csv", 2, "kind", "empire", "economies.csv:2: kind 'empire' is not one of"),
    ],
)  # fmt: skip
def test_a_corrupted_file_loads_nothing_and_names_file_and_line(
    dataset: Path, file: str, line: int, column: str, value: str, message: str
) -> None:
    before = snapshot()
    # A valid change elsewhere must not be applied either: all or nothing.
    edit_csv(dataset / "arrangements.csv", 6, "notes", "This edit must not be saved.")
    edit_csv(dataset / file, line, column, value)
    with pytest.raises(CommandError) as error:
        load(dataset)
    assert message in str(error.value)
    assert "nothing was loaded" in str(error.value)
    assert snapshot() == before


def test_a_missing_column_is_reported_on_line_1(dataset: Path) -> None:
    path = dataset / "claims.csv"
    text = path.read_text(encoding="utf-8").replace(",metric,", ",measure,", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match=r"claims.csv:1: missing column\(s\): metric"):
        load(dataset)


def test_a_row_with_an_extra_field_is_reported(dataset: Path) -> None:
    with (dataset / "blocs.csv").open("a", encoding="utf-8") as handle:
        handle.write("NEW,New bloc,新集团,definition,source,surplus\n")
    with pytest.raises(CommandError, match=r"blocs.csv:6: more fields than the header has"):
        load(dataset)


def test_a_file_that_is_not_utf8_is_reported(dataset: Path) -> None:
    (dataset / "economies.csv").write_bytes("code,name,kind\nCIV,Côte d'Ivoire,territory\n".encode("latin-1"))
    with pytest.raises(CommandError, match=r"economies.csv:\d+: not valid UTF-8"):
        load(dataset)


def test_a_missing_file_is_reported(dataset: Path) -> None:
    (dataset / "blocs.csv").unlink()
    with pytest.raises(CommandError, match=r"blocs.csv: file not found"):
        load(dataset)


def test_overlapping_memberships_in_the_files_are_rejected(dataset: Path) -> None:
    with (dataset / "economy_members.csv").open("a", encoding="utf-8") as handle:
        handle.write("EUU,FRA,2000-01-01,2001-01-01,\n")
    before = snapshot()
    with pytest.raises(
        CommandError, match=r"economy_members.csv:\d+: FRA in economy EUU .* overlaps line \d+"
    ):
        load(dataset)
    assert snapshot() == before


def test_the_command_exits_non_zero_on_a_bad_file(dataset: Path, tmp_path: Path) -> None:
    tmp_var = tmp_path / "var"
    edit_csv(dataset / "arrangements.csv", 3, "parties", "JPN;XXX")
    result = subprocess.run(
        [sys.executable, "manage.py", "load_reference", "--dir", str(dataset)],
        cwd=REFERENCE_DIR.parent,
        capture_output=True,
        text=True,
        # Its own SQLite file: the command must fail on parsing, before touching any database.
        env={**{k: v for k, v in os.environ.items() if k != "DATABASE_URL"}, "AEO_VAR_DIR": str(tmp_var)},
        check=False,
    )
    assert result.returncode != 0
    assert "arrangements.csv:3: unknown economy 'XXX'" in result.stderr


def test_uk_leaves_eu_membership_on_2021_01_01() -> None:
    uk = EconomyMembership.objects.get(economy_id="EUU", territory_id="GBR")
    assert uk.active_on(dt.date(2020, 12, 31))
    assert not uk.active_on(dt.date(2021, 1, 1))
    assert EconomyMembership.objects.filter(economy_id="EUU").active_on(dt.date(2020, 12, 31)).count() == 28
    assert EconomyMembership.objects.filter(economy_id="EUU").active_on(dt.date(2021, 1, 1)).count() == 27
