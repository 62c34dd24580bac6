"""Read models for pages, charts and the API. Each runs a constant number of queries."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.db import connection
from django.utils.translation import get_language, gettext

from agreements import counting, history
from agreements.choices import BLOC_METRIC_PREFIX, Metric
from agreements.models import (
    Arrangement,
    ArrangementParty,
    Bloc,
    BlocMembership,
    Claim,
    Economy,
    EconomyMembership,
    LinkCheck,
    Programme,
    ProgrammeCount,
    Source,
    SourceDocument,
    Territory,
)
from agreements.names import local, local_name, local_names
from agreements.querysets import active_on_q
from agreements.versioning import current_version


def load_facts() -> counting.Facts:
    """Every fact the counting engine needs, in four queries (see `fact_index`, which keeps them
    for as long as the data version is current)."""
    party_rows = ArrangementParty.objects.order_by("arrangement_id", "economy_id")
    economy_rows = EconomyMembership.objects.all()
    bloc_rows = BlocMembership.objects.all()

    parties: dict[str, list[str]] = defaultdict(list)
    # Each party's in-force date (see ArrangementParty): its own, none if unknown, else the arrangement's.
    party_effective: dict[str, list[dt.date | None]] = defaultdict(list)
    heads: dict[str, tuple[dt.date | None, dt.date | None, dt.date | None, str, str]] = {}
    for key, economy, own, unknown, signed, effective, ended, status, level in party_rows.values_list(
        "arrangement__key",
        "economy_id",
        "effective_date",
        "effective_unknown",
        "arrangement__signed_date",
        "arrangement__effective_date",
        "arrangement__ended_date",
        "arrangement__status",
        "arrangement__evidence",
    ):
        parties[key].append(economy)
        party_effective[key].append(None if unknown else own or effective)
        heads[key] = (signed, effective, ended, status, level)
    arrangements = [
        counting.ArrangementFact(
            key,
            tuple(parties[key]),
            *heads[key],
            # Empty when every party's is the arrangement's: the common case stays the simple one.
            party_effective=(
                tuple(party_effective[key])
                if any(day != heads[key][1] for day in party_effective[key])
                else ()
            ),
        )
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


# What the counting pages read of the current data version, kept for the life of the process:
# the counting index, and the names and partner-row arrangements (`Lookups`), so that a page on
# a day and economy not asked for before (the page cache's miss) needs no query but the data
# version's. Any change to the data bumps the version (agreements.versioning), and a new version
# builds them again.
_INDEX: dict[str, counting.FactIndex] = {}
T = TypeVar("T")
_LOOKUPS: dict[str, Lookups] = {}


def fact_index() -> counting.FactIndex:
    """The counting index of the current data version: at most one query while the data is unchanged.

    An index built inside a transaction is used but not kept: the transaction may roll back, and
    its version number come back later with other data."""
    version = current_version()
    index = _INDEX.get(version)
    if index is None:
        index = counting.FactIndex(load_facts())
        if not connection.in_atomic_block:
            _INDEX.clear()
            _INDEX[version] = index
    return index


class Lookups:
    """Every economy, territory and bloc name, the economies in order of name, and the fields
    partner rows show of every arrangement (`PARTNER_ROW_ARRANGEMENT_FIELDS`), in four queries;
    names in the active language are worked out once per language."""

    def __init__(self) -> None:
        # (code, name, name_zh) rows.
        self.economies: list[tuple[str, str, str]] = list(
            Economy.objects.values_list("code", "name", "name_zh")
        )
        self.economy_codes = frozenset(code for code, _, _ in self.economies)
        self.territories: list[tuple[str, str, str]] = list(
            Territory.objects.values_list("iso3", "name", "name_zh")
        )
        self.blocs: list[tuple[str, str, str]] = list(Bloc.objects.values_list("code", "name", "name_zh"))
        self.arrangements: dict[str, Arrangement] = Arrangement.objects.only(
            *PARTNER_ROW_ARRANGEMENT_FIELDS, *DETAIL_ROW_ARRANGEMENT_FIELDS
        ).in_bulk(field_name="key")
        # The precision of each party's own in-force date (the dates are in the counting facts).
        self.party_precisions: dict[tuple[str, str], str] = {
            (key, code): precision
            for key, code, precision in ArrangementParty.objects.exclude(effective_date=None).values_list(
                "arrangement__key", "economy_id", "effective_precision"
            )
        }
        self._local: dict[tuple[str, str | None], object] = {}

    def cached(self, kind: str, build: Callable[[], T]) -> T:
        """`build()`, worked out once per data version and language (the result is shared: do not
        change it)."""
        key = (kind, get_language())
        if key not in self._local:
            self._local[key] = build()
        return cast("T", self._local[key])

    def _localized(self, kind: str, build: Callable[[], dict[str, str]]) -> dict[str, str]:
        return self.cached(kind, build)

    def economy_names(self) -> dict[str, str]:
        """Code -> name in the active language, in order of (English) name. Not to be changed."""
        return self._localized("economies", lambda: local_names(self.economies))

    def territory_names(self) -> dict[str, str]:
        return self._localized("territories", lambda: local_names(self.territories))

    def bloc_names(self) -> dict[str, str]:
        return self._localized("blocs", lambda: local_names(self.blocs))


def lookups() -> Lookups:
    """The `Lookups` of the current data version, kept as the counting index is (`fact_index`)."""
    version = current_version()
    kept = _LOOKUPS.get(version)
    if kept is None:
        kept = Lookups()
        if not connection.in_atomic_block:
            _LOOKUPS.clear()
            _LOOKUPS[version] = kept
    return kept


def first_signed_year() -> int | None:
    """The year the first arrangement was signed: where the time bars start (kept per data version)."""

    def build() -> int | None:
        years = (a.signed_date.year for a in lookups().arrangements.values() if a.signed_date)
        return min(years, default=None)

    return lookups().cached("first_signed_year", build)


def forget_index() -> None:
    """Drop the kept index and lookups (tests that roll back their writes call this between tests)."""
    _INDEX.clear()
    _LOOKUPS.clear()


def summary_for(*, economy: str, day: dt.date, basis: str, evidence: str) -> counting.Summary:
    return fact_index().summary(economy, day, basis, evidence)


def ranking(*, day: dt.date, basis: str, evidence: str, by: str) -> list[counting.RankingRow]:
    return fact_index().ranking(day, basis, evidence, by)


@dataclass(frozen=True, slots=True)
class NamedRankingRow:
    economy: str
    name: str
    value: int
    rank: int


def ranking_on(*, day: dt.date, by: str, basis: str, evidence: str) -> list[NamedRankingRow]:
    rows = ranking(day=day, basis=basis, evidence=evidence, by=by)
    names = lookups().economy_names()
    return [NamedRankingRow(r.economy, names.get(r.economy, r.economy), r.value, r.rank) for r in rows]


@dataclass(frozen=True, slots=True)
class LedgerRow:
    claim: Claim
    computed: int | None

    @property
    def match(self) -> bool:
        return self.computed == self.claim.value

    @property
    def metric_label(self) -> str:
        """The measure in words, in the active language; `bloc:RCEP` is the count of RCEP partners."""
        metric = self.claim.metric
        if metric.startswith(BLOC_METRIC_PREFIX):
            return gettext("Partners in %(bloc)s") % {"bloc": metric.removeprefix(BLOC_METRIC_PREFIX)}
        return str(Metric(metric).label) if metric in Metric.values else metric


def claims_ledger(*, evidence: str = "inferred") -> list[LedgerRow]:
    """Every claim beside the registry's own figure for the same economy, day, basis and metric."""
    claims = list(Claim.objects.select_related("economy").order_by("as_of", "key", "basis", "metric"))
    index = fact_index()
    summaries: dict[tuple[str, dt.date, str], counting.Summary] = {}
    rows = []
    for claim in claims:
        point = (claim.economy_id, claim.as_of, claim.basis)
        if point not in summaries:  # claims come in groups: several metrics of one statement
            summaries[point] = index.summary(*point, evidence)
        rows.append(LedgerRow(claim, summaries[point].metric(claim.metric)))
    return rows


