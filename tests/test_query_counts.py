"""Each page's exact number of SQL queries, pinned in one table (tests/query_counts.json, NetBox's
pattern): a change that adds a query to a page fails here, naming the page and both counts.

Every request is counted cold, the worst case a visitor meets: no page cache, no counting index
and no remembered data version (each is built or read by the request itself). Counts that differ by
database are written per vendor: `{"postgresql": n, "sqlite": m}`. The table is checked on the
reference data and again at ten times its size, where every count must be the same: queries do not
grow with the data (`make bench` checks 1x, 10x and 100x).

After a deliberate change to a page's queries, edit its row: the failure names the page and the
count it ran, on each database.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import resolve

from agreements import selectors, versioning
from api.urls import router
from api.urls import urlpatterns as rest_urlpatterns
from bench.synthetic import add_synthetic
from dashboard.urls import unprefixed_urlpatterns, urlpatterns

pytestmark = pytest.mark.django_db

TABLE = Path(__file__).with_name("query_counts.json")
COUNTS: dict[str, Any] = json.loads(TABLE.read_text())

# Pages the table does not list, and why.
NOT_COUNTED = {
    "data-zip": "the full download: built once per data version and measured by make bench",
    "correction-new": "a form with a CSRF token, covered by tests/dashboard/test_corrections.py",
    "correction-thanks": "a message after a POST",
    "correction-detail": "needs a correction, which the reference data has none of",
    "api-claim-detail": "addressed by a database id, which the reference data does not fix",
}


def expected(url: str) -> int:
    pinned = COUNTS[url]
    return pinned[connection.vendor] if isinstance(pinned, dict) else pinned


def queries(client: Client, url: str) -> int:
    """The queries of one cold request to `url`, the streamed body read to its end."""
    cache.clear()
    selectors.forget_index()
    versioning.forget()
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        response.getvalue()  # a streamed body is read whole
    return len(context.captured_queries)


@pytest.mark.parametrize("url", sorted(COUNTS))
def test_the_page_runs_its_pinned_number_of_queries(client: Client, url: str) -> None:
    assert queries(client, url) == expected(url), url


def test_the_pinned_counts_hold_at_ten_times_the_data(client: Client) -> None:
    added = add_synthetic(scale=10)
    assert added["arrangements"] >= 9 * 166
    counted = {url: queries(client, url) for url in sorted(COUNTS)}
    assert counted == {url: expected(url) for url in sorted(COUNTS)}


def test_the_table_lists_every_page() -> None:
    """Every named page and endpoint has at least one row (or a reason in NOT_COUNTED)."""
    patterns = [*urlpatterns, *unprefixed_urlpatterns, *rest_urlpatterns, *router.urls]
    named = {p.name for p in patterns if getattr(p, "name", None)}
    listed = {resolve(url.split("?")[0].removeprefix("/zh-hans")).url_name for url in COUNTS}
    assert named - listed == set(NOT_COUNTED)
