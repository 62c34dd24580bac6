"""The as-of counting engine: pure functions over plain facts, no ORM, no request.

How we count (published on the "How we count" page and in data/README.md):

1. On the **signed** basis an arrangement counts from its signed date (inclusive) until its ended
   date (exclusive); on the **in force** basis, from its in-force (effective) date. An arrangement
   without the date for a basis does not count on that basis; `negotiating` never counts.
   A plurilateral arrangement can come into force for its parties on different days: on the in-force
   basis each party has its own date (the arrangement's unless the party has one; none when it is
   not known), and two parties count as each other's partners from the later of their two dates.
   A party whose in-force date is not known never counts on that basis.
2. The **partner economies** of economy E on day D are the other parties of every arrangement that
   counts on D and has E as a party. A plurilateral arrangement makes every other party a partner.
3. The **partner countries and regions** of E on D are the territories that belong to those partner
   economies on D (membership periods are half-open: in on the start date, out on the end date).
4. A **bloc count** is the number of partner territories that are members of the bloc on D.
5. **Rankings** order all economies by partner countries (or partner economies) on D; ties share a
   rank (1, 2, 2, 4). Only economies with at least one partner are ranked.
6. An **evidence** setting includes records down to that level (confirmed ⊂ reported ⊂ inferred).

Date precision does not change counting: a `month` or `year` date is already the first day of its
period and a `by` date the latest day by which the event had happened, so each counts from its date.

`standings_on` is the definition: every rule applied to every economy on one day. Pages use a
`FactIndex` instead (kept per data version by `agreements.selectors.fact_index`): one economy's
figures are counted on the facts that involve it, and every economy's figures and ranks on any
day are read from a `Timeline`, built by one sweep over the days anything starts or ends
(`timeline`; tests/agreements/test_timeline.py checks it against `standings_on` day by day). Everything
here is deterministic and cheap to test.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import groupby
from operator import itemgetter
from typing import TypeVar, cast

from agreements.bounded import keep

BASES = ("signed", "in_force")
EVIDENCE_LEVELS = ("confirmed", "reported", "inferred")
RANK_MEASURES = ("countries", "economies")
NEVER_COUNTS_STATUS = "negotiating"
# Answers a FactIndex keeps by interval (standings, summaries, rankings); when full, the older
# half goes. A visitor exploring every economy on every day asks for about 16,000 answers on the
# reference data (66 economies, 237 intervals since 2010): starting afresh at 4,096 rebuilt most
# of them over and over (issue 16).
KEPT_ANSWERS = 32768
_MISSING = object()

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ArrangementFact:
    key: str
    parties: tuple[str, ...]
    signed_date: dt.date | None
    effective_date: dt.date | None
    ended_date: dt.date | None
    status: str
    evidence: str
    # Each party's in-force date, in the order of `parties` (None: not known, never counts on
    # that basis). Empty: every party's is `effective_date`.
    party_effective: tuple[dt.date | None, ...] = ()


def active_on(start: dt.date | None, end: dt.date | None, day: dt.date) -> bool:
    """Rule 3's membership period, the half-open interval [start, end): in on the start date, out on
    the end date; None is an open bound. The one statement of the rule in Python (the models'
    `active_on` call it; `agreements.querysets.active_on_q` restates it in SQL for filtering, and
    tests/test_rules_in_sql.py checks that both agree)."""
    return (start is None or start <= day) and (end is None or day < end)


@dataclass(frozen=True, slots=True)
class MembershipFact:
    """A territory in a group (an economy or a bloc) for the half-open period [start, end)."""

    group: str
    territory: str
    start_date: dt.date | None
    end_date: dt.date | None

    def active_on(self, day: dt.date) -> bool:
        return active_on(self.start_date, self.end_date, day)


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything counting needs. Facts may be pre-filtered to a day; the rules are re-applied."""

    arrangements: Sequence[ArrangementFact]
    economy_members: Sequence[MembershipFact]
    bloc_members: Sequence[MembershipFact]
    bloc_codes: Sequence[str]