# What partner rows show of their arrangement (table, map hover text, CSV and JSON exports).
PARTNER_ROW_ARRANGEMENT_FIELDS = (
    "key",
    "title",
    "signed_date",
    "signed_precision",
    "effective_date",
    "effective_precision",
    "evidence",
)
# And what the economy and territory pages' arrangement rows show besides.
DETAIL_ROW_ARRANGEMENT_FIELDS = ("status", "ended_date", "ended_precision")


@dataclass(frozen=True, slots=True)
class PartnerRow:
    """A partner territory of the focal economy, with the arrangement that made it a partner."""

    territory: str
    territory_name: str
    economy: str
    economy_name: str
    arrangement: Arrangement
    blocs: tuple[str, ...]
    # The day this partner is in force with the focal economy under the arrangement: the later of
    # the two parties' in-force dates (the arrangement's, unless a party has its own); None when
    # either is not known.
    effective_date: dt.date | None = None
    effective_precision: str = ""

    def shown(self) -> tuple[object, ...]:
        """Everything a page or a chart shows of the row: what was written of it (a table row, a
        hover text) is kept under this, with the language and the URL prefix."""
        arrangement = self.arrangement
        return (
            self.territory,
            self.territory_name,
            self.economy,
            self.economy_name,
            arrangement.key,
            arrangement.title,
            arrangement.evidence,
            arrangement.signed_date,
            arrangement.signed_precision,
            self.effective_date,
            self.effective_precision,
            self.blocs,
        )


