"""Blocs from both sides (issue 13, item 6): which members of a bloc an economy covers on a day,
by which arrangement, which it does not, and which economies cover the most members."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

URL = "/blocs/CEE/?economy=CHN&as_of=2021-08-31"


def codes(body: str, testid: str) -> list[str]:
    block = re.search(rf'data-testid="{testid}">(.*?)</(?:ul|ol)>', body, re.S)
    assert block, testid
    return re.findall(r'<li data-code="([A-Z]{3})"', block.group(1))


def test_china_covers_the_cee_members_the_summary_api_counts(client: Client) -> None:
    body = client.get(URL).content.decode()
    summary = client.get("/api/v1/summary?economy=CHN&as_of=2021-08-31").json()
    covered, missing = codes(body, "covered"), codes(body, "not-covered")
    assert len(covered) == summary["by_bloc"]["CEE"] == 12
    assert set(covered) <= set(summary["countries"])
    assert not set(missing) & set(summary["countries"])
    assert "LTU" not in covered + missing  # left the format on 2021-05-22
    match = re.search(r'data-covered="(\d+)" data-members="(\d+)"', body)
    assert match and int(match.group(1)) == 12 and int(match.group(2)) == len(covered) + len(missing)


def test_the_leaders_are_the_economies_covering_the_most_members(client: Client) -> None:
    body = client.get(URL).content.decode()
    leaders = re.findall(r'<li data-code="([A-Z]{3})" data-count="(\d+)">', body)
    counts = [int(count) for _, count in leaders]
    assert counts == sorted(counts, reverse=True) and leaders[0] == ("CHN", "12")
    for code, count in leaders[:3]:
        summary = client.get(f"/api/v1/summary?economy={code}&as_of=2021-08-31").json()
        assert summary["by_bloc"]["CEE"] == int(count)


def test_an_unknown_economy_is_a_400_with_the_bloc_still_shown(client: Client) -> None:
    response = client.get("/blocs/CEE/?economy=XXX")
    assert response.status_code == 400
    assert "Unknown economy &#x27;XXX&#x27;." in response.content.decode()
    assert client.get("/zh-hans" + URL).status_code == 200
