"""The data version changes whenever a record changes, and only then."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from agreements import versioning
from agreements.models import Arrangement, Bloc, BlocMembership, Claim, Economy, Source, Territory
from agreements.reference import load_reference
from bench.synthetic import add_synthetic
from tests.conftest import REFERENCE_DIR
from tests.factories import EconomyFactory

pytestmark = pytest.mark.django_db


def changes(action: Callable[[], object]) -> bool:
    before = versioning.current_version()
    action()
    return versioning.current_version() != before


def test_current_version_is_one_query(django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        version = versioning.current_version()
    assert version.isdigit()


def test_saving_a_record_changes_the_version() -> None:
    arrangement = Arrangement.objects.get(key="USA-NZL-2007")
    arrangement.notes = "Edited in the admin."
    assert changes(arrangement.save)


def test_creating_and_deleting_records_change_the_version() -> None:
    bloc = Bloc(code="QQ", name="Test bloc")
    assert changes(bloc.save)
    assert changes(lambda: BlocMembership.objects.create(bloc=bloc, territory_id="FRA"))
    assert changes(bloc.delete)


def test_every_registry_model_is_watched() -> None:
    territory = Territory(iso3="QZZ", iso2=None, name="Qzz")
    assert changes(territory.save)
    economy = Economy(code="QZZ", name="Qzz")
    assert changes(economy.save)
    assert changes(lambda: economy.memberships.create(territory=territory))
    arrangement = Arrangement.objects.get(key="USA-NZL-2007")
    assert changes(lambda: Source.objects.create(arrangement=arrangement, url="https://example.org/x"))
    assert changes(lambda: arrangement.parties.add(economy))
    assert changes(lambda: arrangement.parties.remove(economy))
    claim = Claim.objects.first()
    assert claim is not None
    assert changes(claim.delete)


def test_an_admin_change_and_an_admin_delete_change_the_version(admin_client: Client) -> None:
    economy = EconomyFactory.create(code="QZY", name="Qzy")
    before = versioning.current_version()
    response = admin_client.post(
        f"/admin/agreements/economy/{economy.pk}/change/",
        {
            "code": "QZY",
            "name": "Qzy renamed",
            "kind": "territory",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert versioning.current_version() != before
    before = versioning.current_version()
    response = admin_client.post(f"/admin/agreements/economy/{economy.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Economy.objects.filter(pk="QZY").exists()
    assert versioning.current_version() != before


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(REFERENCE_DIR, folder)
    return folder


def test_an_idempotent_reload_keeps_the_version(dataset: Path) -> None:
    assert not changes(lambda: load_reference(dataset))


def test_a_reload_with_a_changed_file_bumps_the_version_once(dataset: Path) -> None:
    path = dataset / "arrangements.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[0]["notes"] += " Edited."
    rows[1]["title"] = "A new title"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    before = int(versioning.current_version())
    load_reference(dataset)
    assert int(versioning.current_version()) == before + 1


def test_adding_synthetic_data_bumps_the_version() -> None:
    assert changes(lambda: add_synthetic(scale=2))


def test_bumps_inside_nested_batched_blocks_are_one_bump_at_the_end_of_the_outermost() -> None:
    before = int(versioning.current_version())
    with transaction.atomic(), versioning.batched():
        versioning.bump()
        with versioning.batched():
            versioning.bump()
            EconomyFactory.create(code="QVA")  # a receiver's bump, silenced
        assert int(versioning.current_version()) == before  # waiting for the outermost
        versioning.bump()
    assert int(versioning.current_version()) == before + 1


def test_a_batched_block_left_by_an_exception_does_not_bump() -> None:
    before = versioning.current_version()
    with pytest.raises(ValueError), transaction.atomic(), versioning.batched():
        versioning.bump()
        raise ValueError("the write failed")
    assert versioning.current_version() == before
    assert changes(versioning.bump)  # outside a batched block, at once


def test_bump_creates_the_row_when_the_table_is_empty() -> None:
    from agreements.models import DataVersion

    DataVersion.objects.all().delete()
    assert versioning.current_version() == "0"
    versioning.bump()
    assert versioning.current_version() == "1"
    assert versioning.version_info()[1] is not None


def test_the_data_page_shows_the_version_the_date_and_the_counts(client: Client) -> None:
    versioning.bump()
    version, changed_at = versioning.version_info()
    assert changed_at is not None
    html = client.get("/data/").content.decode()
    assert f'<dd data-testid="data-version">{version}</dd>' in html
    assert changed_at.strftime("%Y-%m-%d") in html
    assert f"<td>{Arrangement.objects.count()}</td>" in html
    assert f"<td>{Territory.objects.count()}</td>" in html
    assert 'href="/data/aeo-registry-data.zip"' in html
