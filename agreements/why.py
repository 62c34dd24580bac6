"""Read models of "Why the number moved" (`agreements.story`), with names in the request's language.

`why_moved` gives one row per event that moved an economy's figures, with the figures after its
day; `why_between` one row per partner gained or lost between two days, with its reason. Both run
a constant number of queries whatever the data size: the counting index of the data version
(`selectors.fact_index`, at most one query while the data is unchanged) and one query each for
the names of economies, territories and blocs.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial

from django.utils.translation import get_language, gettext, gettext_lazy, pgettext
from django_stubs_ext import StrOrPromise

from agreements import counting, story
from agreements.models import Bloc, Economy, Territory
from agreements.names import local_names
from agreements.selectors import fact_index

EVENT_LABELS: dict[str, StrOrPromise] = {
    story.SIGNED: gettext_lazy("Signed"),
    story.IN_FORCE: gettext_lazy("Entered into force"),
    story.ENDED: gettext_lazy("Ended"),
    story.JOINED_ECONOMY: gettext_lazy("Joined an economy"),
    story.LEFT_ECONOMY: gettext_lazy("Left an economy"),
    story.JOINED_BLOC: gettext_lazy("Joined a bloc"),
    story.LEFT_BLOC: gettext_lazy("Left a bloc"),
}
CHANGE_LABELS: dict[bool, StrOrPromise] = {True: gettext_lazy("Gained"), False: gettext_lazy("Lost")}
CHANGE_CODES = {True: "gained", False: "lost"}


@dataclass(frozen=True, slots=True)
class Names:
    """Names of the economies, territories and blocs a story mentions, in the active language."""

    economies: dict[str, str]
    territories: dict[str, str]
    blocs: dict[str, str]
    # The story's words, translated once per story rather than once per event (`_phrases`).
    phrases: dict[str, str] = field(default_factory=dict)

    def phrase(self, key: str) -> str:
        if key not in self.phrases:
            self.phrases[key] = _PHRASES[key]()
        return self.phrases[key]

    def economy(self, code: str) -> str:
        return self.economies.get(code, code)

    def territory(self, code: str) -> str:
        return self.territories.get(code, code)

    def bloc(self, code: str) -> str:
        return self.blocs.get(code, code)

    def measure(self, measure: str) -> str:
        if measure == story.ECONOMIES:
            return gettext("Partner economies")
        if measure == story.COUNTRIES:
            return gettext("Partner countries and regions")
        return self.bloc(measure.removeprefix(story.BLOC_PREFIX))

    def listed(self, codes: Iterable[str]) -> str:
        """Economies' names as a list in a sentence ("Japan, Korea"; 日本、韩国)."""
        return self.phrase("list separator").join(self.economy(code) for code in codes)

    def describe(self, event: story.Event) -> str:
        """What happened, in a sentence: the event kind's sentence (translated alone, not the
        seven of every kind, per event), with the names it mentions worked out alone too. A story
        at a hundred times the data has hundreds of events."""
        kind = event.kind
        if kind in (story.SIGNED, story.IN_FORCE, story.ENDED):
            values = {"arrangement": event.subject, "partners": self.listed(event.partners)}
        elif kind in (story.JOINED_ECONOMY, story.LEFT_ECONOMY):
            values = {"territory": self.territory(event.territory), "economy": self.economy(event.subject)}
        else:
            values = {"territory": self.territory(event.territory), "bloc": self.bloc(event.subject)}
        return self.phrase(kind) % values


# The words of a story, each translated when first asked for (in the active language): the
# sentence of each event kind, and the labels of events and moved groups.
_PHRASES: dict[str, Callable[[], str]] = {
    "list separator": lambda: pgettext("list separator", ", "),
    "economies": lambda: gettext("Economies"),
    "countries": lambda: gettext("Countries and regions"),
    **{f"label:{kind}": partial(str, label) for kind, label in EVENT_LABELS.items()},
    story.SIGNED: lambda: gettext("%(arrangement)s signed with %(partners)s"),
    story.IN_FORCE: lambda: gettext("%(arrangement)s entered into force with %(partners)s"),
    story.ENDED: lambda: gettext("%(arrangement)s with %(partners)s ended"),
    story.JOINED_ECONOMY: lambda: gettext("%(territory)s joined %(economy)s"),
    story.LEFT_ECONOMY: lambda: gettext("%(territory)s left %(economy)s"),
    story.JOINED_BLOC: lambda: gettext("%(territory)s joined %(bloc)s"),
    story.LEFT_BLOC: lambda: gettext("%(territory)s left %(bloc)s"),
}


