"""Blocs from both sides (issue 13, item 6): which members of a bloc an economy covers on a day,
by which arrangement, which it does not, and which economies cover the most members."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from agreements.models import EconomyMembership

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


def pair_cells(body: str) -> dict[tuple[str, str], str]:
    return {
        (a, b): kind
        for a, b, kind in re.findall(r'<td data-a="([A-Z]{3})" data-b="([A-Z]{3})" data-pair="(\w+)"', body)
    }


def economy_of(day: str) -> dict[str, str]:
    on = dt.date.fromisoformat(day)
    return {m.territory_id: m.economy_id for m in EconomyMembership.objects.all() if m.active_on(on)}


def test_the_member_pair_matrix_agrees_with_the_summary_api(client: Client) -> None:
    """Issue 13, item 6: a matrix of the bloc's member pairs with an arrangement (RCEP's 15)."""
    day = "2021-08-31"
    body = client.get(f"/blocs/RCEP/?economy=CHN&as_of={day}").content.decode()
    cells = pair_cells(body)
    members = sorted({a for a, _ in cells})
    assert len(members) == 15 and len(cells) == 15 * 15
    owner = economy_of(day)
    countries = {
        economy: set(client.get(f"/api/v1/summary?economy={economy}&as_of={day}").json()["countries"])
        for economy in {owner[code] for code in members}
    }
    for (a, b), kind in cells.items():
        if a == b or owner[a] == owner[b]:
            assert kind == "same", (a, b)
        else:
            assert kind == ("yes" if b in countries[owner[a]] else "no"), (a, b)
        assert cells[(b, a)] == kind  # an arrangement covers both ways
    linked = sum(1 for (a, b), kind in cells.items() if a < b and kind == "yes")
    pairs = sum(1 for (a, b), kind in cells.items() if a < b and kind != "same")
    assert re.search(rf'data-testid="pairs" data-linked="{linked}" data-pairs="{pairs}"', body)
    assert 0 < linked < pairs
    assert cells[("CHN", "KOR")] == cells[("CHN", "JPN")] == "yes"


def test_a_large_bloc_states_its_pair_count_without_a_matrix(client: Client) -> None:
    body = client.get("/blocs/BRI_COOP/?economy=CHN&as_of=2021-08-31").content.decode()
    assert not pair_cells(body)
    match = re.search(r'data-testid="pairs" data-linked="(\d+)" data-pairs="(\d+)"', body)
    assert match and 0 < int(match.group(1)) < int(match.group(2))
