"""A `FactIndex` keeps its answers by interval (the days between two consecutive starts or ends
of any fact) and answers another day of the same interval from them: asked about many days in
turn, one index answers as the definition (`standings_on`) does on each day."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agreements import counting
from agreements.counting import FactIndex, Facts, MembershipFact, standings_on
from tests.agreements.test_timeline import (
    BASES,
    ECONOMIES,
    EVIDENCE,
    TERRITORIES,
    all_facts,
    days,
    maybe_days,
)


@st.composite
def bloc_memberships(draw: st.DrawFn) -> MembershipFact:
    start, end = draw(maybe_days), draw(maybe_days)
    if start is not None and end is not None and end <= start:
        end = None
    return MembershipFact(
        draw(st.sampled_from(("BLOC", "RCEP"))), draw(st.sampled_from(TERRITORIES)), start, end
    )


@st.composite
def facts_with_changing_blocs(draw: st.DrawFn) -> Facts:
    facts = draw(all_facts())
    blocs = draw(st.lists(bloc_memberships(), max_size=6))
    return Facts(facts.arrangements, facts.economy_members, blocs, ["BLOC", "RCEP", "EMPTY"])


@settings(max_examples=150, deadline=None)
@given(
    facts_with_changing_blocs(),
    st.lists(st.tuples(st.sampled_from(ECONOMIES), days), min_size=2, max_size=12),
    st.sampled_from(BASES),
    st.sampled_from(EVIDENCE),
)
def test_one_index_asked_about_many_days_answers_as_the_definition(
    facts: Facts, questions: list[tuple[str, dt.date]], basis: str, evidence: str
) -> None:
    index = FactIndex(facts)
    for economy, day in questions:
        everyone = standings_on(facts, day, basis, evidence)
        own = standings_on(index.involving([economy]), day, basis, evidence)
        assert index.standings(economy, day, basis, evidence) == own
        assert index.summary(economy, day, basis, evidence) == everyone.summary(economy)
        for by in ("countries", "economies"):
            assert index.ranking(day, basis, evidence, by) == everyone.ranking(by)
        assert index.blocs_on(day) == everyone.blocs
        world = index.world(day, basis, evidence)
        assert (world.countries, world.partners, world.blocs) == (
            everyone.countries,
            everyone.partners,
            everyone.blocs,
        )


def test_days_of_one_interval_share_their_answers_and_say_their_own_date() -> None:
    facts = Facts([], [MembershipFact("EUU", "FRA", dt.date(2000, 1, 1), None)], [], [])
    index = FactIndex(facts)
    first = index.summary("EUU", dt.date(2001, 1, 1), "signed", "inferred")
    later = index.summary("EUU", dt.date(2005, 6, 30), "signed", "inferred")
    assert index.interval(dt.date(2001, 1, 1)) == index.interval(dt.date(2005, 6, 30))
    assert index.interval(dt.date(1999, 12, 31)) != index.interval(dt.date(2000, 1, 1))
    assert (first.as_of, later.as_of) == (dt.date(2001, 1, 1), dt.date(2005, 6, 30))


def test_a_full_index_drops_its_oldest_answers_and_keeps_the_newest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(counting, "KEPT_ANSWERS", 4)
    index = FactIndex(Facts([], [], [], []))
    for number in range(5):
        index.kept(("answer", number), lambda number=number: number)  # type: ignore[misc]
    assert [key[-1] for key in index._kept] == [2, 3, 4]
    assert index.kept(("answer", 4), lambda: -1) == 4
    assert index.kept(("answer", 0), lambda: -1) == -1  # gone, built again


def test_a_summary_on_another_day_is_the_summary_with_that_day() -> None:
    from dataclasses import fields, replace

    from agreements.counting import Summary

    summary = Summary(
        *[
            dt.date(2021, 8, 31) if field.name == "as_of" else f"value of {field.name}"
            for field in fields(Summary)
        ]  # type: ignore[arg-type]
    )
    assert summary.on(dt.date(2022, 1, 1)) == replace(summary, as_of=dt.date(2022, 1, 1))
