"""The one pager (issue 12, item 7): every list pages by PAGE_SIZE, and a page number that cannot
be read shows the first page, one past the end the last, as a stale link must show something."""

from __future__ import annotations

import pytest

from agreements.paging import PAGE_SIZE, page_context, page_of
from api.policy import PageNumberPagination

ITEMS = list(range(120))


@pytest.mark.parametrize(
    ("number", "shown"), [(None, 1), ("", 1), ("2", 2), ("abc", 1), ("0", 1), ("-3", 1), ("99", 3), (3, 3)]
)
def test_a_page_number_is_read_leniently(number: object, shown: int) -> None:
    assert page_of(ITEMS, number).number == shown


def test_the_pages_and_the_api_page_by_the_same_size() -> None:
    assert len(page_of(ITEMS, 1)) == PAGE_SIZE == PageNumberPagination.page_size


def test_the_page_links_are_elided_around_the_page() -> None:
    context = page_context(page_of(list(range(PAGE_SIZE * 20)), 10))
    assert context["page_obj"].number == 10
    assert "…" in list(context["page_range"])
    assert page_context(None) == {"page_obj": None, "page_range": []}
