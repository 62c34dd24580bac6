"""Writes through agreements.services: validated by the model, atomic, one data-version bump each."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from agreements import services, versioning
from agreements.models import Arrangement, ArrangementParty, BlocMembership, Claim, Source

pytestmark = pytest.mark.django_db


def version() -> int:
    return int(versioning.current_version())


def new_arrangement(**fields: object) -> Arrangement:
    values: dict[str, object] = {"key": "QSV-1", "status": "signed", "evidence": "confirmed", **fields}
    return Arrangement(**values)


def test_an_arrangement_with_parties_and_sources_is_saved_in_one_bump() -> None:
    before = version()
    saved = services.arrangement_save(
        arrangement=new_arrangement(), parties=["CHN", "KOR"], sources=["https://example.org/a", "A letter"]
    )
    assert version() == before + 1
    assert sorted(saved.parties.values_list("code", flat=True)) == ["CHN", "KOR"]
    assert [source.text for source in saved.sources.order_by("position")] == [
        "https://example.org/a",
        "A letter",
    ]


def test_a_party_that_stays_keeps_its_own_in_force_facts() -> None:
    arrangement = services.arrangement_save(
        arrangement=new_arrangement(effective_date=dt.date(2020, 1, 1), effective_precision="day"),
        parties=["CHN", "KOR"],
    )
    ArrangementParty.objects.filter(arrangement=arrangement, economy_id="KOR").update(
        effective_date=dt.date(2021, 1, 1), effective_precision="day", note="later"
    )
    services.arrangement_save(arrangement=arrangement, parties=["KOR", "JPN"])
    kept = ArrangementParty.objects.get(arrangement=arrangement, economy_id="KOR")
    assert (kept.effective_date, kept.note) == (dt.date(2021, 1, 1), "later")
    assert sorted(arrangement.parties.values_list("code", flat=True)) == ["JPN", "KOR"]


@pytest.mark.parametrize(
    ("parties", "message"),
    [
        (["CHN"], "two or more distinct parties"),
        (["CHN", "CHN"], "only once"),
        ([], "two or more distinct parties"),
    ],
)
def test_an_arrangement_needs_two_distinct_parties(parties: list[str], message: str) -> None:
    before = version()
    with pytest.raises(ValidationError, match=message):
        services.arrangement_save(arrangement=new_arrangement(), parties=parties)
    assert not Arrangement.objects.filter(key="QSV-1").exists()
    assert version() == before


def test_the_models_constraints_refuse_a_save_and_nothing_is_written() -> None:
    before = version()
    bad = new_arrangement(
        signed_date=dt.date(2021, 1, 1),
        signed_precision="day",
        effective_date=dt.date(2020, 1, 1),
        effective_precision="day",
    )
    with pytest.raises(ValidationError, match="cannot be before the signed date"):
        services.arrangement_save(arrangement=bad, parties=["CHN", "KOR"], sources=["A letter"])
    assert not Arrangement.objects.filter(key="QSV-1").exists()
    assert not Source.objects.filter(citation="A letter", arrangement__key="QSV-1").exists()
    assert version() == before


def test_a_membership_is_checked_against_its_siblings_and_saved_in_one_bump() -> None:
    saved = BlocMembership.objects.filter(end_date=None).exclude(start_date=None).first()
    assert saved is not None and saved.start_date is not None
    before = version()
    overlapping = BlocMembership(
        bloc_id=saved.bloc_id,
        territory_id=saved.territory_id,
        start_date=saved.start_date + dt.timedelta(days=1),
    )
    with pytest.raises(ValidationError, match="overlaps"):
        services.membership_save(membership=overlapping)
    assert version() == before
    earlier = BlocMembership(
        bloc_id=saved.bloc_id,
        territory_id=saved.territory_id,
        start_date=dt.date(1950, 1, 1),
        end_date=dt.date(1950, 6, 1),
    )
    services.membership_save(membership=earlier)
    assert earlier.pk is not None and version() == before + 1


def test_a_claim_is_validated_and_saved_in_one_bump() -> None:
    before = version()
    claim = Claim(
        key="qsv",
        authority="Test",
        stated_on=dt.date(2021, 1, 1),
        as_of=dt.date(2021, 2, 1),
        economy_id="CHN",
        basis="signed",
        metric="partner_countries",
        value=3,
    )
    with pytest.raises(ValidationError, match="cannot be as of a date after it was stated"):
        services.claim_save(claim=claim)
    claim.as_of = dt.date(2020, 12, 31)
    services.claim_save(claim=claim)
    assert Claim.objects.filter(key="qsv").exists() and version() == before + 1
