"""The dashboard's race charts kept per interval (`race_scripts`) are the charts written afresh
for the day (`_race_scripts`): on every day of the years the registry covers, asked in a random
order (so the day an interval's charts are first kept from is any of its days), for a few
economies, both bases and both languages."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import translation

from agreements import selectors
from dashboard.views import dashboard as views

pytestmark = pytest.mark.django_db


def _days(first: dt.date, last: dt.date, step: int) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range(0, (last - first).days + 1, step)]


@pytest.mark.parametrize(
    ("economy", "basis", "evidence", "language", "step"),
    [
        ("CHN", "signed", "inferred", "en", 1),
        ("KOR", "in_force", "inferred", "zh-hans", 3),
        ("EUU", "signed", "reported", "en", 3),
        ("NZL", "in_force", "confirmed", "en", 5),
        ("XXX", "signed", "inferred", "en", 13),  # no such economy: empty lines
    ],
)
def test_kept_race_charts_are_the_charts_written_for_the_day(
    economy: str, basis: str, evidence: str, language: str, step: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    days = _days(dt.date(2005, 1, 1), dt.date(2026, 12, 31), step)
    # One index for the test: inside the test's transaction, each call would count afresh.
    index = selectors.fact_index()
    monkeypatch.setattr(selectors, "fact_index", lambda: index)
    names = selectors.lookups()
    monkeypatch.setattr(selectors, "lookups", lambda: names)
    # First days of intervals (written afresh), the days after and before them: one in `step`.
    starts = [
        day for day in _days(dt.date(2005, 1, 1), dt.date(2026, 12, 31), 1) if index.starts_interval(day)
    ]
    assert len(starts) > 40
    starts = starts[:: max(1, step // 10)]
    one = dt.timedelta(days=1)
    days = sorted({*days, *starts, *(day + one for day in starts), *(day - one for day in starts)})
    random.Random(f"{economy}{basis}").shuffle(days)
    seen: set[int] = set()
    shared = 0
    with translation.override(language):
        for day in days:
            kept = views.race_scripts(economy, day, basis, evidence)
            assert kept == views._race_scripts(economy, day, basis, evidence), day
            assert views._DAY_TOKEN not in kept
            shared += index.interval(day) in seen and not index.starts_interval(day)
            seen.add(index.interval(day))
    assert shared > len(days) / 3  # many days were written from another day's kept charts


def test_an_interval_starts_on_each_day_a_fact_starts_or_ends() -> None:
    """`FactIndex.starts_interval`: the day's interval is not the day before's."""
    index = selectors.fact_index()
    for day in _days(dt.date(2000, 1, 1), dt.date(2027, 1, 1), 1):
        before = day - dt.timedelta(days=1)
        assert index.starts_interval(day) == (index.interval(day) != index.interval(before)), day
