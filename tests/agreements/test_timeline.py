"""The sweep (`timeline`, `cumulative_series`, `FactIndex`) against the definition: `standings_on`
applied day by day. Random facts, including the awkward cases: arrangements ending before they
start, plurilateral parties, economies without territories, memberships that come and go."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from agreements.counting import (
    ArrangementFact,
    FactIndex,
    Facts,
    MembershipFact,
    cumulative_series,
    party_dates,
    standings_on,
    timeline,
)

D = dt.date
ECONOMIES = ("AAA", "BBB", "CCC", "DDD", "EUU")
TERRITORIES = ("AAA", "BBB", "CCC", "FRA", "DEU", "ITA")
BASES = ("signed", "in_force")
EVIDENCE = ("confirmed", "reported", "inferred")
days = st.dates(min_value=D(2000, 1, 1), max_value=D(2000, 3, 1))
maybe_days = st.none() | days


@st.composite
def arrangements(draw: st.DrawFn) -> ArrangementFact:
    parties = draw(st.lists(st.sampled_from(ECONOMIES), min_size=2, max_size=4, unique=True))
    return ArrangementFact(
        key=f"K{draw(st.integers(0, 10**6))}",
        parties=tuple(parties),
        signed_date=draw(maybe_days),
        effective_date=draw(maybe_days),
        ended_date=draw(maybe_days),
        status=draw(st.sampled_from(("signed", "in_force", "negotiating", "ended"))),
        evidence=draw(st.sampled_from(EVIDENCE)),
        # Sometimes each party has its own in-force date (None: unknown), as ASEAN's do.
        party_effective=draw(
            st.just(()) | st.lists(maybe_days, min_size=len(parties), max_size=len(parties)).map(tuple)
        ),
    )


@st.composite
def memberships(draw: st.DrawFn) -> MembershipFact:
    start, end = draw(maybe_days), draw(maybe_days)
    if start is not None and end is not None and end <= start:
        end = None
    return MembershipFact(draw(st.sampled_from(ECONOMIES)), draw(st.sampled_from(TERRITORIES)), start, end)


@st.composite
def all_facts(draw: st.DrawFn) -> Facts:
    listed = draw(st.lists(arrangements(), max_size=12, unique_by=lambda a: a.key))
    members = draw(st.lists(memberships(), max_size=12))
    return Facts(listed, members, [MembershipFact("BLOC", "FRA", None, None)], ["BLOC"])


def figures_by_definition(
    facts: Facts, day: dt.date, basis: str, evidence: str
) -> dict[str, tuple[int, int]]:
    standings = standings_on(facts, day, basis, evidence)
    codes = set(standings.partners) | set(standings.countries)
    return {
        code: (len(standings.partners.get(code, ())), len(standings.countries.get(code, ())))
        for code in codes
        if standings.partners.get(code) or standings.countries.get(code)
    }


@settings(max_examples=300, deadline=None)
@given(all_facts(), st.lists(days, min_size=1, max_size=6), st.sampled_from(BASES), st.sampled_from(EVIDENCE))
def test_timeline_matches_standings_on_every_day(
    facts: Facts, on: list[dt.date], basis: str, evidence: str
) -> None:
    line = timeline(facts, basis, evidence)
    for day in on:
        expected = figures_by_definition(facts, day, basis, evidence)
        got = {code: line.figures(code, day) for code in ECONOMIES if line.figures(code, day) != (0, 0)}
        assert got == expected
        standings = standings_on(facts, day, basis, evidence)
        for by in ("countries", "economies"):
            assert line.ranking(day, by) == standings.ranking(by)


def series_by_definition(
    facts: Facts, economies: list[str], until: dt.date, basis: str, evidence: str
) -> dict[str, list[tuple[dt.date, int, int]]]:
    """The day-by-day definition that `cumulative_series` must equal."""
    focal = set(economies)
    relevant = [a for a in facts.arrangements if focal.intersection(a.parties)]
    parties = {party for a in relevant for party in a.parties}
    members = [m for m in facts.economy_members if m.group in parties]
    candidates = {until}
    for arrangement in relevant:
        candidates |= {
            d for d in (*party_dates(arrangement, basis), arrangement.ended_date) if d and d <= until
        }
    for member in members:
        candidates |= {d for d in (member.start_date, member.end_date) if d and d <= until}
    series: dict[str, list[tuple[dt.date, int, int]]] = {code: [] for code in economies}
    for day in sorted(candidates):
        standings = standings_on(facts, day, basis, evidence)
        for code in economies:
            point = (day, len(standings.partners.get(code, ())), len(standings.countries.get(code, ())))
            if not series[code] or series[code][-1][1:] != point[1:] or day == until:
                series[code].append(point)
    return series


@settings(max_examples=200, deadline=None)
@given(
    all_facts(),
    st.lists(st.sampled_from(ECONOMIES), min_size=1, max_size=3, unique=True),
    days,
    st.sampled_from(BASES),
    st.sampled_from(EVIDENCE),
)
def test_cumulative_series_matches_the_day_by_day_definition(
    facts: Facts, economies: list[str], until: dt.date, basis: str, evidence: str
) -> None:
    expected = series_by_definition(facts, economies, until, basis, evidence)
    assert cumulative_series(facts, economies, until, basis, evidence) == expected
    assert FactIndex(facts).series(economies, until, basis, evidence) == expected


@settings(max_examples=150, deadline=None)
@given(
    all_facts(),
    st.lists(
        st.tuples(st.lists(st.sampled_from(ECONOMIES), min_size=1, max_size=3, unique=True), days),
        min_size=2,
        max_size=8,
    ),
    st.sampled_from(BASES),
    st.sampled_from(EVIDENCE),
)
def test_one_index_asked_for_many_series_answers_as_the_definition(
    facts: Facts, questions: list[tuple[list[str], dt.date]], basis: str, evidence: str
) -> None:
    index = FactIndex(facts)  # its kept change days serve every later question
    for economies, until in questions:
        expected = series_by_definition(facts, economies, until, basis, evidence)
        assert index.series(economies, until, basis, evidence) == expected


@settings(max_examples=200, deadline=None)
@given(all_facts(), st.sampled_from(ECONOMIES), days, st.sampled_from(BASES), st.sampled_from(EVIDENCE))
def test_index_summary_equals_the_summary_over_all_facts(
    facts: Facts, economy: str, day: dt.date, basis: str, evidence: str
) -> None:
    index = FactIndex(facts)
    assert index.summary(economy, day, basis, evidence) == standings_on(facts, day, basis, evidence).summary(
        economy
    )
    own = index.standings(economy, day, basis, evidence)
    assert own.partner_links(economy) == standings_on(facts, day, basis, evidence).partner_links(economy)
