"""The data-quality report (issue 14, item 7): which records are weak, counted and listed.

Reads only, in a fixed number of queries whatever the data size: one aggregate for every count of
arrangements, one per arrangement list (and one for its parties), and the claims ledger. The page,
its CSV and JSON twins (one list per download, `list=<name>`) and `/api/v1/quality` all read it.

The lists:
- `single_source`: arrangements with fewer than two sources (one, or none), so nothing corroborates them;
- `citations_only`: arrangements none of whose sources has a URL (citations only, nothing to click);
- `in_force_undated`: status "in force" without an in-force date: the in-force basis cannot count them;
- `undated`: partners without any date: arrangements past negotiation (signed, in force or ended) with
  neither a signed nor an in-force date, so no basis counts them (an arrangement still being
  negotiated has no date to give, and is no partner yet);
- `claims_differ`: official claims whose figure differs from the registry's (the claims ledger).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from agreements import selectors
from agreements.choices import DatePrecision, Evidence, Status
from agreements.models import Arrangement, Economy, LinkCheck, Source
from agreements.querysets import in_force_undated_q

SINGLE_SOURCE = "single_source"
CITATIONS_ONLY = "citations_only"
IN_FORCE_UNDATED = "in_force_undated"
UNDATED = "undated"
CLAIMS_DIFFER = "claims_differ"

# The page shows at most this many rows of a list; its downloads have every row. A list can grow
# with the data (a tenth of a large import may have one source), the page should not.
PAGE_ROWS = 100

NO_DATE = "none"  # the key of undated records in the precision counts

DATED_EVENTS = ("signed", "effective")  # field prefixes; the API calls them signed and in_force


@dataclass(frozen=True, slots=True)
class QualityList:
    name: str
    title: StrOrPromise
    description: StrOrPromise


LISTS: dict[str, QualityList] = {
    item.name: item
    for item in (
        QualityList(
            SINGLE_SOURCE,
            _("Arrangements with a single source"),
            _("One source or none: nothing corroborates the record."),
        ),
        QualityList(
            CITATIONS_ONLY,
            _("Arrangements with citations only"),
            _("None of the sources has a URL: a reader cannot follow them."),
        ),
        QualityList(
            IN_FORCE_UNDATED,
            _("In force without an in-force date"),
            _(
                "Status “in force” but no in-force date, for every party or for some: the in-force "
                "basis cannot count them, in whole or in part."
            ),
        ),
        QualityList(
            UNDATED,
            _("Partners without any date"),
            _("Signed or in force, but with neither a signed nor an in-force date: no basis counts them."),
        ),
        QualityList(
            CLAIMS_DIFFER,
            _("Claims that differ"),
            _("Official figures that differ from the registry's own (see the claims ledger for all)."),
        ),
    )
}
UNDATED_PARTNER = Q(signed_date__isnull=True, effective_date__isnull=True) & ~Q(status=Status.NEGOTIATING)
ARRANGEMENT_LISTS = (SINGLE_SOURCE, CITATIONS_ONLY, IN_FORCE_UNDATED, UNDATED)


def _sourced() -> QuerySet[Any]:
    """The ids of arrangements by number of sources: a subquery, so the list stays a plain
    filter on Arrangement (the arrangements export reads its rows from such a queryset)."""
    return Source.objects.values("arrangement").annotate(
        sources=Count("id"), with_url=Count("id", filter=~Q(url=""))
    )


def arrangements(name: str) -> QuerySet[Arrangement]:
    """One arrangement list (`ARRANGEMENT_LISTS`), ordered as the arrangement catalog."""
    everything = Arrangement.objects.all()
    if name == SINGLE_SOURCE:
        corroborated = _sourced().filter(sources__gte=2).values("arrangement")
        chosen = everything.exclude(pk__in=corroborated)
    elif name == CITATIONS_ONLY:
        citations = _sourced().filter(with_url=0).values("arrangement")
        chosen = everything.filter(pk__in=citations)
    elif name == IN_FORCE_UNDATED:
        chosen = everything.filter(in_force_undated_q())
    elif name == UNDATED:
        chosen = everything.filter(UNDATED_PARTNER)
    else:
        raise ValueError(f"not an arrangement list: {name!r}")
    return chosen.order_by(F("signed_date").asc(nulls_last=True), "key")


def claims_differ() -> list[selectors.LedgerRow]:
    return [row for row in selectors.claims_ledger() if not row.match]


@dataclass(frozen=True, slots=True)
class Counts:
    arrangements: int
    by_evidence: dict[str, int]
    # event ("signed", "effective") -> precision (or NO_DATE) -> arrangements
    by_precision: dict[str, dict[str, int]]
    citation_sources: int  # source entries without a URL
    lists: dict[str, int]
    # Cited URLs that did not answer their last `manage.py check_sources` (None: never checked).
    links_not_answering: int | None = None


def _aggregate() -> dict[str, int]:
    """Every count of arrangements in one query."""
    measures: dict[str, Any] = {"all": Count("id")}
    for level in Evidence.values:
        measures[f"evidence:{level}"] = Count("id", filter=Q(evidence=level))
    for event in DATED_EVENTS:
        for precision in DatePrecision.values:
            dated = Q(**{f"{event}_date__isnull": False, f"{event}_precision": precision})
            measures[f"{event}:{precision}"] = Count("id", filter=dated)
        measures[f"{event}:{NO_DATE}"] = Count("id", filter=Q(**{f"{event}_date__isnull": True}))
    measures[IN_FORCE_UNDATED] = Count("id", filter=in_force_undated_q())
    measures[UNDATED] = Count("id", filter=UNDATED_PARTNER)
    # Keys with ":" are not valid aliases: number them, then name them back.
    names = list(measures)
    row = Arrangement.objects.aggregate(**{f"m{i}": measures[name] for i, name in enumerate(names)})
    return {name: row[f"m{i}"] for i, name in enumerate(names)}


def counts(*, differing_claims: int | None = None) -> Counts:
    """The report's figures; `differing_claims` when the caller already has the ledger."""
    totals = _aggregate()
    lists = {
        SINGLE_SOURCE: arrangements(SINGLE_SOURCE).count(),
        CITATIONS_ONLY: arrangements(CITATIONS_ONLY).count(),
        IN_FORCE_UNDATED: totals[IN_FORCE_UNDATED],
        UNDATED: totals[UNDATED],
        CLAIMS_DIFFER: len(claims_differ()) if differing_claims is None else differing_claims,
    }
    return Counts(
        arrangements=totals["all"],
        by_evidence={level: totals[f"evidence:{level}"] for level in Evidence.values},
        by_precision={
            event: {p: totals[f"{event}:{p}"] for p in [*DatePrecision.values, NO_DATE]}
            for event in DATED_EVENTS
        },
        citation_sources=Source.objects.filter(url="").count(),
        lists=lists,
        links_not_answering=_links_not_answering(),
    )