def evidence_included(setting: str) -> tuple[str, ...]:
    """The evidence levels a setting includes (rule 6)."""
    if setting not in EVIDENCE_LEVELS:
        raise ValueError(f"unknown evidence level {setting!r}")
    return EVIDENCE_LEVELS[: EVIDENCE_LEVELS.index(setting) + 1]


def basis_date(fact: ArrangementFact, basis: str) -> dt.date | None:
    if basis == "signed":
        return fact.signed_date
    if basis == "in_force":
        return fact.effective_date
    raise ValueError(f"unknown basis {basis!r}")


def party_dates(fact: ArrangementFact, basis: str) -> tuple[dt.date | None, ...]:
    """Each party's date on the basis, in the order of `fact.parties` (rule 1)."""
    if basis == "in_force" and fact.party_effective:
        return fact.party_effective
    return (basis_date(fact, basis),) * len(fact.parties)


def counting_parties(fact: ArrangementFact, day: dt.date, basis: str, evidence: str) -> tuple[str, ...]:
    """Rule 1 and rule 6: the parties for which an arrangement counts on a day (two or more, or
    none: one party alone has no partner by it)."""
    if (
        fact.status == NEVER_COUNTS_STATUS
        or fact.evidence not in evidence_included(evidence)
        or (fact.ended_date is not None and day >= fact.ended_date)
    ):
        return ()
    parties = tuple(
        party
        for party, start in zip(fact.parties, party_dates(fact, basis), strict=True)
        if start is not None and start <= day
    )
    return parties if len(parties) > 1 else ()


def counts_on(fact: ArrangementFact, day: dt.date, basis: str, evidence: str) -> bool:
    """Rule 1 and rule 6: whether an arrangement counts on a day (for two parties or more)."""
    return bool(counting_parties(fact, day, basis, evidence))


type Span = tuple[dt.date, dt.date | None, tuple[str, ...]]


def counting_spans(fact: ArrangementFact, basis: str, evidence: str) -> list[Span]:
    """The periods [start, end) over which an arrangement counts, each with the parties it counts
    for then; consecutive (each ends where the next starts), the last ending on its ended date
    (None: still). One period, unless parties come into force on different days."""
    if fact.status == NEVER_COUNTS_STATUS or fact.evidence not in evidence_included(evidence):
        return []
    ended = fact.ended_date
    dates = party_dates(fact, basis)
    days = sorted({day for day in dates if day is not None and (ended is None or day < ended)})
    spans: list[Span] = []
    for position, start in enumerate(days):
        parties = counting_parties(fact, start, basis, evidence)
        if parties:
            spans.append((start, days[position + 1] if position + 1 < len(days) else ended, parties))
    return spans


def _counting_part(fact: ArrangementFact, parties: tuple[str, ...]) -> ArrangementFact:
    """The arrangement narrowed to the parties it counts for on a day."""
    if parties == fact.parties:
        return fact
    dates = dict(zip(fact.parties, party_dates(fact, "in_force"), strict=True))
    return replace(
        fact,
        parties=parties,
        party_effective=tuple(dates[party] for party in parties) if fact.party_effective else (),
    )


def members_on(memberships: Iterable[MembershipFact], day: dt.date) -> dict[str, frozenset[str]]:
    """Group code -> the territories that are members on the day."""
    groups: dict[str, set[str]] = defaultdict(set)
    for membership in memberships:
        if membership.active_on(day):
            groups[membership.group].add(membership.territory)
    return {group: frozenset(territories) for group, territories in groups.items()}


def competition_ranks(values: Mapping[str, int]) -> dict[str, int]:
    """Rank by value, highest first; ties share a rank and the next rank skips (1, 2, 2, 4)."""
    ranks: dict[str, int] = {}
    previous: int | None = None
    rank = 0
    for position, (code, value) in enumerate(sorted(values.items(), key=lambda kv: (-kv[1], kv[0])), 1):
        if value != previous:
            rank, previous = position, value
        ranks[code] = rank
    return ranks


