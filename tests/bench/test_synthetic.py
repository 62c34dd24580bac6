"""Synthetic growth data: `add_synthetic(scale=n)` grows the registry to n times its own size."""

from __future__ import annotations

import math

import pytest

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
