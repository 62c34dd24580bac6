"""The economy list's counts and the detail pages' arrangement rows, read from the data version's
counting facts (issue 16), against the SQL that computed them before: on the reference data grown
with synthetic data, on the boundary days of the UK's EU membership and today."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from agreements import selectors
from agreements.models import Arrangement, ArrangementParty, Economy, EconomyMembership, Territory
from agreements.querysets import active_on_q
from bench.synthetic import add_synthetic

pytestmark = pytest.mark.django_db


def _sql_counts(day: dt.date) -> dict[str, tuple[int, int]]:
    """The queryset `economy_catalog` was: (territories now, arrangements) per economy, by name."""

    def per_economy(rows: object, counted: str) -> Coalesce:
        sub = (
            rows.filter(economy=OuterRef("pk"))  # type: ignore[attr-defined]
            .order_by()
            .values("economy")
            .annotate(n=Count(counted, distinct=True))
        )
        return Coalesce(Subquery(sub.values("n")), 0)

    economies = Economy.objects.annotate(
        now=per_economy(EconomyMembership.objects.filter(active_on_q(day)), "id"),
        count=per_economy(ArrangementParty.objects.all(), "arrangement"),
    )
    return {e.code: (e.now, e.count) for e in economies}


@pytest.mark.parametrize("day", [dt.date(2020, 12, 31), dt.date(2021, 1, 1), dt.date.today()])
def test_economy_list_counts_are_the_sql_counts(day: dt.date) -> None:
    add_synthetic(scale=3, seed=7)
    selectors.forget_index()
    rows = selectors.economy_catalog(day=day)
    counted = {e.code: (e.territories_now, e.arrangement_count) for e in rows}  # type: ignore[attr-defined]
    assert list(counted.items()) == list(_sql_counts(day).items())  # the same economies, in the same order


def test_the_uk_leaves_the_eu_count_on_2021_01_01() -> None:
    before = {e.code: e for e in selectors.economy_catalog(day=dt.date(2020, 12, 31))}
    after = {e.code: e for e in selectors.economy_catalog(day=dt.date(2021, 1, 1))}
    assert before["EUU"].territories_now == after["EUU"].territories_now + 1  # type: ignore[attr-defined]


def test_detail_rows_are_the_arrangements_the_database_lists() -> None:
    """Every economy's and a few territories' rows: the same arrangements, in the list's order
    (signed date, undated last, then key), parties by code, and the same totals."""
    add_synthetic(scale=3, seed=7)
    selectors.forget_index()
    day = dt.date(2021, 8, 31)
    for economy in Economy.objects.all():
        page = selectors.economy_page(economy=economy, day=day)
        ids = ArrangementParty.objects.filter(economy=economy).values("arrangement_id")
        expected = list(
            Arrangement.objects.filter(pk__in=ids).order_by(F("signed_date").asc(nulls_last=True), "key")
        )
        assert page.arrangements_total == len(expected)
        shown = expected[: selectors.DETAIL_ROWS]
        assert [row.arrangement.key for row in page.arrangements] == [a.key for a in shown]
        for row, arrangement in zip(page.arrangements, shown, strict=True):
            parties = sorted(arrangement.parties.values_list("code", flat=True))
            assert [code for code, _ in row.parties] == parties
            assert row.arrangement.status == arrangement.status
            assert row.arrangement.ended_date == arrangement.ended_date
    for territory in Territory.objects.filter(Q(iso3__in=["FRA", "GBR", "HKG"]) | Q(iso3__startswith="AA")):
        reach = selectors.territory_page(territory=territory)
        ever = set(EconomyMembership.objects.filter(territory=territory).values_list("economy_id", flat=True))
        ids = ArrangementParty.objects.filter(economy__in=ever).values("arrangement_id")
        keys = list(
            Arrangement.objects.filter(pk__in=ids)
            .order_by(F("signed_date").asc(nulls_last=True), "key")
            .values_list("key", flat=True)
        )
        assert reach.arrangements_total == len(keys)
        assert [row.arrangement.key for row in reach.arrangements] == keys[: selectors.DETAIL_ROWS]
        for row in reach.arrangements:
            assert row.via == [code for code, _ in row.parties if code in ever]
