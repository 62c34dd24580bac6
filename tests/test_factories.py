"""The factories (tests/factories.py) make valid records beside the reference data."""

from __future__ import annotations

from typing import Any

import pytest

from agreements.models import Arrangement, Economy
from tests.factories import (
    ArrangementFactory,
    BlocMembershipFactory,
    ClaimFactory,
    EconomyFactory,
    EconomyMembershipFactory,
    SourceFactory,
    TerritoryFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "factory_class",
    [
        TerritoryFactory,
        EconomyFactory,
        EconomyMembershipFactory,
        BlocMembershipFactory,
        ArrangementFactory,
        SourceFactory,
        ClaimFactory,
    ],
)
def test_each_factory_makes_a_record_the_model_accepts(factory_class: Any) -> None:
    record = factory_class.create()
    record.full_clean()


def test_an_arrangement_has_two_new_parties_unless_given_its_own() -> None:
    assert ArrangementFactory.create().parties.count() == 2
    china, japan = Economy.objects.get(code="CHN"), Economy.objects.get(code="JPN")
    arrangement = ArrangementFactory.create(parties=[japan, china])
    assert list(arrangement.party_links.values_list("economy_id", flat=True).order_by("pk")) == ["JPN", "CHN"]
    assert Arrangement.objects.filter(key__startswith="X-ARRANGEMENT-").count() == 2


def test_generated_codes_are_not_reference_codes() -> None:
    economy = EconomyFactory.create()
    assert economy.code.startswith("X") and len(economy.code) == 3
    assert TerritoryFactory.create().iso3.startswith("X")