@dataclass(frozen=True, slots=True)
class Summary:
    economy: str
    as_of: dt.date
    basis: str
    evidence: str
    partners: tuple[str, ...]
    countries: tuple[str, ...]
    by_bloc: dict[str, int]
    bloc_countries: dict[str, tuple[str, ...]]
    rank_by_countries: int | None
    rank_by_economies: int | None

    def on(self, day: dt.date) -> Summary:
        """The same figures as of another day of their interval (`dataclasses.replace` of `as_of`,
        without its field-by-field introspection: the counting API asks for one per request)."""
        return Summary(
            self.economy,
            day,
            self.basis,
            self.evidence,
            self.partners,
            self.countries,
            self.by_bloc,
            self.bloc_countries,
            self.rank_by_countries,
            self.rank_by_economies,
        )

    @property
    def partner_economies(self) -> int:
        return len(self.partners)

    @property
    def partner_countries(self) -> int:
        return len(self.countries)

    def metric(self, name: str) -> int | None:
        """A figure by its claim metric name (see `agreements.choices.Metric`, or `bloc:<code>`)."""
        if name.startswith("bloc:"):
            return self.by_bloc.get(name.removeprefix("bloc:"))
        values: dict[str, int | None] = {
            "partner_economies": self.partner_economies,
            "partner_countries": self.partner_countries,
            "rank_by_countries": self.rank_by_countries,
            "rank_by_economies": self.rank_by_economies,
        }
        if name not in values:
            raise ValueError(f"unknown metric {name!r}")
        return values[name]


@dataclass(frozen=True, slots=True)
class PartnerLink:
    territory: str
    economy: str
    arrangement: str


@dataclass(frozen=True, slots=True)
class RankingRow:
    economy: str
    value: int
    rank: int


@dataclass(frozen=True, slots=True)
class Standings:
    """Every economy's partners and partner territories on one day, on one basis and evidence."""

    as_of: dt.date
    basis: str
    evidence: str
    partners: dict[str, frozenset[str]]
    countries: dict[str, frozenset[str]]
    blocs: dict[str, frozenset[str]]
    territories: dict[str, frozenset[str]] = field(default_factory=dict)
    # The arrangements that count, each narrowed to the parties it counts for on the day.
    counted: tuple[ArrangementFact, ...] = field(default=())

    def partner_links(self, economy: str) -> list[PartnerLink]:
        """One link per partner territory of `economy`: the partner economy and the arrangement
        that first made it a partner (earliest date on the basis, then key)."""
        links: dict[str, PartnerLink] = {}
        involving = (a for a in self.counted if economy in a.parties)
        for arrangement in sorted(involving, key=lambda a: (basis_date(a, self.basis) or dt.date.min, a.key)):
            for party in arrangement.parties:
                if party == economy:
                    continue
                for territory in sorted(self.territories.get(party, ())):
                    links.setdefault(territory, PartnerLink(territory, party, arrangement.key))
        return [links[code] for code in sorted(links)]

    def ranking(self, by: str) -> list[RankingRow]:
        if by not in RANK_MEASURES:
            raise ValueError(f"unknown ranking measure {by!r}")
        source = self.countries if by == "countries" else self.partners
        values = {code: len(items) for code, items in source.items() if items}
        ranks = competition_ranks(values)
        return [
            RankingRow(economy=code, value=values[code], rank=ranks[code])
            for code in sorted(values, key=lambda code: (ranks[code], code))
        ]

    def summary(self, economy: str) -> Summary:
        partners = self.partners.get(economy, frozenset())
        countries = self.countries.get(economy, frozenset())
        countries_by_rank = competition_ranks({c: len(v) for c, v in self.countries.items() if v})
        economies_by_rank = competition_ranks({c: len(v) for c, v in self.partners.items() if v})
        bloc_countries = {
            code: tuple(sorted(countries & members)) for code, members in sorted(self.blocs.items())
        }
        return Summary(
            economy=economy,
            as_of=self.as_of,
            basis=self.basis,
            evidence=self.evidence,
            partners=tuple(sorted(partners)),
            countries=tuple(sorted(countries)),
            by_bloc={code: len(items) for code, items in bloc_countries.items()},
            bloc_countries=bloc_countries,
            rank_by_countries=countries_by_rank.get(economy),
            rank_by_economies=economies_by_rank.get(economy),
        )


