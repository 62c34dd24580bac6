"""Pages on the in-force basis say how many in-force arrangements they leave out for lack of an
in-force date, and link to them (issue 14, item 2). A new page that counts on the in-force basis
without the warning fails here: every page that declares `basis` is asked."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db.models import Q
from django.test import Client
from django.urls import URLPattern, get_resolver
from django.utils import translation

from agreements.choices import Status
from agreements.models import Arrangement

pytestmark = pytest.mark.django_db


def _walk(patterns: list[Any], prefix: str) -> Iterator[tuple[str, Any]]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern).lstrip("^")
        if isinstance(pattern, URLPattern):
            yield route, pattern.callback
        else:
            yield from _walk(pattern.url_patterns, route)


def pages_on_a_basis() -> list[str]:
    """Every page (HTML, under the language prefix) whose declared parameters include `basis`."""
    found = set()
    with translation.override("en"):  # the English routes have no language prefix
        routes = list(_walk(get_resolver().url_patterns, ""))
    for route, callback in routes:
        route = route.removeprefix("en/")
        if "<" in route or route.startswith(("api/", "embed/", "preview", "zh-hans/")):
            continue
        if "basis" in getattr(callback, "page_parameters", frozenset()):
            found.add("/" + route)
    return sorted(found)


def test_the_pages_on_a_basis_are_found() -> None:
    assert {"/", "/partners/", "/ranking/"} <= set(pages_on_a_basis())


@pytest.mark.parametrize("prefix", ["", "/zh-hans"])
@pytest.mark.parametrize("path", pages_on_a_basis())
def test_every_page_on_the_in_force_basis_states_what_it_leaves_out(
    client: Client, prefix: str, path: str
) -> None:
    body = client.get(f"{prefix}{path}?economy=KOR&as_of=2025-06-30&basis=in_force").content.decode()
    assert 'data-testid="in-force-gaps"' in body
    signed = client.get(f"{prefix}{path}?economy=KOR&as_of=2025-06-30&basis=signed").content.decode()
    assert 'data-testid="in-force-gaps"' not in signed


def test_the_count_matches_the_linked_list_of_undated_arrangements(client: Client) -> None:
    body = client.get("/?economy=KOR&as_of=2025-06-30&basis=in_force").content.decode()
    match = re.search(r'data-count="(\d+)">.*?<a href="([^"]+)">', body, re.S)
    assert match
    count, link = int(match.group(1)), match.group(2).replace("&amp;", "&")
    expected = (
        Arrangement.objects.filter(status=Status.IN_FORCE, effective_date__isnull=True, parties__code="KOR")
        .exclude(signed_date__gt="2025-06-30")
        .count()
    )
    assert count == expected > 0
    response = client.get(link + "&format=json")
    listed = json.loads(b"".join(response.streaming_content))  # type: ignore[attr-defined]
    assert listed["count"] == count
    assert all(row["effective_date"] is None and row["status"] == "in_force" for row in listed["rows"])


def test_the_world_ranking_counts_every_undated_in_force_arrangement(client: Client) -> None:
    body = client.get("/ranking/?as_of=2025-06-30&basis=in_force").content.decode()
    count = int(re.search(r'data-testid="in-force-gaps" data-count="(\d+)"', body).group(1))  # type: ignore[union-attr]
    # No in-force date, or none known for one of its parties (ASEAN's, for Cambodia).
    undated = Q(effective_date__isnull=True) | Q(party_links__effective_unknown=True)
    assert (
        count
        == Arrangement.objects.filter(undated, status=Status.IN_FORCE)
        .exclude(signed_date__gt="2025-06-30")
        .distinct()
        .count()
    )