def _names(economies: set[str], territories: set[str]) -> Names:
    return Names(
        economies=local_names(
            Economy.objects.filter(code__in=economies).values_list("code", "name", "name_zh")
        ),
        territories=local_names(
            Territory.objects.filter(iso3__in=territories).values_list("iso3", "name", "name_zh")
        ),
        blocs=local_names(Bloc.objects.values_list("code", "name", "name_zh")),
    )


def _mentioned(moves: Iterable[story.Move], events: Iterable[story.Event]) -> tuple[set[str], set[str]]:
    """The economy and territory codes that rows name."""
    economies: set[str] = set()
    territories: set[str] = set()
    for move in moves:
        (economies if move.measure == story.ECONOMIES else territories).add(move.code)
    for event in events:
        economies.update(event.partners)
        if event.kind in (story.JOINED_ECONOMY, story.LEFT_ECONOMY):
            economies.add(event.subject)
        if event.territory:
            territories.add(event.territory)
    return economies, territories


@dataclass(frozen=True, slots=True)
class MovedGroup:
    """The partners one event added to or removed from one figure, for the page: a short label
    (a bloc by its code, its name as the title), the sign and the partners."""

    measure: str
    label: str
    title: str
    sign: str  # "+" or the minus sign
    partners: tuple[tuple[str, str], ...]  # (code, name)


def _groups(moves: Iterable[story.Move], names: Names) -> tuple[MovedGroup, ...]:
    """Gains then losses, each by figure in the order of `story.measures`."""
    by_measure: dict[tuple[bool, str], list[str]] = {}
    for move in moves:
        by_measure.setdefault((not move.gained, move.measure), []).append(move.code)
    groups = []
    for (lost, measure), codes in sorted(
        by_measure.items(), key=lambda item: (item[0][0], _order(item[0][1]))
    ):
        if measure == story.ECONOMIES:
            label, title = names.phrase("economies"), ""
        elif measure == story.COUNTRIES:
            label, title = names.phrase("countries"), ""
        else:
            label = measure.removeprefix(story.BLOC_PREFIX)
            title = names.bloc(label)
        lookup = names.economy if measure == story.ECONOMIES else names.territory
        sign = "\u2212" if lost else "+"
        groups.append(MovedGroup(measure, label, title, sign, tuple((code, lookup(code)) for code in codes)))
    return tuple(groups)


def _order(measure: str) -> tuple[int, str]:
    return ({story.ECONOMIES: 0, story.COUNTRIES: 1}.get(measure, 2), measure)


@dataclass(frozen=True, slots=True)
class EventRow:
    """An event that touched the economy's partners on a day its figures changed, what it moved,
    and the figures after that day (every event of a day shares them)."""

    event: story.Event
    kind_name: str
    partner_names: tuple[str, ...]  # an arrangement's other parties
    group_name: str  # the economy or bloc a territory joined or left
    territory_name: str
    description: str
    moves: tuple[story.Move, ...]
    after: counting.Summary
    changes: tuple[MovedGroup, ...]

    @property
    def day(self) -> dt.date:
        return self.event.day

    def codes(self, measure: str, gained: bool) -> list[str]:
        return [m.code for m in self.moves if m.measure == measure and m.gained == gained]

    @property
    def bloc_moves(self) -> list[story.Move]:
        return [m for m in self.moves if m.measure.startswith(story.BLOC_PREFIX)]


@dataclass(frozen=True, slots=True)
class Story:
    economy: str
    economy_name: str
    until: dt.date
    rows: list[EventRow]
    summary: counting.Summary  # on `until`: the figures the story reaches
    names: Names

    @property
    def bloc_codes(self) -> list[str]:
        return sorted(self.summary.by_bloc)


def _group_name(event: story.Event, names: Names) -> str:
    if event.kind in (story.JOINED_ECONOMY, story.LEFT_ECONOMY):
        return names.economy(event.subject)
    if event.kind in (story.JOINED_BLOC, story.LEFT_BLOC):
        return names.bloc(event.subject)
    return ""


# Whole stories, kept with the counting index of their data version (a new version, a new index:
# the old one and its stories go together). A story up to a day, and the moves between two days,
# are slices of the whole story, so the pages of one economy share it whatever their dates.
_STORIES: weakref.WeakKeyDictionary[counting.FactIndex, dict[tuple[str, str, str], list[story.Step]]] = (
    weakref.WeakKeyDictionary()
)
STORIES_KEPT = 256  # per data version: economies x bases x evidence settings (64 x 2 x 3 today)


