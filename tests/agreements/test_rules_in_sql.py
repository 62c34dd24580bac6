"""Where SQL restates a counting rule to filter, it agrees with the engine (issue 12, item 6).

`agreements.counting` states each rule once in Python; `agreements.querysets` restates two of them
in SQL: the half-open membership period (`active_on_q`) and rules 1 and 6, whether an arrangement
counts on a day (`counting_on_q`). These properties compare the two on the reference data grown
with the synthetic data, on days drawn from every day a fact starts or ends (and the days either
side), on any day, on both bases and every evidence setting.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from agreements import counting
from agreements.choices import Basis, Evidence, Status
from agreements.models import Arrangement, BlocMembership, EconomyMembership
from agreements.selectors import load_facts
from bench.synthetic import add_synthetic

PROPERTY = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def facts(db: None) -> Iterator[counting.Facts]:
    """The reference data and three times as many synthetic arrangements, as the engine sees them."""
    add_synthetic(scale=4, seed=12)
    yield load_facts()


def _boundary_days(facts: counting.Facts) -> list[dt.date]:
    days = {
        day
        for a in facts.arrangements
        for day in (a.signed_date, a.effective_date, a.ended_date, *a.party_effective)
        if day is not None
    }
    days |= {
        day
        for m in (*facts.economy_members, *facts.bloc_members)
        for day in (m.start_date, m.end_date)
        if day is not None
    }
    return sorted(days)


@st.composite
def days(draw: st.DrawFn, facts: counting.Facts) -> dt.date:
    """A day on which a fact starts or ends, or the day before or after one; or any day."""
    if draw(st.booleans()):
        return draw(st.dates(dt.date(1990, 1, 1), dt.date(2040, 12, 31)))
    return draw(st.sampled_from(_boundary_days(facts))) + dt.timedelta(days=draw(st.integers(-1, 1)))


def test_the_choices_list_the_engines_vocabularies_in_its_order() -> None:
    assert tuple(Evidence.values) == counting.EVIDENCE_LEVELS  # strongest first: rule 6 nests by order
    assert tuple(Basis.values) == counting.BASES
    assert Status.NEGOTIATING == counting.NEVER_COUNTS_STATUS


@pytest.mark.parametrize(
    ("day", "member"), [(dt.date(2020, 12, 31), True), (dt.date(2021, 1, 1), False)], ids=str
)
@pytest.mark.django_db
def test_the_uk_is_in_the_eu_by_every_statement_of_the_period(day: dt.date, member: bool) -> None:
    """The boundary days of convention 2, through the model, the engine's facts and the SQL filter."""
    uk = EconomyMembership.objects.get(economy_id="EUU", territory_id="GBR")
    fact = counting.MembershipFact("EUU", "GBR", uk.start_date, uk.end_date)
    in_sql = EconomyMembership.objects.active_on(day).filter(pk=uk.pk).exists()
    assert uk.active_on(day) is fact.active_on(day) is in_sql is member


def test_the_membership_period_holds_its_start_day_and_not_its_end_day() -> None:
    start, end = dt.date(2020, 2, 1), dt.date(2021, 1, 1)
    assert not counting.active_on(start, end, start - dt.timedelta(days=1))
    assert counting.active_on(start, end, start)
    assert counting.active_on(start, end, end - dt.timedelta(days=1))
    assert not counting.active_on(start, end, end)
    assert counting.active_on(None, None, dt.date.min)
    assert counting.active_on(None, end, dt.date.min)
    assert counting.active_on(start, None, dt.date.max)


@PROPERTY
@given(data=st.data())
def test_memberships_active_in_sql_are_the_engines(facts: counting.Facts, data: st.DataObject) -> None:
    day = data.draw(days(facts), label="day")
    for model, memberships in (
        (EconomyMembership, facts.economy_members),
        (BlocMembership, facts.bloc_members),
    ):
        group = model.group_field
        in_sql = set(model.objects.active_on(day).values_list(f"{group}_id", "territory_id"))
        in_python = {(m.group, m.territory) for m in memberships if m.active_on(day)}
        assert in_sql == in_python, (model.__name__, day)