def _links_not_answering() -> int | None:
    """Cited source URLs whose last check got no answer or an error status; None if never checked.
    Checks are not data: a page cached before a check run shows them after at most
    AEO_PAGE_CACHE_SECONDS."""
    checks = LinkCheck.objects.filter(url__in=Source.objects.exclude(url="").values("url"))
    if not checks.exists():
        return None
    return checks.filter(Q(http_status__isnull=True) | Q(http_status__gte=400)).count()


@dataclass(frozen=True, slots=True)
class Section:
    """One list as the page shows it: its first PAGE_ROWS rows and how many there are in all."""

    item: QualityList
    rows: list[Any]
    total: int

    @property
    def cut(self) -> bool:
        return self.total > len(self.rows)


@dataclass(frozen=True, slots=True)
class Report:
    counts: Counts
    sections: list[Section]


def report() -> Report:
    """The page: the counts and the first rows of every list (parties prefetched by code).

    Worked out once per data version and language and kept with the version's lookups (as the
    counting index is): at a hundred times the data its counts scan every arrangement, and the
    page must not (issue 16). The link checks, which are not data, are counted on every call."""
    kept = selectors.lookups().cached("quality-report", _report)
    return Report(dataclasses.replace(kept.counts, links_not_answering=_links_not_answering()), kept.sections)


def _report() -> Report:
    differing = claims_differ()
    figures = counts(differing_claims=len(differing))
    parties = Prefetch("parties", queryset=Economy.objects.order_by("code"))
    sections = [
        Section(
            LISTS[name],
            list(
                arrangements(name)
                .annotate(source_count=selectors.source_count())
                .prefetch_related(parties)[:PAGE_ROWS]
            ),
            figures.lists[name],
        )
        for name in ARRANGEMENT_LISTS
    ]
    sections.append(Section(LISTS[CLAIMS_DIFFER], differing, len(differing)))
    return Report(figures, sections)
