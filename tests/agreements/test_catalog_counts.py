"""What the list and detail pages now read from the data version's counting facts (issue 16),
against what computed it before: the economy list's counts and the economy and territory pages'
arrangement rows against the SQL (reference data grown with synthetic data; the boundary days of
the UK's EU membership), and a bloc's linked pairs against the loop over every pair."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from hypothesis import given, settings
from hypothesis import strategies as st

from agreements import selectors
from agreements.models import Arrangement, ArrangementParty, Bloc, Economy, EconomyMembership, Territory
from agreements.querysets import active_on_q
from bench.synthetic import add_synthetic


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


@pytest.mark.django_db
@pytest.mark.parametrize("day", [dt.date(2020, 12, 31), dt.date(2021, 1, 1), dt.date.today()])
def test_economy_list_counts_are_the_sql_counts(day: dt.date) -> None:
    add_synthetic(scale=3, seed=7)
    selectors.forget_index()
    rows = selectors.economy_catalog(day=day)
    counted = {e.code: (e.territories_now, e.arrangement_count) for e in rows}  # type: ignore[attr-defined]
    assert list(counted.items()) == list(_sql_counts(day).items())  # the same economies, in the same order


@pytest.mark.django_db
def test_the_uk_leaves_the_eu_count_on_2021_01_01() -> None:
    before = {e.code: e for e in selectors.economy_catalog(day=dt.date(2020, 12, 31))}
    after = {e.code: e for e in selectors.economy_catalog(day=dt.date(2021, 1, 1))}
    assert before["EUU"].territories_now == after["EUU"].territories_now + 1  # type: ignore[attr-defined]


@pytest.mark.django_db
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


def _old_pair_counts(
    codes: list[str], owners: list[str | None], partners: dict[str, frozenset[str]]
) -> tuple[int, int]:
    """`member_pairs`' loop over every pair, verbatim, which `_pair_counts` replaced."""
    linked = pairs = 0
    for i, a in enumerate(codes):
        economy_a = owners[i]
        covered = partners.get(economy_a or "", frozenset())
        for b, economy_b in zip(codes[i + 1 :], owners[i + 1 :], strict=True):
            if a == b or (economy_a is not None and economy_a == economy_b):
                continue
            pairs += 1
            linked += b in covered
    return linked, pairs


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from([None, "E1", "E2", "E3", "E4"]), st.integers(0, 15)), max_size=16),
    st.dictionaries(st.sampled_from(["E1", "E2", "E3", "E4", "E5"]), st.sets(st.integers(0, 20))),
)
def test_pair_counts_are_the_pair_loops(
    members: list[tuple[str | None, int]], partners: dict[str, set[int]]
) -> None:
    unique = {f"T{number:02d}": economy for economy, number in members}  # one economy per territory
    codes = sorted(unique)
    owners = [unique[code] for code in codes]
    covered = {economy: frozenset(f"T{n:02d}" for n in numbers) for economy, numbers in partners.items()}
    assert selectors._pair_counts(codes, owners, covered) == _old_pair_counts(codes, owners, covered)


@pytest.mark.django_db
def test_bri_pairs_at_three_times_the_data_are_the_pair_loops() -> None:
    add_synthetic(scale=3, seed=7)
    selectors.forget_index()
    day = dt.date(2021, 8, 31)
    memberships = selectors.bloc_memberships(bloc=Bloc.objects.get(code="BRI_COOP"))
    members = selectors.members_named(memberships, day)
    matrix = selectors.member_pairs(members=members, day=day, basis="signed", evidence="inferred")
    owner = {t: e for e, ts in selectors.economy_territories(day=day).items() for t in ts}
    codes = [code for code, _ in members]
    world = selectors.fact_index().world(day, "signed", "inferred")
    old = _old_pair_counts(codes, [owner.get(c) for c in codes], dict(world.countries))
    assert (matrix.linked, matrix.pairs) == old and matrix.linked > 0