@PROPERTY
@given(
    data=st.data(), basis=st.sampled_from(counting.BASES), evidence=st.sampled_from(counting.EVIDENCE_LEVELS)
)
@example(data=None, basis="in_force", evidence="inferred").via(
    "ASEAN: parties come into force on different days"
)
def test_arrangements_counting_in_sql_are_the_engines(
    facts: counting.Facts, data: st.DataObject | None, basis: str, evidence: str
) -> None:
    if data is None:  # every day of the ASEAN arrangement's parties, and the days either side
        asean = next(a for a in facts.arrangements if a.key == "ASEAN-AAMRA-2023")
        chosen = [d + dt.timedelta(days=step) for d in asean.party_effective if d for step in (-1, 0, 1)]
    else:
        chosen = [data.draw(days(facts), label="day")]
    for day in chosen:
        in_sql = set(Arrangement.objects.counting_on(day, basis, evidence).values_list("key", flat=True))
        in_python = {a.key for a in facts.arrangements if counting.counts_on(a, day, basis, evidence)}
        assert in_sql == in_python, (day, basis, evidence, in_sql ^ in_python)


@st.composite
def arrangements(draw: st.DrawFn) -> dict[str, object]:
    """An arrangement of any shape the models allow: two to four parties, each in force on the
    arrangement's day, on a later day of its own, or not known to be; ended or not."""
    signed = draw(st.dates(dt.date(2000, 1, 1), dt.date(2020, 12, 31)))
    effective = draw(st.none() | st.dates(signed, signed + dt.timedelta(days=400)))
    ended = draw(st.none() | st.dates(signed + dt.timedelta(days=1), signed + dt.timedelta(days=2000)))
    if effective is not None and ended is not None and ended <= effective:
        ended = None
    parties = draw(
        st.lists(
            st.sampled_from(["CHN", "KOR", "JPN", "USA", "EUU", "SGP"]), min_size=2, max_size=4, unique=True
        )
    )
    own: list[tuple[dt.date | None, bool]] = []
    for _ in parties:
        if effective is None:
            own.append((None, draw(st.booleans())))
            continue
        latest = (ended - dt.timedelta(days=1)) if ended else effective + dt.timedelta(days=800)
        choice = draw(st.sampled_from(["arrangement's", "own", "unknown"]))
        day = draw(st.dates(effective, max(effective, latest))) if choice == "own" else None
        own.append((day, choice == "unknown"))
    return {
        "signed": signed,
        "effective": effective,
        "ended": ended,
        "parties": parties,
        "own": own,
        "status": draw(st.sampled_from(Status.values)),
        "evidence": draw(st.sampled_from(Evidence.values)),
    }


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shape=arrangements(), offset=st.integers(-2, 2500), basis=st.sampled_from(counting.BASES))
@pytest.mark.django_db
def test_an_arrangement_of_any_shape_counts_in_sql_as_in_the_engine(
    shape: dict[str, Any], offset: int, basis: str
) -> None:
    from django.db import transaction

    from agreements.models import ArrangementParty

    with transaction.atomic():
        arrangement = Arrangement.objects.create(
            key="SHAPE-1",
            signed_date=shape["signed"],
            signed_precision="day",
            effective_date=shape["effective"],
            effective_precision="day" if shape["effective"] else "",
            ended_date=shape["ended"],
            ended_precision="day" if shape["ended"] else "",
            status=shape["status"],
            evidence=shape["evidence"],
        )
        for code, (day, unknown) in zip(shape["parties"], shape["own"], strict=True):
            ArrangementParty.objects.create(
                arrangement=arrangement,
                economy_id=code,
                effective_date=day,
                effective_precision="day" if day else "",
                effective_unknown=unknown,
            )
        fact = next(a for a in load_facts().arrangements if a.key == "SHAPE-1")
        day = shape["signed"] + dt.timedelta(days=offset)
        in_sql = Arrangement.objects.filter(key="SHAPE-1").counting_on(day, basis, "inferred").exists()
        assert in_sql is counting.counts_on(fact, day, basis, "inferred"), (fact, day)
        transaction.set_rollback(True)