def standings_on(facts: Facts, day: dt.date, basis: str, evidence: str) -> Standings:
    """Apply rules 1 to 4 to every economy at once."""
    if basis not in BASES:
        raise ValueError(f"unknown basis {basis!r}")
    counted = tuple(
        _counting_part(a, parties)
        for a in facts.arrangements
        if (parties := counting_parties(a, day, basis, evidence))
    )
    partners: dict[str, set[str]] = defaultdict(set)
    for arrangement in counted:
        for party in arrangement.parties:
            partners[party].update(other for other in arrangement.parties if other != party)
    territories = members_on(facts.economy_members, day)
    countries = {
        economy: frozenset().union(*(territories.get(p, frozenset()) for p in others))
        for economy, others in partners.items()
    }
    blocs: dict[str, frozenset[str]] = {code: frozenset() for code in facts.bloc_codes}
    blocs |= members_on(facts.bloc_members, day)
    return Standings(
        as_of=day,
        basis=basis,
        evidence=evidence,
        partners={economy: frozenset(others) for economy, others in partners.items()},
        countries=countries,
        blocs=blocs,
        territories=territories,
        counted=counted,
    )


class _Sweep:
    """Partner figures of every economy, kept current as arrangements and memberships start and end.

    Counts rather than sets, so that two arrangements between the same parties, or a territory
    reached through two partners, are removed only when the last of them ends. Links are symmetric:
    the partners of an economy are also the economies that have it as a partner."""

    __slots__ = ("links", "members", "reach", "touched")

    def __init__(self) -> None:
        # economy -> partner -> active arrangements between them
        self.links: defaultdict[str, dict[str, int]] = defaultdict(dict)
        # economy -> territory -> active memberships
        self.members: defaultdict[str, dict[str, int]] = defaultdict(dict)
        # economy -> partner territory -> partners it belongs to
        self.reach: defaultdict[str, dict[str, int]] = defaultdict(dict)
        self.touched: set[str] = set()

    @staticmethod
    def _step(counts: dict[str, int], key: str, step: int) -> bool:
        """Add `step` (1 or -1) to a count; True when the key appeared or disappeared."""
        count = counts.get(key, 0) + step
        if count:
            counts[key] = count
        else:
            del counts[key]
        return count == (step > 0)

    def arrangement(self, parties: Sequence[str], step: int) -> None:
        for economy in parties:
            for partner in parties:
                if partner != economy and self._step(self.links[economy], partner, step):
                    self.touched.add(economy)
                    for territory in self.members[partner]:
                        self._reach(economy, territory, step)

    def membership(self, economy: str, territory: str, step: int) -> None:
        if self._step(self.members[economy], territory, step):
            for partner in self.links[economy]:
                self._reach(partner, territory, step)

    def _reach(self, economy: str, territory: str, step: int) -> None:
        if self._step(self.reach[economy], territory, step):
            self.touched.add(economy)

    def figures(self, economy: str) -> tuple[int, int]:
        return len(self.links[economy]), len(self.reach[economy])


type Figures = tuple[int, int]  # (partner economies, partner countries and regions)


@dataclass(frozen=True, slots=True)
class Timeline:
    """Every economy's partner economies and partner countries from each day they change, on one
    basis and evidence setting: the same figures as `standings_on` on any day, read by bisection."""

    basis: str
    evidence: str
    changes: Mapping[str, tuple[list[int], list[Figures]]]  # economy -> (day ordinals, figures from then)

    def figures(self, economy: str, day: dt.date) -> Figures:
        if economy not in self.changes:
            return (0, 0)
        days, values = self.changes[economy]
        position = bisect_right(days, day.toordinal())
        return values[position - 1] if position else (0, 0)

    def ranking(self, day: dt.date, by: str) -> list[RankingRow]:
        """As `Standings.ranking`: economies with at least one partner (country), ties sharing a rank."""
        if by not in RANK_MEASURES:
            raise ValueError(f"unknown ranking measure {by!r}")
        measure = 1 if by == "countries" else 0
        values = {code: value for code in self.changes if (value := self.figures(code, day)[measure])}
        ranks = competition_ranks(values)
        return [
            RankingRow(economy=code, value=values[code], rank=ranks[code])
            for code in sorted(values, key=lambda code: (ranks[code], code))
        ]

    def ranks(self, economy: str, day: dt.date) -> tuple[int | None, int | None]:
        """The economy's rank by partner countries and by partner economies on the day (None
        without partners): one more than the number of economies with a higher figure."""
        own = self.figures(economy, day)
        higher = [0, 0]
        for code in self.changes:
            figures = self.figures(code, day)
            for measure in (0, 1):
                higher[measure] += figures[measure] > own[measure]
        by_economies, by_countries = ((higher[m] + 1) if own[m] else None for m in (0, 1))
        return by_countries, by_economies