@dataclass(frozen=True, slots=True)
class Overview:
    summary: counting.Summary
    economy_name: str
    rows: list[PartnerRow]
    own_territories: list[tuple[str, str]]
    bloc_names: dict[str, str]


def overview(*, economy: str, day: dt.date, basis: str, evidence: str) -> Overview:
    """The focal economy's figures and partner rows on a day (a constant number of queries),
    counted on the facts that involve the focal economy: complete for it and for the blocs.

    The rows are kept per interval (`FactIndex.partner_interval`) and language, as the counts are:
    every day between two changes has the same partners, and the pages that list them write the
    same rows (`partner_rows` and the map keep what they write of one list). Do not change them."""
    return _overview(economy, day, basis, evidence, fact_index(), lookups())


def _overview(
    economy: str, day: dt.date, basis: str, evidence: str, index: counting.FactIndex, kept: Lookups
) -> Overview:
    standings = index.standings(economy, day, basis, evidence)
    summary = index.summary(economy, day, basis, evidence, standings=standings)
    key = ("overview", economy, basis, evidence, index.partner_interval(economy, day), get_language())
    rows, own_territories = index.kept(key, lambda: _partner_rows(economy, standings, kept))
    return Overview(
        summary=summary,
        economy_name=kept.economy_names().get(economy, economy),
        rows=rows,
        own_territories=own_territories,
        bloc_names=dict(kept.bloc_names()),
    )


def _partner_rows(
    economy: str, standings: counting.Standings, kept: Lookups
) -> tuple[list[PartnerRow], list[tuple[str, str]]]:
    """The focal economy's partner rows and its own territories (code, name), from its standings."""
    links = standings.partner_links(economy)
    arrangements = kept.arrangements
    own = standings.territories.get(economy, frozenset())
    territory_names = kept.territory_names()
    economy_names = kept.economy_names()
    blocs_of: dict[str, list[str]] = defaultdict(list)
    for code, members in sorted(standings.blocs.items()):
        for territory in members:
            blocs_of[territory].append(code)
    counted = {fact.key: fact for fact in standings.counted}

    def in_force(link: counting.PartnerLink) -> tuple[dt.date | None, str]:
        arrangement, fact = arrangements[link.arrangement], counted[link.arrangement]
        if not fact.party_effective:
            return arrangement.effective_date, arrangement.effective_precision
        dates = dict(zip(fact.parties, counting.party_dates(fact, "in_force"), strict=True))
        pair = [(dates.get(code), code) for code in (economy, link.economy)]
        if any(day is None for day, _ in pair):
            return None, ""
        day, later = max(pair)
        own = kept.party_precisions.get((link.arrangement, later))
        return day, own or arrangement.effective_precision

    rows = [
        PartnerRow(
            territory=link.territory,
            territory_name=territory_names.get(link.territory, link.territory),
            economy=link.economy,
            economy_name=economy_names.get(link.economy, link.economy),
            arrangement=arrangements[link.arrangement],
            blocs=tuple(blocs_of.get(link.territory, ())),
            effective_date=(dates := in_force(link))[0],
            effective_precision=dates[1],
        )
        for link in links
    ]
    return rows, sorted((code, territory_names.get(code, code)) for code in own)


def race(
    *,
    economy: str,
    day: dt.date,
    basis: str,
    evidence: str,
    others: int = 5,
    index: counting.FactIndex | None = None,
) -> dict[str, object]:
    """Cumulative partner countries and economies of the focal economy and the `others` leading
    economies, at every day the counts change. Each chart plots one measure and compares with the
    leaders of that measure (`codes_by[measure]`), so the leader of either is never missing: on
    2021-08-31 Korea leads by economies but is not among the five leaders by countries. `index`:
    the current counting index, if the caller has it."""
    index = index or fact_index()
    codes_by: dict[str, list[str]] = {}
    for measure in ("countries", "economies"):
        ranking = index.ranking(day, basis, evidence, measure)
        leaders = [row.economy for row in ranking if row.economy != economy]
        codes_by[measure] = [economy, *leaders[:others]]
    codes = list(dict.fromkeys(codes_by["countries"] + codes_by["economies"]))
    wanted = set(codes)
    names = {code: name for code, name in lookups().economy_names().items() if code in wanted}
    series = index.series(codes, day, basis, evidence)
    return {"codes": codes, "codes_by": codes_by, "names": names, "series": series, "until": day}


