"""The one pager of the registry's lists: the arrangement list, recent changes and the REST API
page by PAGE_SIZE; the pages read a page number leniently (`page_of`), as a stale link must still
show something, and render `includes/_pagination.html` from `page_context`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

PAGE_SIZE = 50


def page_of(items: QuerySet[Any] | Sequence[Any], number: object, per_page: int = PAGE_SIZE) -> Page[Any]:
    """A page of `items`: an unreadable or non-positive page number shows the first page, one past
    the end the last page."""
    paginator = Paginator(items, per_page)
    try:
        wanted = max(1, int(number or 1))  # type: ignore[call-overload]  # anything: unreadable is page 1
    except (TypeError, ValueError):
        wanted = 1
    return paginator.page(min(wanted, paginator.num_pages))


def page_context(page: Page[Any] | None) -> dict[str, Any]:
    """What includes/_pagination.html reads: the page (None: no list shown) and its page links."""
    return {"page_obj": page, "page_range": page.paginator.get_elided_page_range(page.number) if page else []}