def timeline(facts: Facts, basis: str, evidence: str) -> Timeline:
    """Sweep the days on which anything starts or ends once, in order, keeping every economy's
    figures current (rules 1 to 3; blocs play no part in the two measures)."""
    if basis not in BASES:
        raise ValueError(f"unknown basis {basis!r}")
    evidence_included(evidence)
    sweep = _Sweep()
    # (day ordinal, +1 or -1, economy for a membership or None for an arrangement, territory or parties)
    events: list[tuple[int, int, str | None, object]] = []
    for arrangement in facts.arrangements:
        # A party coming into force later ends one span and starts the next, with more parties.
        for begins, stops, parties in counting_spans(arrangement, basis, evidence):
            events.append((begins.toordinal(), 1, None, parties))
            if stops is not None:
                events.append((stops.toordinal(), -1, None, parties))
    for member in facts.economy_members:
        start, end = member.start_date, member.end_date
        if start is not None and end is not None and end <= start:
            continue
        if start is None:
            sweep.membership(member.group, member.territory, 1)  # a member since before any event
        else:
            events.append((start.toordinal(), 1, member.group, member.territory))
        if end is not None:
            events.append((end.toordinal(), -1, member.group, member.territory))
    sweep.touched.clear()
    events.sort(key=itemgetter(0))
    changes: dict[str, tuple[list[int], list[Figures]]] = {}
    last: dict[str, Figures] = {}
    for day, happening in groupby(events, key=itemgetter(0)):
        for _, step, economy, what in happening:
            if economy is None:
                sweep.arrangement(what, step)  # type: ignore[arg-type]
            else:
                sweep.membership(economy, what, step)  # type: ignore[arg-type]
        for code in sweep.touched:
            figures = sweep.figures(code)
            if figures != last.get(code, (0, 0)):
                last[code] = figures
                days, values = changes.setdefault(code, ([], []))
                days.append(day)
                values.append(figures)
        sweep.touched.clear()
    return Timeline(basis=basis, evidence=evidence, changes=changes)


def cumulative_series(
    facts: Facts,
    economies: Sequence[str],
    until: dt.date,
    basis: str,
    evidence: str,
    *,
    line: Timeline | None = None,
) -> dict[str, list[tuple[dt.date, int, int]]]:
    """For each economy, (day, partner economies, partner countries) at every day the counts can
    change up to `until`: each basis date, end date and membership boundary, and `until` itself.
    Each economy's first point is on the first of those days, and its last on `until`.

    `line`, a timeline of the same basis and evidence over facts that include these, saves
    sweeping again."""
    facts = series_facts(facts, economies)
    days = {day for day in series_days(facts, basis) if day <= until} | {until}
    if line is None:
        line = timeline(facts, basis, evidence)
    elif (line.basis, line.evidence) != (basis, evidence):
        raise ValueError("the timeline counts on another basis or evidence setting")
    ordered = sorted(days)
    ordinals = [day.toordinal() for day in ordered]
    series: dict[str, list[tuple[dt.date, int, int]]] = {code: [] for code in economies}
    for code in economies:
        points = series[code]
        changed, values = line.changes.get(code, ([], []))
        seen = 0  # changes on or before the day (both lists ascend: a merge, not a search per day)
        for day, ordinal in zip(ordered, ordinals, strict=True):
            while seen < len(changed) and changed[seen] <= ordinal:
                seen += 1
            figures = values[seen - 1] if seen else (0, 0)
            if not points or points[-1][1:] != figures or day == until:
                points.append((day, *figures))
    return series


