"""Invariants held by named database constraints, and the checks the database cannot hold."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from agreements.models import Arrangement, ArrangementParty, BlocMembership, Claim, EconomyMembership, Source

pytestmark = pytest.mark.django_db
D = dt.date


def test_a_membership_cannot_end_before_it_starts() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        EconomyMembership.objects.create(
            economy_id="EUU", territory_id="NOR", start_date=D(2020, 1, 1), end_date=D(2019, 1, 1)
        )


def test_the_same_membership_cannot_be_recorded_twice() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        EconomyMembership.objects.create(economy_id="EUU", territory_id="FRA", start_date=D(1958, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        BlocMembership.objects.create(bloc_id="BRI", territory_id="MNG")  # open start, twice


def test_overlapping_periods_are_rejected_with_a_clear_message() -> None:
    overlapping = EconomyMembership(economy_id="EUU", territory_id="GBR", start_date=D(2000, 1, 1))
    with pytest.raises(ValidationError, match=r"overlaps another membership .*\[1973-01-01, 2021-01-01\)"):
        overlapping.full_clean()
    later = EconomyMembership(economy_id="EUU", territory_id="GBR", start_date=D(2021, 1, 1))
    later.full_clean()  # a half-open period: rejoining on the day it ended does not overlap


def test_parties_are_distinct() -> None:
    arrangement = Arrangement.objects.get(key="USA-NZL-2007")
    with pytest.raises(IntegrityError), transaction.atomic():
        ArrangementParty.objects.create(arrangement=arrangement, economy_id="USA")


@pytest.mark.parametrize(
    "fields",
    [
        {"signed_date": D(2020, 5, 1), "effective_date": D(2020, 4, 1)},
        {"signed_date": D(2020, 5, 1), "ended_date": D(2020, 5, 1), "ended_precision": "day"},
        {"signed_date": D(2020, 5, 1), "signed_precision": ""},
        {"signed_date": None, "signed_precision": "day"},
        {"status": "rumoured"},
        {"evidence": "hearsay"},
    ],
)
def test_arrangement_invariants_are_database_constraints(fields: dict[str, object]) -> None:
    values: dict[str, object] = {
        "key": "TEST-1",
        "signed_date": D(2020, 5, 1),
        "signed_precision": "day",
        "status": "signed",
        "evidence": "confirmed",
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Arrangement.objects.create(**(values | fields))


def test_model_validation_explains_date_precision() -> None:
    arrangement = Arrangement(
        key="TEST-2",
        signed_date=D(2020, 5, 17),
        signed_precision="month",
        status="signed",
        evidence="confirmed",
    )
    with pytest.raises(ValidationError, match="first of its month"):
        arrangement.full_clean()


def test_a_source_is_a_url_or_a_citation() -> None:
    arrangement = Arrangement.objects.get(key="USA-NZL-2007")
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.create(arrangement=arrangement, url="", citation="")
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.create(arrangement=arrangement, url="https://a.example", citation="both")


def test_a_claim_cannot_predate_its_as_of_date() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(
            key="X",
            authority="A",
            stated_on=D(2020, 1, 1),
            as_of=D(2020, 2, 1),
            economy_id="CHN",
            basis="signed",
            metric="partner_countries",
            value=1,
        )


def test_readable_names() -> None:
    assert str(EconomyMembership.objects.get(economy_id="EUU", territory_id="GBR")) == (
        "GBR in EUU [1973-01-01, 2021-01-01)"
    )
    assert str(Arrangement.objects.get(key="USA-NZL-2007")) == "USA-NZL-2007"