def economy_names() -> dict[str, str]:
    """Every economy's name in the active language, by code (kept per data version: do not change it)."""
    return lookups().economy_names()


# Catalog pages: arrangements, economies, territories and blocs. Each function runs a fixed number
# of queries whatever the data size.

from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, QuerySet, Subquery  # noqa: E402 (appended to a shared module)
from django.db.models.functions import Coalesce  # noqa: E402


def party_in_force_dates(*, arrangement: Arrangement) -> list[ArrangementParty]:
    """Each party with its in-force date (`in_force_date`, `in_force_precision`), by code, when
    any party has facts of its own (a date, "unknown", a source or a note); else none: the
    arrangement's date is every party's, and its page says it once."""
    links = list(arrangement.party_links.select_related("economy").order_by("economy_id"))
    for link in links:
        link.arrangement = arrangement  # in_force_date reads the arrangement's date: no query each
    own = any(link.effective_date or link.effective_unknown or link.source or link.note for link in links)
    return links if own else []


def arrangement_catalog(*, sources: bool = True) -> QuerySet[Arrangement]:
    """Arrangements with their parties (by code) and, unless told not to, their sources; signed
    date then key, undated last. The economy and territory pages list no source: at a hundred
    times the data, fetching them cost those pages more than the rows they show."""
    prefetch: list[str | Prefetch[Any]] = [Prefetch("parties", queryset=Economy.objects.order_by("code"))]
    if sources:
        prefetch.append("sources")
    return Arrangement.objects.prefetch_related(*prefetch).order_by(
        F("signed_date").asc(nulls_last=True), "key"
    )


def arrangement_list_page(rows: QuerySet[Arrangement]) -> QuerySet[Arrangement]:
    """The arrangement list's rows (`arrangement_catalog()`, filtered) as its page shows them:
    nothing prefetched (the page's parties are `arrangement_party_names`), and the number of
    sources (`source_count`) instead of the sources. The exports of the same rows keep both."""
    return rows.prefetch_related(None).annotate(source_count=source_count())


def arrangement_party_names(arrangements: Iterable[Arrangement]) -> dict[int, list[tuple[str, str]]]:
    """The parties of some arrangements (a page of the arrangement list) by arrangement id, each
    (code, name in the active language), by code: one query of plain values, none for no
    arrangement. Prefetched, they cost the list's page an economy and a related manager per
    party and arrangement, a fifth of its time at a hundred times the data."""
    parties: dict[int, list[tuple[str, str]]] = {arrangement.pk: [] for arrangement in arrangements}
    if not parties:
        return parties
    rows = (
        ArrangementParty.objects.filter(arrangement_id__in=list(parties))
        .order_by("economy_id")
        .values_list("arrangement_id", "economy_id", "economy__name", "economy__name_zh")
    )
    for pk, code, name, name_zh in rows:
        parties[pk].append((code, local(name, name_zh)))
    return parties


def source_count() -> Coalesce:
    """An arrangement's number of sources, as a subquery per row: counted for the rows shown
    only (PostgreSQL evaluates it after the sort and the limit). Joining the sources and grouping
    counted them for every arrangement of the list before the first hundred were taken (43 ms of
    the data-quality page at a hundred times the data); prefetching the sources of a page of the
    arrangement list to count them built a model instance each (2.6 ms of that page)."""
    per_arrangement = (
        Source.objects.filter(arrangement=OuterRef("pk"))
        .order_by()
        .values("arrangement")
        .annotate(n=Count("id"))
    )
    return Coalesce(Subquery(per_arrangement.values("n"), output_field=IntegerField()), 0)


@dataclass(frozen=True, slots=True)
class PartyCoverage:
    economy: Economy
    territories: list[Territory]


def arrangement_coverage(*, arrangement: Arrangement, day: dt.date) -> list[PartyCoverage]:
    """The territories each party economy has on `day` (half-open membership periods)."""
    parties = sorted(arrangement.parties.all(), key=lambda economy: economy.code)
    members: dict[str, list[Territory]] = defaultdict(list)
    for link in (
        EconomyMembership.objects.filter(active_on_q(day), economy__in=[p.code for p in parties])
        .select_related("territory")
        .order_by("territory__name")
    ):
        members[link.economy_id].append(link.territory)
    return [PartyCoverage(economy, members.get(economy.code, [])) for economy in parties]