def series_facts(facts: Facts, economies: Sequence[str]) -> Facts:
    """Only what can change these economies' counts: their arrangements, and the memberships of
    those arrangements' parties (blocs play no part in the two measures)."""
    focal = set(economies)
    relevant = [a for a in facts.arrangements if focal.intersection(a.parties)]
    parties = {party for a in relevant for party in a.parties}
    return Facts(relevant, [m for m in facts.economy_members if m.group in parties], (), ())


def series_days(facts: Facts, basis: str) -> set[dt.date]:
    """Every day on which the counts of `series_facts` can change: each basis date, end date and
    membership boundary."""
    days: set[dt.date] = set()
    for arrangement in facts.arrangements:
        for day in (*party_dates(arrangement, basis), arrangement.ended_date):
            if day is not None:
                days.add(day)
    for membership in facts.economy_members:
        for day in (membership.start_date, membership.end_date):
            if day is not None:
                days.add(day)
    return days


def _boundaries(arrangements: Iterable[ArrangementFact], memberships: Iterable[MembershipFact]) -> list[int]:
    """Every day (as an ordinal) on which one of these facts starts or ends, on any basis, in order."""
    days: set[int] = set()
    for arrangement in arrangements:
        for day in (
            arrangement.signed_date,
            arrangement.effective_date,
            arrangement.ended_date,
            *arrangement.party_effective,  # a party coming into force later
        ):
            if day is not None:
                days.add(day.toordinal())
    for member in memberships:
        for day in (member.start_date, member.end_date):
            if day is not None:
                days.add(day.toordinal())
    return sorted(days)


