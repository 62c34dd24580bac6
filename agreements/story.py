"""Why the number moved: the days on which an economy's partner figures changed, what happened on
each, and the figures after it (issue 13, item 3).

Pure, like `agreements.counting`, and it counts nothing itself: the figures on a day are the
engine's (`counting.standings_on`, the definition of every rule). The figures can only change on a
day on which a fact that reaches the economy starts or ends: one of its arrangements counts from
(its date on the basis) or stops counting (its ended date), a territory joins or leaves a partner
economy, or a territory that a partner ever had joins or leaves a bloc. The figures are computed
on each such day, and a day is kept when a partner economy, a partner country or region, or a
bloc's partner territory is not the same as the day before. Every change (a `Move`) is then
explained by the facts that started or ended that day (its `Event`s):

- a partner economy is gained by an arrangement with it that starts to count, lost by one that
  ends (on the day after its last day: periods are half-open);
- a partner territory is gained with a newly gained partner economy it belongs to, or by joining a
  partner economy (the EU's enlargements), and lost the same ways (the UK leaving the EU);
- a bloc's partner territory is gained or lost with the partner territory, or by the territory
  joining or leaving the bloc (Lithuania leaving the China-CEE format).

A day lists every event that touched the economy's partners, including one that changed nothing
on its own (the UK left the EU on the day the inferred China-UK record starts: China kept the UK
as a partner territory and gained it as a partner economy).

`difference` answers "between two dates": the net change from one day to another, each partner
gained or lost with the last move that made it so.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from agreements import counting

# Kinds of event. An arrangement starts on its date on the basis: "signed" on the signed basis,
# "in_force" on the in-force basis.
SIGNED = "signed"
IN_FORCE = "in_force"
ENDED = "ended"
JOINED_ECONOMY = "joined_economy"
LEFT_ECONOMY = "left_economy"
JOINED_BLOC = "joined_bloc"
LEFT_BLOC = "left_bloc"
EVENT_KINDS = (SIGNED, IN_FORCE, ENDED, JOINED_ECONOMY, LEFT_ECONOMY, JOINED_BLOC, LEFT_BLOC)
ARRANGEMENT_KINDS = frozenset({SIGNED, IN_FORCE, ENDED})

# The figures that can move: partner economies, partner countries and regions, and each bloc's
# partner territories (`bloc:<code>`, as the claims ledger names a bloc count).
ECONOMIES = "economies"
COUNTRIES = "countries"
BLOC_PREFIX = "bloc:"


@dataclass(frozen=True, slots=True)
class Event:
    """A dated fact that starts or ends: an arrangement of the economy, or a membership."""

    day: dt.date
    kind: str
    subject: str  # the arrangement's key, or the economy's or bloc's code
    territory: str = ""  # memberships: the territory that joined or left
    partners: tuple[str, ...] = ()  # arrangements: its other parties

    @property
    def sort_key(self) -> tuple[int, str, str]:
        return (EVENT_KINDS.index(self.kind), self.subject, self.territory)


@dataclass(frozen=True, slots=True)
class Move:
    """One partner gained or lost in one figure on one day, and the events that explain it."""

    day: dt.date
    measure: str  # ECONOMIES, COUNTRIES or "bloc:<code>"
    code: str  # the partner economy or territory
    gained: bool
    reasons: tuple[Event, ...]


@dataclass(frozen=True, slots=True)
class Step:
    """A day on which the figures changed: the figures before and after, and why."""

    day: dt.date
    before: counting.Summary  # on the day before
    after: counting.Summary  # on the day itself (a date counts from itself)
    events: tuple[Event, ...]  # every event of the day that touched the economy's partners
    moves: tuple[Move, ...]

    def moves_of(self, event: Event) -> list[Move]:
        """The moves that `event` explains (alone or with others of the same day)."""
        return [move for move in self.moves if event in move.reasons]


@dataclass(frozen=True, slots=True)
class Difference:
    """The net change between two days: each partner gained or lost, with its last move."""

    economy: str
    before: counting.Summary
    after: counting.Summary
    moves: tuple[Move, ...]


def measures(bloc_codes: Iterable[str]) -> list[str]:
    """Every figure that can move, in the order pages show them."""
    return [ECONOMIES, COUNTRIES, *(f"{BLOC_PREFIX}{code}" for code in sorted(bloc_codes))]


def members(summary: counting.Summary, measure: str) -> frozenset[str]:
    """The partners behind one figure of a summary."""
    if measure == ECONOMIES:
        return frozenset(summary.partners)
    if measure == COUNTRIES:
        return frozenset(summary.countries)
    return frozenset(summary.bloc_countries.get(measure.removeprefix(BLOC_PREFIX), ()))


def reaching(facts: counting.Facts, economy: str) -> counting.Facts:
    """The facts that can change `economy`'s figures: its arrangements, the memberships of their
    other parties, and the bloc memberships of every territory those parties ever had. Counting
    on them gives the same figures for `economy` as counting on everything."""
    arrangements = [a for a in facts.arrangements if economy in a.parties]
    parties = {party for a in arrangements for party in a.parties if party != economy}
    economy_members = [m for m in facts.economy_members if m.group in parties]
    territories = {m.territory for m in economy_members}
    bloc_members = [m for m in facts.bloc_members if m.territory in territories]
    return counting.Facts(arrangements, economy_members, bloc_members, facts.bloc_codes)


def _figures(
    facts: counting.Facts, economy: str, day: dt.date, basis: str, evidence: str
) -> tuple[counting.Summary, counting.Standings]:
    standings = counting.standings_on(facts, day, basis, evidence)
    # Ranks need every economy; these facts hold one economy's: no rank rather than a wrong one.
    summary = replace(standings.summary(economy), rank_by_countries=None, rank_by_economies=None)
    return summary, standings


def _state(summary: counting.Summary) -> tuple[object, ...]:
    return (summary.partners, summary.countries, summary.bloc_countries)


class _Calendar:
    """The events of the facts, by day, on one basis and evidence setting."""

    def __init__(self, facts: counting.Facts, economy: str, basis: str, evidence: str) -> None:
        self.by_day: defaultdict[dt.date, list[Event]] = defaultdict(list)
        start_kind = SIGNED if basis == "signed" else IN_FORCE  # what starting to count is called
        for arrangement in facts.arrangements:
            # One span unless parties come into force on different days: then each later span
            # starts with the partners it adds (ASEAN's came into force for the Philippines later).
            had: set[str] = set()
            for start, ended, parties in counting.counting_spans(arrangement, basis, evidence):
                others = {p for p in parties if p != economy} if economy in parties else set()
                if others - had:
                    partners = tuple(sorted(others - had))
                    self.by_day[start].append(Event(start, start_kind, arrangement.key, partners=partners))
                had = others
                # A span ends on the next one's start, the last on the arrangement's end.
                if ended is not None and ended == arrangement.ended_date and had:
                    lost = tuple(sorted(had))
                    self.by_day[ended].append(Event(ended, ENDED, arrangement.key, partners=lost))
        for memberships, joined, left in (
            (facts.economy_members, JOINED_ECONOMY, LEFT_ECONOMY),
            (facts.bloc_members, JOINED_BLOC, LEFT_BLOC),
        ):
            for m in memberships:
                if m.start_date is not None and m.end_date is not None and m.end_date <= m.start_date:
                    continue  # never a member
                if m.start_date is not None:
                    self.by_day[m.start_date].append(Event(m.start_date, joined, m.group, m.territory))
                if m.end_date is not None:
                    self.by_day[m.end_date].append(Event(m.end_date, left, m.group, m.territory))

    def days(self, since: dt.date | None, until: dt.date) -> list[dt.date]:
        return sorted(day for day in self.by_day if day <= until and (since is None or day > since))


def _explain(
    day: dt.date,
    events: Sequence[Event],
    before: tuple[counting.Summary, counting.Standings],
    after: tuple[counting.Summary, counting.Standings],
    bloc_codes: Iterable[str],
) -> Step:
    (old, old_standings), (new, new_standings) = before, after
    starts = [e for e in events if e.kind in (SIGNED, IN_FORCE)]
    ends = [e for e in events if e.kind == ENDED]
    moves: list[Move] = []
    because: dict[tuple[str, str, bool], tuple[Event, ...]] = {}

    def move(measure: str, code: str, gained: bool, reasons: Iterable[Event]) -> None:
        found = tuple(sorted(set(reasons), key=lambda e: e.sort_key))
        because[(measure, code, gained)] = found
        moves.append(Move(day, measure, code, gained, found))

    for measure in measures(bloc_codes):
        was, now = members(old, measure), members(new, measure)
        for gained, codes in ((True, sorted(now - was)), (False, sorted(was - now))):
            # A partner gained is present on the day, one lost on the day before.
            side = (new_standings, new) if gained else (old_standings, old)
            for code in codes:
                move(
                    measure,
                    code,
                    gained,
                    _reasons(measure, code, gained, events, starts, ends, because, side),
                )
    touched = {e for m in moves for e in m.reasons}
    partner_territories = set(old.countries) | set(new.countries)
    partner_economies = set(old.partners) | set(new.partners)
    for event in events:  # events that touched the partners but moved nothing on their own
        if (
            event.kind in ARRANGEMENT_KINDS
            or (event.kind in (JOINED_ECONOMY, LEFT_ECONOMY) and event.subject in partner_economies)
            or (event.kind in (JOINED_BLOC, LEFT_BLOC) and event.territory in partner_territories)
        ):
            touched.add(event)
    return Step(day, old, new, tuple(sorted(touched, key=lambda e: e.sort_key)), tuple(moves))


def _reasons(
    measure: str,
    code: str,
    gained: bool,
    events: Sequence[Event],
    starts: Sequence[Event],
    ends: Sequence[Event],
    because: dict[tuple[str, str, bool], tuple[Event, ...]],
    side: tuple[counting.Standings, counting.Summary],
) -> list[Event]:
    """The events of the day behind one move. `side` is the day on which the partner is present:
    the day itself for a gain, the day before for a loss."""
    standings, summary = side
    if measure == ECONOMIES:
        found = [e for e in (starts if gained else ends) if code in e.partners]
    elif measure == COUNTRIES:
        found = []
        membership = JOINED_ECONOMY if gained else LEFT_ECONOMY
        for partner in summary.partners:
            if code not in standings.territories.get(partner, frozenset()):
                continue
            found += because.get((ECONOMIES, partner, gained), ())
            found += [
                e for e in events if e.kind == membership and (e.subject, e.territory) == (partner, code)
            ]
    else:
        bloc = measure.removeprefix(BLOC_PREFIX)
        membership = JOINED_BLOC if gained else LEFT_BLOC
        found = list(because.get((COUNTRIES, code, gained), ()))
        found += [e for e in events if e.kind == membership and (e.subject, e.territory) == (bloc, code)]
    return found or list(events)  # never without a reason: at worst, everything that happened


def story(
    facts: counting.Facts,
    economy: str,
    *,
    until: dt.date = dt.date.max,
    basis: str,
    evidence: str,
    since: dt.date | None = None,
) -> list[Step]:
    """Every day after `since` (from the first, without it) up to `until` (the last fact,
    without it) on which `economy`'s partner figures changed, in order. The story up to a day
    is the start of the whole story: the steps of the whole story up to that day."""
    facts = reaching(facts, economy)
    calendar = _Calendar(facts, economy, basis, evidence)
    days = calendar.days(since, until)
    if since is not None:
        previous = _figures(facts, economy, since, basis, evidence)
    elif days:
        # Nothing counts before the first event (every arrangement's start is one): no partner.
        previous = _figures(counting.Facts((), (), (), facts.bloc_codes), economy, days[0], basis, evidence)
    else:
        return []
    steps = []
    for day in days:
        current = _figures(facts, economy, day, basis, evidence)
        if _state(current[0]) != _state(previous[0]):
            steps.append(_explain(day, calendar.by_day[day], previous, current, facts.bloc_codes))
        previous = current
    return steps


def difference(
    facts: counting.Facts,
    economy: str,
    *,
    since: dt.date,
    until: dt.date,
    basis: str,
    evidence: str,
    steps: Sequence[Step] | None = None,
) -> Difference:
    """The net change in `economy`'s figures from `since` to `until` (`since` <= `until`): every
    partner in a figure on one day and not the other, with the last move that made it so.

    `steps`, the economy's story on the same facts, basis and evidence over any span that covers
    the days after `since` up to `until` (its whole story, say), saves telling it again."""
    if since > until:
        raise ValueError("since is after until")
    reached = reaching(facts, economy)
    before, _ = _figures(reached, economy, since, basis, evidence)
    after, _ = _figures(reached, economy, until, basis, evidence)
    if steps is None:
        steps = story(reached, economy, since=since, until=until, basis=basis, evidence=evidence)
    last: dict[tuple[str, str, bool], Move] = {}
    for step in steps:
        if since < step.day <= until:
            for move in step.moves:
                last[(move.measure, move.code, move.gained)] = move
    moves = []
    for measure in measures(facts.bloc_codes):
        was, now = members(before, measure), members(after, measure)
        for gained, codes in ((True, now - was), (False, was - now)):
            moves += sorted((last[(measure, code, gained)] for code in codes), key=lambda m: (m.day, m.code))
    return Difference(economy, before, after, tuple(moves))
