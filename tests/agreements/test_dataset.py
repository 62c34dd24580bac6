"""The full download: every table in the reference format, a README, and a byte-identical round trip."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.test import Client

from agreements import dataset, versioning
from agreements.models import (
    Arrangement,
    Claim,
    Territory,
)
from agreements.reference import COLUMNS, load_reference

pytestmark = pytest.mark.django_db

PREFIX = "aeo-registry-data/"


def download(client: Client, url: str = "/data/aeo-registry-data.zip") -> dict[str, bytes]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="aeo-registry-data.zip"'
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {info.filename.removeprefix(PREFIX): archive.read(info) for info in archive.infolist()}


def rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"), newline="")))


def test_the_zip_has_every_table_in_the_reference_format_and_a_readme(client: Client) -> None:
    files = download(client)
    assert set(files) == {"README.md", *COLUMNS}
    for name, columns in COLUMNS.items():
        header = files[name].split(b"\n", 1)[0].decode()
        assert header == ",".join(columns), name
    assert len(rows(files["territories.csv"])) == Territory.objects.count() >= 249
    assert len(rows(files["arrangements.csv"])) == Arrangement.objects.count()
    assert len(rows(files["claims.csv"])) == Claim.objects.count()


def test_the_zip_is_also_at_data_with_download_zip(client: Client) -> None:
    assert download(client, "/data/?download=zip") == download(client)


def test_the_readme_has_the_version_the_counts_the_rules_and_the_licence(client: Client) -> None:
    readme = download(client)["README.md"].decode()
    assert f"Data version: {versioning.current_version()} " in readme
    assert f"| `arrangements.csv` | {Arrangement.objects.count()} |" in readme
    assert "CC BY 4.0" in readme
    assert "## How we count" in readme
    assert "## Files" in readme


def test_exported_rows_match_the_reference_files(client: Client) -> None:
    files = download(client)
    exported = {row["key"]: row for row in rows(files["arrangements.csv"])}
    with (Path(dataset.README_SOURCE).parent / "arrangements.csv").open(
        encoding="utf-8", newline=""
    ) as handle:
        reference = {row["key"]: row for row in csv.DictReader(handle)}
    assert exported == reference


def _registry_api(client: Client) -> dict[str, object]:
    """Computed figures that depend on every table: claims ledger, summaries, rankings."""
    answers: dict[str, object] = {"claims": json.loads(client.get("/api/v1/claims").content)}
    for economy in ("CHN", "EUU", "KOR", "USA", "GBR"):
        for day in ("2014-06-01", "2020-12-31", "2021-01-01", "2021-08-31", "2025-07-01"):
            for basis in ("signed", "in_force"):
                url = f"/api/v1/summary?economy={economy}&as_of={day}&basis={basis}"
                answers[url] = json.loads(client.get(url).content)
    for day in ("2021-08-31", "2024-05-01"):
        url = f"/api/v1/ranking?as_of={day}&by=economies"
        answers[url] = json.loads(client.get(url).content)
    return answers


def _delete_every_registry_row() -> None:
    from agreements.versioning import REGISTRY_MODELS

    for model in reversed(REGISTRY_MODELS):  # each after the rows that refer to it
        model._default_manager.all().delete()


def _without_version(readme: bytes) -> bytes:
    return b"\n".join(line for line in readme.split(b"\n") if not line.startswith(b"- Data version:"))


def test_export_load_into_an_empty_database_export_again_is_byte_identical(
    client: Client, tmp_path: Path
) -> None:
    first = download(client)
    before = _registry_api(client)
    counts = dataset.record_counts()

    _delete_every_registry_row()
    assert sum(dataset.record_counts().values()) == 0
    folder = tmp_path / "export"
    folder.mkdir()
    for name in COLUMNS:
        (folder / name).write_bytes(first[name])
    report = load_reference(folder)
    assert not report.updated and not report.unchanged

    second = download(client)
    for name in COLUMNS:
        assert second[name] == first[name], name
    # The README differs only in the data version (the new database has its own history).
    assert _without_version(second["README.md"]) == _without_version(first["README.md"])
    assert dataset.record_counts() == counts
    assert _registry_api(client) == before


def test_a_formula_like_cell_survives_the_round_trip_and_is_neutralised_in_the_file(
    client: Client, tmp_path: Path
) -> None:
    arrangement = Arrangement.objects.get(key="USA-NZL-2007")
    arrangement.notes = "=cmd|' /C calc'!A0"
    arrangement.save()
    files = download(client)
    line = next(r for r in rows(files["arrangements.csv"]) if r["key"] == "USA-NZL-2007")
    assert line["notes"] == "'=cmd|' /C calc'!A0"
    for name in COLUMNS:
        (tmp_path / name).write_bytes(files[name])
    arrangement.notes = "changed"
    arrangement.save()
    load_reference(tmp_path)
    arrangement.refresh_from_db()
    assert arrangement.notes == "=cmd|' /C calc'!A0"