def whole_story(index: counting.FactIndex, economy: str, basis: str, evidence: str) -> list[story.Step]:
    """`economy`'s whole story on the basis and evidence setting, told once per data version."""
    kept = _STORIES.setdefault(index, {})
    key = (economy, basis, evidence)
    steps = kept.get(key)
    if steps is None:
        if len(kept) >= STORIES_KEPT:
            kept.pop(next(iter(kept)))  # the oldest: a bound on memory, not reached by real data
        steps = kept[key] = story.story(index.involving([economy]), economy, basis=basis, evidence=evidence)
    return steps


def why_moved(*, economy: str, day: dt.date, basis: str, evidence: str) -> Story:
    """Every event up to `day` that moved `economy`'s partner figures, oldest first."""
    index = fact_index()
    steps = [step for step in whole_story(index, economy, basis, evidence) if step.day <= day]
    summary = index.summary(economy, day, basis, evidence)
    # The rows are the same on every day until the next step (the steps are in order of day): kept
    # with the index per number of steps and language, so every day between two steps shares them,
    # and the page's writer what it wrote of them (`agreements.memo`).
    rows, names = index.kept(
        ("why_moved", economy, basis, evidence, len(steps), get_language()),
        lambda: _event_rows(steps, economy),
    )
    return Story(economy, names.economy(economy), day, rows, summary, names)


def _event_rows(steps: list[story.Step], economy: str) -> tuple[list[EventRow], Names]:
    """The rows of `economy`'s steps, and the names they were written with (three queries)."""
    economies, territories = _mentioned(
        (m for s in steps for m in s.moves), (e for s in steps for e in s.events)
    )
    names = _names(economies | {economy}, territories)
    rows = []
    for step in steps:
        for event in step.events:
            moves = tuple(step.moves_of(event))
            rows.append(
                EventRow(
                    event=event,
                    kind_name=names.phrase(f"label:{event.kind}"),
                    partner_names=tuple(names.economy(code) for code in event.partners),
                    group_name=_group_name(event, names),
                    territory_name=names.territory(event.territory) if event.territory else "",
                    description=names.describe(event),
                    moves=moves,
                    after=step.after,
                    changes=_groups(moves, names),
                )
            )
    return rows, names


@dataclass(frozen=True, slots=True)
class MoveRow:
    """A partner in one figure on one day and not the other, and the last move that made it so."""

    move: story.Move
    measure_name: str
    change_name: str
    partner_name: str
    reasons: tuple[tuple[story.Event, str], ...]  # each event with its sentence

    @property
    def change(self) -> str:
        return CHANGE_CODES[self.move.gained]


@dataclass(frozen=True, slots=True)
class FigureChange:
    measure: str
    name: str
    before: int
    after: int

    @property
    def change(self) -> int:
        return self.after - self.before

    @property
    def signed_change(self) -> str:
        """+3, 0, or -1 written with a minus sign (U+2212), not a hyphen."""
        if self.change > 0:
            return f"+{self.change}"
        return f"−{-self.change}" if self.change else "0"  # noqa: RUF001


@dataclass(frozen=True, slots=True)
class Between:
    economy: str
    economy_name: str
    before: counting.Summary
    after: counting.Summary
    figures: list[FigureChange]
    rows: list[MoveRow]


def why_between(*, economy: str, since: dt.date, until: dt.date, basis: str, evidence: str) -> Between:
    """Every partner gained or lost from `since` to `until` in each figure, with its reason."""
    index = fact_index()
    facts = index.involving([economy])
    difference = story.difference(
        facts,
        economy,
        since=since,
        until=until,
        basis=basis,
        evidence=evidence,
        steps=whole_story(index, economy, basis, evidence),
    )
    economies, territories = _mentioned(difference.moves, (e for m in difference.moves for e in m.reasons))
    names = _names(economies | {economy}, territories)
    figures = [
        FigureChange(
            measure,
            names.measure(measure),
            len(story.members(difference.before, measure)),
            len(story.members(difference.after, measure)),
        )
        for measure in story.measures(facts.bloc_codes)
    ]
    rows = [
        MoveRow(
            move=move,
            measure_name=names.measure(move.measure),
            change_name=str(CHANGE_LABELS[move.gained]),
            partner_name=names.economy(move.code)
            if move.measure == story.ECONOMIES
            else names.territory(move.code),
            reasons=tuple((event, names.describe(event)) for event in move.reasons),
        )
        for move in difference.moves
    ]
    return Between(economy, names.economy(economy), difference.before, difference.after, figures, rows)