def economy_catalog(*, day: dt.date) -> list[Economy]:
    """Economies by name, each with `territories_now` (memberships active on `day`) and
    `arrangement_count` (the arrangements it is a party to).

    Counted on the data version's counting facts, which hold every membership and party link: in
    SQL the counts were a subquery per economy (or a join that multiplied every economy's
    memberships by its arrangements before counting them apart), 26 ms of the list's 36 ms at a
    hundred times the data; one grouped query over the party links alone took 8 ms."""
    index = fact_index()
    economies = list(Economy.objects.all())
    for economy in economies:
        # Set as annotate() would: the list, its exports and its row writer read these.
        setattr(economy, "territories_now", sum(m.active_on(day) for m in index.members_of(economy.code)))  # noqa: B010
        setattr(economy, "arrangement_count", len(index.arrangements_of(economy.code)))  # noqa: B010
    return economies


@dataclass(frozen=True, slots=True)
class DetailRow:
    """An arrangement on an economy's or a territory's page, with its parties (code, name in the
    active language) by code, and on a territory's page the parties that reach the territory."""

    arrangement: Arrangement  # the fields of PARTNER_ROW_ and DETAIL_ROW_ARRANGEMENT_FIELDS only
    parties: list[tuple[str, str]]
    via: list[str]


@dataclass(frozen=True, slots=True)
class EconomyPage:
    economy: Economy
    memberships: list[EconomyMembership]
    arrangements: list[DetailRow]  # the first DETAIL_ROWS
    arrangements_total: int
    partners: Overview  # on the day, signed basis, every evidence level
    partner_economies: list[tuple[str, str]]  # (code, name in the active language), by name
    partner_territories: list[tuple[str, str]]
    programme: Programme | None
    counts: list[ProgrammeCount]  # oldest first
    history: list[history.Change]  # `history.record_history`

    @property
    def summary(self) -> counting.Summary:
        return self.partners.summary

    @property
    def latest_verified_count(self) -> ProgrammeCount | None:
        """The latest count shown as a fact (high or medium confidence), if any."""
        verified = [count for count in self.counts if count.verified]
        return verified[-1] if verified else None


# A detail page lists at most this many arrangements (by signing date), with a link to all of them
# in the arrangement list: its time then does not grow with the data (issue 16).
DETAIL_ROWS = 100


def _detail_rows(
    economies: Iterable[str], index: counting.FactIndex, kept: Lookups, *, via: bool = False
) -> tuple[list[DetailRow], int]:
    """The first DETAIL_ROWS arrangements to which any of `economies` is a party (signed date,
    undated last, then key: the arrangement list's order) and their number.

    Read from the data version's counting facts and `Lookups`, which hold every arrangement with
    its parties (by code) and the fields the rows show, not from the database: at a hundred times
    the data the three queries (the arrangements' ids, their rows, their parties) and the few
    hundred model instances they built were half of the economy page's time."""
    wanted = frozenset(economies)

    def build() -> tuple[list[DetailRow], int]:
        facts = {fact.key: fact for code in wanted for fact in index.arrangements_of(code)}
        arrangements = kept.arrangements
        first = sorted(
            facts.values(),
            key=lambda fact: (fact.signed_date is None, fact.signed_date or dt.date.min, fact.key),
        )[:DETAIL_ROWS]
        names = kept.economy_names()
        rows = [
            DetailRow(
                arrangements[fact.key],
                [(code, names.get(code, code)) for code in fact.parties],
                [code for code in fact.parties if code in wanted] if via else [],
            )
            for fact in first
        ]
        return rows, len(facts)

    # The same for every day: kept with the data version's index, per language (the names), so
    # that the pages' row writers keep what they wrote of them (`agreements.memo`).
    return index.kept(("detail_rows", wanted, via, get_language()), build)


def _named(codes: Iterable[str], names: dict[str, str]) -> list[tuple[str, str]]:
    """(code, name) of `codes`, in the order of `names` (by name, as the models' ordering)."""
    wanted = set(codes)
    return [(code, name) for code, name in names.items() if code in wanted]


