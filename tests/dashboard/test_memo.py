"""What a page writes of the partner rows is kept while the counting index hands out the same rows
(every day of one interval), and written afresh for other rows, another language or new data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from agreements import memo, selectors
from agreements.models import Arrangement
from dashboard.templatetags.partner_markup import _partner_rows, partner_rows

CHINA = {"economy": "CHN", "basis": "signed", "evidence": "inferred"}


def test_written_is_kept_for_the_same_object_and_rewritten_for_an_equal_other() -> None:
    calls: list[int] = []

    def write() -> int:
        calls.append(1)
        return len(calls)

    first, twin = [1, 2], [1, 2]
    assert memo.written("test", first, write) == 1
    assert memo.written("test", first, write) == 1
    assert memo.written("test", twin, write) == 2
    with translation.override("zh-hans"):
        assert memo.written("test", first, write) == 3


# Transactional: an index built inside a test's transaction is used but not kept (it may roll back).
def test_two_days_of_one_interval_share_their_rows_and_markup(committed_reference: None) -> None:
    one = selectors.overview(day=dt.date(2021, 8, 30), **CHINA)
    two = selectors.overview(day=dt.date(2021, 8, 31), **CHINA)
    assert one.rows is two.rows
    assert (one.summary.as_of, two.summary.as_of) == (dt.date(2021, 8, 30), dt.date(2021, 8, 31))
    assert partner_rows(two.rows) is partner_rows(one.rows)
    assert partner_rows(two.rows) == _partner_rows(two.rows)


def test_a_day_after_a_change_gets_rows_of_its_own(committed_reference: None) -> None:
    before = selectors.overview(day=dt.date(2013, 1, 1), **CHINA)
    after = selectors.overview(day=dt.date(2021, 8, 31), **CHINA)
    assert before.rows is not after.rows
    assert len(before.rows) < len(after.rows)


def test_an_edit_is_shown_on_the_next_request_for_a_day_already_written(committed_reference: None) -> None:
    client = Client(HTTP_HOST="localhost")
    url = "/?economy=CHN&as_of=2021-08-31&basis=signed&evidence=inferred"
    arrangement = Arrangement.objects.get(key="CHN-KOR-2013")
    assert arrangement.title in client.get(url).content.decode()
    arrangement.title = "A title written after the rows were kept"
    arrangement.save()
    body = client.get(url.replace("2021-08-31", "2021-08-30")).content.decode()
    assert "A title written after the rows were kept" in body


def test_when_full_the_oldest_half_goes_and_the_newest_stay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memo, "LIMIT", 4)
    monkeypatch.setattr(memo, "_WRITTEN", {})
    sources = [[n] for n in range(5)]
    for number, source in enumerate(sources):
        memo.written("test", source, lambda number=number: number)  # type: ignore[misc]
    kept = [entry[0] for entry in memo._WRITTEN.values()]
    assert kept == [sources[2], sources[3], sources[4]]  # 0 and 1 went when the fifth came
    assert memo.written("test", sources[4], lambda: -1) == 4


def test_the_ranking_page_of_a_day_answered_from_its_interval_is_the_page_written_afresh(
    committed_reference: None,
) -> None:
    client = Client(HTTP_HOST="localhost")
    index = selectors.fact_index()
    first, later = dt.date(2021, 8, 2), dt.date(2021, 8, 30)
    assert index.interval(first) == index.interval(later)
    for language in ("", "/zh-hans"):
        for by in ("countries", "economies"):
            url = f"{language}/ranking/?by={by}&as_of="
            for day in (first, later, dt.date(2015, 1, 1), dt.date(2026, 3, 1)):
                kept = client.get(url + day.isoformat()).content  # from the index's kept figures
                selectors.forget_index()
                cache.clear()  # the page itself, stored by the page cache
                assert client.get(url + day.isoformat()).content == kept, day
                cache.clear()
