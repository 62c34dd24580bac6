"""Synthetic growth data: `add_synthetic(scale=n)` grows the registry to n times its own size."""

from __future__ import annotations

import math

import pytest
from django.db import connection

from agreements.models import Arrangement, Economy
from bench.synthetic import add_synthetic


@pytest.mark.django_db
def test_a_larger_scale_adds_only_the_difference() -> None:
    arrangements, economies = Arrangement.objects.count(), Economy.objects.count()
    add_synthetic(scale=2)
    assert Arrangement.objects.count() == 2 * arrangements
    added = add_synthetic(scale=4, seed=4)
    assert added["arrangements"] == 2 * arrangements
    assert Arrangement.objects.count() == 4 * arrangements
    assert Economy.objects.count() == economies + math.ceil(economies * 3 / 33)
    assert add_synthetic(scale=3) == {"economies": 0, "arrangements": 0}


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's statistics are PostgreSQL's")
def test_growing_the_data_refreshes_the_planners_statistics_of_the_grown_tables() -> None:
    """The planner sees the arrangements the load wrote, not the table as it was before it."""

    def planned_rows() -> float:
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'agreements_arrangement'")
            return float(cursor.fetchone()[0])

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE agreements_arrangement")
    before = planned_rows()
    add_synthetic(scale=3, seed=3)
    assert before < Arrangement.objects.count() == planned_rows()