def economy_page(*, economy: Economy, day: dt.date) -> EconomyPage:
    """Members over time, arrangements, the summary and partners on `day` (signed basis, all
    evidence), the AEO programme and the history. What does not depend on the day is kept with
    the data version's index (`record_page`)."""
    index, kept = fact_index(), lookups()

    def records() -> tuple[list[EconomyMembership], Programme | None, list[ProgrammeCount]]:
        memberships = list(
            EconomyMembership.objects.filter(economy=economy)
            .select_related("territory")
            .order_by(*EconomyMembership.group_page_ordering)
        )
        programme = Programme.objects.filter(economy=economy).first()
        return memberships, programme, list(programme.counts.order_by("as_of_date")) if programme else []

    (memberships, programme, counts), changes = record_page(index, economy, records)
    arrangements, total = _detail_rows([economy.code], index, kept)
    partners = _overview(economy.code, day, "signed", "inferred", index, kept)
    summary = partners.summary
    # Kept per interval, as the summary is, so the page's writers keep what they wrote of them.
    partner_economies, partner_territories = index.kept(
        (
            "partner_names",
            economy.code,
            "signed",
            "inferred",
            index.partner_interval(economy.code, day),
            get_language(),
        ),
        lambda: (
            _named(summary.partners, kept.economy_names()),
            _named(summary.countries, kept.territory_names()),
        ),
    )
    return EconomyPage(
        economy=economy,
        memberships=memberships,
        arrangements=arrangements,
        arrangements_total=total,
        partners=partners,
        partner_economies=partner_economies,
        partner_territories=partner_territories,
        programme=programme,
        counts=counts,
        history=changes,
    )


def record_page[R](
    index: counting.FactIndex, record: Economy | Territory, read: Callable[[], R]
) -> tuple[R, list[history.Change]]:
    """What an economy's or a territory's page shows of the record whatever the day, `read()`, and
    its history (`history.record_history`), kept with the data version's index: the first
    for the record, the history per language too (it names models and fields). Read on every
    request, they were eight queries of an economy's page; a visitor moving through the days of
    one economy asks for the same ones again and again."""
    label = record._meta.model_name
    return (
        index.kept(("record_page", label, record.pk), read),
        index.kept(
            ("record_history", label, record.pk, get_language()), lambda: history.record_history(record)
        ),
    )


@dataclass(frozen=True, slots=True)
class TerritoryRow:
    territory: Territory
    economies: list[Economy]


def territory_catalog(*, day: dt.date) -> list[TerritoryRow]:
    """Every territory by name, with the economies it belongs to on `day`."""
    economies_of: dict[str, list[Economy]] = defaultdict(list)
    for link in (
        EconomyMembership.objects.filter(active_on_q(day)).select_related("economy").order_by("economy__name")
    ):
        economies_of[link.territory_id].append(link.economy)
    return [
        TerritoryRow(territory, economies_of.get(territory.iso3, [])) for territory in Territory.objects.all()
    ]


@dataclass(frozen=True, slots=True)
class TerritoryPage:
    territory: Territory
    economy_memberships: list[EconomyMembership]
    bloc_memberships: list[BlocMembership]
    arrangements: list[DetailRow]  # the first DETAIL_ROWS, with `via`
    arrangements_total: int
    history: list[history.Change]  # `history.record_history`


def territory_page(*, territory: Territory) -> TerritoryPage:
    """Its economies and blocs over time, the arrangements of any economy it ever belonged to, and
    its history; the memberships and the history kept with the data version's index (`record_page`)."""
    index = fact_index()

    def records() -> tuple[list[EconomyMembership], list[BlocMembership]]:
        economy_memberships = list(
            EconomyMembership.objects.filter(territory=territory)
            .select_related("economy")
            .order_by("start_date", "economy__name")
        )
        bloc_memberships = list(
            BlocMembership.objects.filter(territory=territory)
            .select_related("bloc")
            .order_by("bloc__name", "start_date")
        )
        return economy_memberships, bloc_memberships

    (economy_memberships, bloc_memberships), changes = record_page(index, territory, records)
    arrangements, total = _detail_rows(
        {link.economy_id for link in economy_memberships}, index, lookups(), via=True
    )
    return TerritoryPage(
        territory=territory,
        economy_memberships=economy_memberships,
        bloc_memberships=bloc_memberships,
        arrangements=arrangements,
        arrangements_total=total,
        history=changes,
    )


def bloc_catalog(*, day: dt.date) -> QuerySet[Bloc]:
    """Blocs by code with `members_now` (on `day`) and `members_ever` (distinct territories)."""
    return Bloc.objects.annotate(
        members_now=Count("memberships", filter=active_on_q(day, prefix="memberships__"), distinct=True),
        members_ever=Count("memberships__territory", distinct=True),
    ).order_by("code")


def bloc_memberships(*, bloc: Bloc) -> list[BlocMembership]:
    """A bloc's members over time, by territory name then start."""
    return list(
        BlocMembership.objects.filter(bloc=bloc)
        .select_related("territory")
        .order_by(*BlocMembership.group_page_ordering)
    )


