"""Read models for pages, charts and the API. Each runs a constant number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from agreements import counting
from agreements.models import (
    ArrangementParty,
    Bloc,
    BlocMembership,
    Claim,
    Economy,
    EconomyMembership,
)
from agreements.querysets import active_on_q, counting_on_q


def load_facts(
    *, day: dt.date | None = None, basis: str = "signed", evidence: str = "inferred"
) -> counting.Facts:
    """Load the facts the counting engine needs in four queries.

    With `day`, the database pre-selects what can count on that day (an optimisation only: the
    engine re-applies every rule); without it, everything is loaded, for computing many days.
    """
    party_rows = ArrangementParty.objects.order_by("arrangement_id", "economy_id")
    economy_rows = EconomyMembership.objects.all()
    bloc_rows = BlocMembership.objects.all()
    if day is not None:
        party_rows = party_rows.filter(counting_on_q(day, basis, evidence, prefix="arrangement__"))
        economy_rows = economy_rows.filter(active_on_q(day))
        bloc_rows = bloc_rows.filter(active_on_q(day))

    parties: dict[str, list[str]] = defaultdict(list)
    heads: dict[str, tuple[object, ...]] = {}
    for key, economy, signed, effective, ended, status, level in party_rows.values_list(
        "arrangement__key",
        "economy_id",
        "arrangement__signed_date",
        "arrangement__effective_date",
        "arrangement__ended_date",
        "arrangement__status",
        "arrangement__evidence",
    ):
        parties[key].append(economy)
        heads[key] = (signed, effective, ended, status, level)
    arrangements = [
        counting.ArrangementFact(key, tuple(parties[key]), *heads[key])  # type: ignore[arg-type]
        for key in heads
    ]
    return counting.Facts(
        arrangements=arrangements,
        economy_members=[
            counting.MembershipFact(*row)
            for row in economy_rows.values_list("economy_id", "territory_id", "start_date", "end_date")
        ],
        bloc_members=[
            counting.MembershipFact(*row)
            for row in bloc_rows.values_list("bloc_id", "territory_id", "start_date", "end_date")
        ],
        bloc_codes=list(Bloc.objects.values_list("code", flat=True)),
    )


def standings_on(day: dt.date, basis: str, evidence: str) -> counting.Standings:
    return counting.standings_on(load_facts(day=day, basis=basis, evidence=evidence), day, basis, evidence)


def summary_for(*, economy: str, day: dt.date, basis: str, evidence: str) -> counting.Summary:
    return standings_on(day, basis, evidence).summary(economy)


@dataclass(frozen=True, slots=True)
class NamedRankingRow:
    economy: str
    name: str
    value: int
    rank: int


def ranking_on(*, day: dt.date, by: str, basis: str, evidence: str) -> list[NamedRankingRow]:
    rows = standings_on(day, basis, evidence).ranking(by)
    names = dict(Economy.objects.filter(code__in=[r.economy for r in rows]).values_list("code", "name"))
    return [NamedRankingRow(r.economy, names.get(r.economy, r.economy), r.value, r.rank) for r in rows]


@dataclass(frozen=True, slots=True)
class LedgerRow:
    claim: Claim
    computed: int | None

    @property
    def match(self) -> bool:
        return self.computed == self.claim.value


def claims_ledger(*, evidence: str = "inferred") -> list[LedgerRow]:
    """Every claim beside the registry's own figure for the same economy, day, basis and metric."""
    claims = list(Claim.objects.select_related("economy").order_by("as_of", "key", "basis", "metric"))
    facts = load_facts()
    standings: dict[tuple[dt.date, str], counting.Standings] = {}
    rows = []
    for claim in claims:
        point = (claim.as_of, claim.basis)
        if point not in standings:
            standings[point] = counting.standings_on(facts, claim.as_of, claim.basis, evidence)
        rows.append(LedgerRow(claim, standings[point].summary(claim.economy_id).metric(claim.metric)))
    return rows