class FactIndex:
    """Facts loaded once and indexed for repeated counting: arrangements and memberships by economy,
    and one `Timeline` per basis and evidence setting, built on first use.

    Answers for one economy count only the facts that involve it, and ranks come from the
    timeline, so a page's cost does not grow with the number of arrangements elsewhere."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self._by_party: defaultdict[str, list[ArrangementFact]] = defaultdict(list)
        for arrangement in facts.arrangements:
            for party in arrangement.parties:
                self._by_party[party].append(arrangement)
        self._members: defaultdict[str, list[MembershipFact]] = defaultdict(list)
        for member in facts.economy_members:
            self._members[member.group].append(member)
        self._timelines: dict[tuple[str, str], Timeline] = {}
        # Every day on which any fact starts or ends. Between two consecutive ones (an interval)
        # no arrangement starts or ends on any basis and no membership changes, so every figure is
        # the same on each day of it: answers are kept by interval, not by day, and a day not
        # asked for before is answered from another day of its interval. One economy's partners
        # change only on the days of the facts that involve it (a few), the blocs' members only on
        # theirs; ranks on any of them.
        self._boundaries = _boundaries(facts.arrangements, (*facts.economy_members, *facts.bloc_members))
        self._bloc_boundaries = _boundaries((), facts.bloc_members)
        self._economy_boundaries: dict[str, list[int]] = {}
        self._kept: dict[tuple[object, ...], object] = {}

    def arrangements_of(self, economy: str) -> Sequence[ArrangementFact]:
        """Every arrangement to which `economy` is a party (not to be changed)."""
        return self._by_party.get(economy, ())

    def members_of(self, economy: str) -> Sequence[MembershipFact]:
        """Every membership of a territory in `economy`, at any time (not to be changed)."""
        return self._members.get(economy, ())

    def interval(self, day: dt.date) -> int:
        """The number of boundaries on or before `day`: equal for two days exactly when no fact
        starts or ends between them (the later one included), so their figures are equal too."""
        return bisect_right(self._boundaries, day.toordinal())

    def starts_interval(self, day: dt.date) -> bool:
        """Whether a fact starts or ends on `day` itself (the first day of its interval)."""
        ordinal = day.toordinal()
        position = bisect_left(self._boundaries, ordinal)
        return position < len(self._boundaries) and self._boundaries[position] == ordinal

    def _economy_interval(self, economy: str, day: dt.date) -> int:
        """As `interval`, counting only the days of the arrangements and economy memberships that
        `involving([economy])` returns (what its partners and partner territories depend on)."""
        days = self._economy_boundaries.get(economy)
        if days is None:
            involved = self.involving([economy])
            days = self._economy_boundaries[economy] = _boundaries(
                involved.arrangements, involved.economy_members
            )
        return bisect_right(days, day.toordinal())

    def partner_interval(self, economy: str, day: dt.date) -> tuple[int, int]:
        """Equal for two days exactly when the economy's partner links and territories
        (`standings(economy, ...)`) and every bloc's members are the same on both: what a list
        of its partner territories with their blocs depends on."""
        return self._economy_interval(economy, day), bisect_right(self._bloc_boundaries, day.toordinal())

    def kept(self, key: tuple[object, ...], build: Callable[[], T]) -> T:
        """`build()`, kept with this index's answers under `key` (the caller's key must hold
        everything the answer depends on, an interval for the day); shared: do not change it."""
        return self._get(("caller", *key), build)

    def _get(self, key: tuple[object, ...], build: Callable[[], T]) -> T:
        """The answer kept under `key`, built and kept if there is none (at most KEPT_ANSWERS;
        then the older half goes)."""
        kept = self._kept.get(key, _MISSING)
        if kept is not _MISSING:
            return cast("T", kept)
        value = build()
        keep(self._kept, key, value, KEPT_ANSWERS)
        return value

    def blocs_on(self, day: dt.date) -> dict[str, frozenset[str]]:
        """Every bloc's members on the day (every bloc, empty ones too), as `standings_on` has them."""

        def build() -> dict[str, frozenset[str]]:
            blocs: dict[str, frozenset[str]] = {code: frozenset() for code in self.facts.bloc_codes}
            return blocs | members_on(self.facts.bloc_members, day)

        return self._get(("blocs", bisect_right(self._bloc_boundaries, day.toordinal())), build)

    def timeline(self, basis: str, evidence: str) -> Timeline:
        key = (basis, evidence)
        if key not in self._timelines:
            self._timelines[key] = timeline(self.facts, basis, evidence)
        return self._timelines[key]

    def involving(self, economies: Iterable[str]) -> Facts:
        """The arrangements with any of `economies` as a party, the memberships of every party to
        them and of `economies` themselves, and every bloc: enough to count for `economies`."""
        focal = set(economies)
        seen: set[str] = set()
        arrangements = []
        for code in sorted(focal):
            for arrangement in self._by_party.get(code, ()):
                if arrangement.key not in seen:
                    seen.add(arrangement.key)
                    arrangements.append(arrangement)
        groups = focal | {party for a in arrangements for party in a.parties}
        return Facts(
            arrangements,
            [member for group in sorted(groups) for member in self._members.get(group, ())],
            self.facts.bloc_members,
            self.facts.bloc_codes,
        )

    def standings(self, economy: str, day: dt.date, basis: str, evidence: str) -> Standings:
        """Standings on the facts that involve `economy`: its own figures, territories, partner
        links and the blocs are complete; other economies' figures are not (use `timeline`)."""
        if basis not in BASES:
            raise ValueError(f"unknown basis {basis!r}")
        key = ("standings", economy, basis, evidence, self._economy_interval(economy, day))
        kept = self._get(key, lambda: standings_on(self.involving([economy]), day, basis, evidence))
        if kept.as_of == day:
            return kept
        return replace(kept, as_of=day, blocs=self.blocs_on(day))

    def world(self, day: dt.date, basis: str, evidence: str) -> Standings:
        """Every economy's standings at once, on all the facts (one counting, kept per interval):
        for pages that need many economies' partner sets on one day (a bloc's leaders)."""
        if basis not in BASES:
            raise ValueError(f"unknown basis {basis!r}")
        key = ("world", basis, evidence, self.interval(day))
        kept = self._get(key, lambda: standings_on(self.facts, day, basis, evidence))
        if kept.as_of == day:
            return kept
        return replace(kept, as_of=day, blocs=self.blocs_on(day))

    def summary(
        self, economy: str, day: dt.date, basis: str, evidence: str, *, standings: Standings | None = None
    ) -> Summary:
        """The economy's summary, ranked among all economies. `standings`, from `self.standings`
        for the same economy, day, basis and evidence, saves counting them again."""
        if standings is not None and (standings.as_of, standings.basis, standings.evidence) != (
            day,
            basis,
            evidence,
        ):
            raise ValueError("the standings are of another day, basis or evidence setting")

        def own_figures() -> Summary:
            return self.standings(economy, day, basis, evidence).summary(economy)

        def build() -> Summary:
            if standings is not None:
                own = standings.summary(economy)
            else:
                # The economy's own figures change only on its own days and the blocs' (far fewer
                # than every day on which any figure changes): kept apart from the ranks, which
                # change with any economy's figures, they are counted once per economy interval.
                blocs = bisect_right(self._bloc_boundaries, day.toordinal())
                interval = self._economy_interval(economy, day)
                own = self._get(("own summary", economy, basis, evidence, interval, blocs), own_figures)
            by_countries, by_economies = self.ranks(economy, day, basis, evidence)
            return replace(own, rank_by_countries=by_countries, rank_by_economies=by_economies)

        kept = self._get(("summary", economy, basis, evidence, self.interval(day)), build)
        return kept if kept.as_of == day else kept.on(day)

    def ranking(self, day: dt.date, basis: str, evidence: str, by: str) -> list[RankingRow]:
        key = ("ranking", basis, evidence, by, self.interval(day))
        return list(self._get(key, lambda: self.timeline(basis, evidence).ranking(day, by)))

    def ranks(self, economy: str, day: dt.date, basis: str, evidence: str) -> tuple[int | None, int | None]:
        """As `Timeline.ranks` (by partner countries, by partner economies; None without), read
        from the two rankings of the day's interval."""

        def build() -> dict[str, tuple[int | None, int | None]]:
            by_countries = {row.economy: row.rank for row in self.ranking(day, basis, evidence, "countries")}
            by_economies = {row.economy: row.rank for row in self.ranking(day, basis, evidence, "economies")}
            return {
                code: (by_countries.get(code), by_economies.get(code)) for code in by_countries | by_economies
            }

        table = self._get(("ranks", basis, evidence, self.interval(day)), build)
        return table.get(economy, (None, None))

    def series(
        self, economies: Sequence[str], until: dt.date, basis: str, evidence: str
    ) -> dict[str, list[tuple[dt.date, int, int]]]:
        """As `cumulative_series` (tests/agreements/test_timeline.py holds the day-by-day
        definition), read from the timeline's changes: the lines start on the first day any of them
        can change (kept per economy and basis), and a day's points are found by bisection (the
        race chart's series cost a tenth of the dashboard's miss when swept for every request,
        issue 16). Every change of an economy's counts falls on a day of the timeline's changes."""
        line = self.timeline(basis, evidence)

        def first_day(code: str) -> int | None:
            """The first day `code`'s line can change: the lines of several economies start on the
            first of theirs (the facts of several are the union of each one's `series_facts`)."""
            days = series_days(series_facts(self.involving([code]), [code]), basis)
            return min(days).toordinal() if days else None

        firsts = [
            day
            for code in economies
            if (day := self._get(("first series day", code, basis), partial(first_day, code))) is not None
        ]
        end = until.toordinal()
        first = min(firsts) if firsts and min(firsts) <= end else end
        series: dict[str, list[tuple[dt.date, int, int]]] = {}
        for code in economies:
            changed, values = line.changes.get(code, ([], []))
            start = bisect_right(changed, first)
            figures = values[start - 1] if start else (0, 0)
            points = [(dt.date.fromordinal(first), *figures)]
            for position in range(start, bisect_right(changed, end)):
                if values[position] != figures:
                    figures = values[position]
                    points.append((dt.date.fromordinal(changed[position]), *figures))
            if points[-1][0] != until:
                points.append((until, *figures))
            series[code] = points
        return series