@dataclass(frozen=True, slots=True)
class BlocPage:
    memberships: list[BlocMembership]  # `bloc_memberships`
    history: list[history.Change]  # `history.record_history`


def bloc_page(*, bloc: Bloc, index: counting.FactIndex) -> BlocPage:
    """What a bloc's page shows of the bloc whatever economy and day it is seen from: its members
    over time and its history, kept with the counting index of the current data version
    (`fact_index`) per language (the history names models and fields in the active language).
    Read on every request, Belt and Road's 181 members and 155 membership versions at a hundred
    times the data were half of its page's time."""
    return index.kept(
        ("bloc_page", bloc.code, get_language()),
        lambda: BlocPage(bloc_memberships(bloc=bloc), history.record_history(bloc)),
    )


def undated_in_force(*, economy: str | None, day: dt.date) -> int:
    """In-force arrangements (of `economy`, or of anyone) signed by `day`, or undated, whose in-force
    date is not known: the in-force basis cannot count them, and the pages on that basis say so."""
    from django.db.models import Q

    from agreements.models import Arrangement
    from agreements.querysets import in_force_undated_q

    undated = Arrangement.objects.filter(in_force_undated_q()).filter(
        Q(signed_date__lte=day) | Q(signed_date__isnull=True)
    )
    if economy:
        undated = undated.filter(parties__code=economy)
    return undated.distinct().count()


def _statements() -> dict[tuple[str, str], list[tuple[dt.date, dt.date, str, list[Claim]]]]:
    """Every official statement by (economy, basis): (as_of, stated_on, key, its claims by metric),
    latest last. Kept per data version: the dashboard asks on every page, without a query."""

    def build() -> dict[tuple[str, str], list[tuple[dt.date, dt.date, str, list[Claim]]]]:
        grouped: dict[tuple[str, str, str], list[Claim]] = defaultdict(list)
        for claim in Claim.objects.select_related("economy").order_by("metric"):
            grouped[(claim.economy_id, claim.basis, claim.key)].append(claim)
        statements: dict[tuple[str, str], list[tuple[dt.date, dt.date, str, list[Claim]]]] = defaultdict(list)
        for (economy, basis, key), claims in grouped.items():
            statements[(economy, basis)].append((claims[0].as_of, claims[0].stated_on, key, claims))
        for found in statements.values():
            found.sort(key=lambda statement: (statement[0], statement[1]))
        return dict(statements)

    return lookups().cached("statements", build)


def _latest(economy: str, day: dt.date, basis: str) -> tuple[dt.date, dt.date, str, list[Claim]] | None:
    found = [s for s in _statements().get((economy, basis), ()) if s[0] <= day]
    return found[-1] if found else None


def latest_statement(*, economy: str, day: dt.date, basis: str) -> tuple[str, dt.date] | None:
    """The key and as-of day of the latest official statement about `economy` on `basis` as of
    `day` or before (the latest stated when two share a day), or None."""
    latest = _latest(economy, day, basis)
    return (latest[2], latest[0]) if latest else None


def official_figures(*, economy: str, day: dt.date, basis: str, evidence: str) -> list[LedgerRow]:
    """The latest official statement about `economy` on `basis` as of `day` or before (all its
    measures), each beside the registry's figure for the statement's own day. No query."""
    latest = _latest(economy, day, basis)
    if latest is None:
        return []
    as_of, _, _, claims = latest
    summary = fact_index().summary(economy, as_of, basis, evidence)
    return [LedgerRow(claim, summary.metric(claim.metric)) for claim in claims]


def partly_undated_in_force(*, economy: str | None, day: dt.date) -> int:
    """Of `undated_in_force`, those that have an in-force date but not for every party (ASEAN's,
    unknown for Cambodia): they count, but only for the parties whose date is known."""
    from django.db.models import Q

    from agreements.models import Arrangement
    from agreements.querysets import in_force_undated_q

    partly = Arrangement.objects.filter(in_force_undated_q(), effective_date__isnull=False).filter(
        Q(signed_date__lte=day) | Q(signed_date__isnull=True)
    )
    if economy:
        partly = partly.filter(parties__code=economy)
    return partly.distinct().count()


