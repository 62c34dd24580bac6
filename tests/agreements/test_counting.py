"""The counting engine on hand-made facts: each rule of "How we count", and its boundary days."""

from __future__ import annotations

import datetime as dt

import pytest

from agreements.counting import (
    ArrangementFact,
    Facts,
    MembershipFact,
    competition_ranks,
    counts_on,
    evidence_included,
    standings_on,
)

D = dt.date
JAN_2020 = D(2020, 1, 1)


def arrangement(
    key: str = "A-B",
    parties: tuple[str, ...] = ("AAA", "BBB"),
    signed: dt.date | None = JAN_2020,
    effective: dt.date | None = None,
    ended: dt.date | None = None,
    status: str = "signed",
    evidence: str = "confirmed",
) -> ArrangementFact:
    return ArrangementFact(key, parties, signed, effective, ended, status, evidence)


def facts(*arrangements: ArrangementFact, members: tuple[MembershipFact, ...] = ()) -> Facts:
    codes = {p for a in arrangements for p in a.parties}
    singles = tuple(MembershipFact(code, code, None, None) for code in sorted(codes) if code != "EUU")
    return Facts(
        arrangements, singles + members, [MembershipFact("BLOC", "BBB", None, None)], ["BLOC", "EMPTY"]
    )


def test_signed_basis_counts_from_the_signed_day_inclusive() -> None:
    a = arrangement(signed=D(2019, 7, 22))
    assert not counts_on(a, D(2019, 7, 21), "signed", "inferred")
    assert counts_on(a, D(2019, 7, 22), "signed", "inferred")


def test_an_arrangement_no_longer_counts_on_its_ended_day() -> None:
    a = arrangement(signed=D(2019, 1, 1), ended=D(2022, 3, 1))
    assert counts_on(a, D(2022, 2, 28), "signed", "inferred")
    assert not counts_on(a, D(2022, 3, 1), "signed", "inferred")


def test_in_force_basis_counts_from_the_effective_date_and_needs_one() -> None:
    a = arrangement(signed=D(2019, 1, 1), effective=D(2019, 6, 1))
    assert not counts_on(a, D(2019, 5, 31), "in_force", "inferred")
    assert counts_on(a, D(2019, 6, 1), "in_force", "inferred")
    assert not counts_on(arrangement(effective=None), D(2030, 1, 1), "in_force", "inferred")


def test_a_month_date_counts_from_the_first_of_its_month() -> None:
    # A month-precision date is stored as the first of the month, and counts from that day.
    a = arrangement(signed=D(2018, 10, 1))
    assert not counts_on(a, D(2018, 9, 30), "signed", "inferred")
    assert counts_on(a, D(2018, 10, 1), "signed", "inferred")


def test_a_by_date_counts_from_its_date() -> None:
    a = arrangement(signed=D(2021, 1, 1), evidence="inferred")
    assert not counts_on(a, D(2020, 12, 31), "signed", "inferred")
    assert counts_on(a, D(2021, 1, 1), "signed", "inferred")


def test_negotiating_never_counts() -> None:
    a = arrangement(signed=D(2019, 1, 1), status="negotiating")
    assert not counts_on(a, D(2025, 1, 1), "signed", "inferred")


def test_evidence_levels_nest() -> None:
    assert evidence_included("confirmed") == ("confirmed",)
    assert evidence_included("reported") == ("confirmed", "reported")
    assert evidence_included("inferred") == ("confirmed", "reported", "inferred")
    reported = arrangement(evidence="reported")
    assert not counts_on(reported, D(2021, 1, 1), "signed", "confirmed")
    assert counts_on(reported, D(2021, 1, 1), "signed", "reported")


def test_unknown_basis_or_evidence_is_an_error() -> None:
    with pytest.raises(ValueError, match="basis"):
        counts_on(arrangement(), D(2021, 1, 1), "ratified", "inferred")
    with pytest.raises(ValueError, match="evidence"):
        evidence_included("rumoured")


def test_a_plurilateral_arrangement_makes_every_other_party_a_partner() -> None:
    standings = standings_on(
        facts(arrangement(parties=("AAA", "BBB", "CCC", "DDD"))), D(2021, 1, 1), "signed", "inferred"
    )
    assert standings.summary("BBB").partners == ("AAA", "CCC", "DDD")
    assert standings.summary("BBB").countries == ("AAA", "CCC", "DDD")


def test_partner_countries_are_the_partner_economies_territories_on_the_day() -> None:
    union = (
        MembershipFact("EUU", "FRA", D(1958, 1, 1), None),
        MembershipFact("EUU", "GBR", D(1973, 1, 1), D(2021, 1, 1)),
    )
    data = facts(arrangement(parties=("AAA", "EUU"), signed=D(2014, 5, 16)), members=union)
    assert standings_on(data, D(2020, 12, 31), "signed", "inferred").summary("AAA").countries == (
        "FRA",
        "GBR",
    )
    assert standings_on(data, D(2021, 1, 1), "signed", "inferred").summary("AAA").countries == ("FRA",)
    assert standings_on(data, D(2021, 1, 1), "signed", "inferred").summary("AAA").partners == ("EUU",)


def test_bloc_counts_take_partner_territories_in_the_bloc_and_list_every_bloc() -> None:
    summary = standings_on(facts(arrangement()), D(2021, 1, 1), "signed", "inferred").summary("AAA")
    assert summary.by_bloc == {"BLOC": 1, "EMPTY": 0}
    assert summary.bloc_countries["BLOC"] == ("BBB",)


def test_ties_share_a_rank_and_the_next_rank_skips() -> None:
    assert competition_ranks({"A": 5, "B": 3, "C": 3, "D": 1}) == {"A": 1, "B": 2, "C": 2, "D": 4}


def test_ranking_lists_only_economies_with_partners_best_first() -> None:
    data = facts(
        arrangement("1", ("AAA", "BBB")),
        arrangement("2", ("AAA", "CCC")),
        arrangement("3", ("DDD", "EEE"), status="negotiating"),
    )
    rows = standings_on(data, D(2021, 1, 1), "signed", "inferred").ranking("economies")
    assert [(r.economy, r.value, r.rank) for r in rows] == [("AAA", 2, 1), ("BBB", 1, 2), ("CCC", 1, 2)]


def test_an_economy_without_partners_has_no_rank() -> None:
    summary = standings_on(facts(arrangement()), D(2021, 1, 1), "signed", "inferred").summary("ZZZ")
    assert summary.partner_economies == 0
    assert summary.rank_by_countries is None


def test_metric_names_read_the_summary() -> None:
    summary = standings_on(facts(arrangement()), D(2021, 1, 1), "signed", "inferred").summary("AAA")
    assert summary.metric("partner_economies") == 1
    assert summary.metric("bloc:BLOC") == 1
    assert summary.metric("rank_by_countries") == 1
    with pytest.raises(ValueError):
        summary.metric("happiness")