def arrangements_by_year(*, until: dt.date, evidence: str) -> tuple[dict[int, int], dict[int, int]]:
    """The world's arrangements counted by the year they were signed and the year they came into
    force, up to `until`, from the counting index (no query): (signed, in_force)."""
    from collections import Counter

    included = counting.evidence_included(evidence)
    signed: Counter[int] = Counter()
    in_force: Counter[int] = Counter()
    for fact in fact_index().facts.arrangements:
        if fact.status == counting.NEVER_COUNTS_STATUS or fact.evidence not in included:
            continue
        if fact.signed_date and fact.signed_date <= until:
            signed[fact.signed_date.year] += 1
        if fact.effective_date and fact.effective_date <= until:
            in_force[fact.effective_date.year] += 1
    return dict(signed), dict(in_force)


def economy_territories(*, day: dt.date) -> dict[str, frozenset[str]]:
    """Each economy's member territories on `day`, from the counting index (no query)."""
    return counting.members_on(fact_index().facts.economy_members, day)


def members_named(memberships: Iterable[BlocMembership], day: dt.date) -> list[tuple[str, str]]:
    """The (territory, name in the active language) of the memberships active on `day`, by code."""
    return sorted({(m.territory_id, local_name(m.territory)) for m in memberships if m.active_on(day)})


MATRIX_MAX_MEMBERS = 40


@dataclass(frozen=True, slots=True)
class PairMatrix:
    """Which pairs of a bloc's members have an arrangement on a day. A cell is "yes", "no" or
    "same" (both territories belong to one economy, which needs no arrangement with itself).
    `rows` is empty when the bloc has more than MATRIX_MAX_MEMBERS members: the counts stay."""

    members: list[tuple[str, str]]
    rows: list[tuple[str, str, list[tuple[str, str]]]]
    linked: int
    pairs: int


def member_pairs(*, members: list[tuple[str, str]], day: dt.date, basis: str, evidence: str) -> PairMatrix:
    """The bloc's member pairs covered by an arrangement, from the counting engine: territory B is
    covered for A when B is among the partner countries of A's economy on the day."""
    world = fact_index().world(day, basis, evidence)  # every economy's partners, counted once
    owner = {territory: economy for economy, ts in economy_territories(day=day).items() for territory in ts}
    partners = world.countries

    def kind(a: str, b: str) -> str:
        if a == b or (owner.get(a) is not None and owner.get(a) == owner.get(b)):
            return "same"
        return "yes" if b in partners.get(owner.get(a, ""), frozenset()) else "no"

    codes = [code for code, _ in members]
    owners = [owner.get(code) for code in codes]
    linked, pairs = _pair_counts(codes, owners, partners)
    rows = []
    if len(members) <= MATRIX_MAX_MEMBERS:
        rows = [(a, name, [(b, kind(a, b)) for b in codes]) for a, name in members]
    return PairMatrix(members=members, rows=rows, linked=linked, pairs=pairs)


def _pair_counts(
    codes: list[str], owners: list[str | None], partners: Mapping[str, frozenset[str]]
) -> tuple[int, int]:
    """(linked, pairs) over the pairs (a, b) of distinct `codes`, a before b, that do not belong to
    one economy: `pairs` counts them, `linked` those where b is among the partner countries of a's
    economy (`kind(a, b) == "yes"`).

    Worked out per economy rather than per pair: Belt and Road has 180 members and 16,000 pairs
    at 100x the data (3 ms of its page in a Python loop over them). For each economy, the positions
    of the members it covers (not its own) are intersected once, in C; a member then counts those
    after its own position by bisection."""
    position = {code: i for i, code in enumerate(codes)}
    size: dict[str, int] = defaultdict(int)
    for economy in owners:
        if economy is not None:
            size[economy] += 1
    n = len(codes)
    pairs = n * (n - 1) // 2 - sum(k * (k - 1) // 2 for k in size.values())
    after: dict[str, list[int]] = {}
    linked = 0
    for i, economy in enumerate(owners):
        if economy is None:
            continue  # no economy: no partners (and a pair with it is never "same")
        if economy not in after:
            covered = partners.get(economy, frozenset()) & position.keys()
            after[economy] = sorted(position[b] for b in covered if owners[position[b]] != economy)
        found = after[economy]
        linked += len(found) - bisect_right(found, i)
    return linked, pairs


def described_sources(
    arrangement: Arrangement,
) -> list[tuple[Source, SourceDocument | None, LinkCheck | None]]:
    """The arrangement's sources in order, each with the document its URL names (if described) and
    the URL's last check (if checked): a query each, whatever the number of sources."""
    sources = list(arrangement.sources.all())
    urls = list({source.url for source in sources if source.url})
    documents = SourceDocument.objects.in_bulk(urls, field_name="url") if urls else {}
    checks = LinkCheck.objects.in_bulk(urls, field_name="url") if urls else {}
    return [(source, documents.get(source.url), checks.get(source.url)) for source in sources]
