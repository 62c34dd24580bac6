"""Compare (issue 13, item 4): up to six economies side by side on one day, each with the summary
API's figures, and the partners they share or only one has, computed here from the API."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

URL = "/compare/?economy=CHN&economy=KOR&economy=EUU&as_of=2021-08-31"
CODES = ["CHN", "KOR", "EUU"]


def api(client: Client, code: str) -> dict[str, object]:
    return client.get(f"/api/v1/summary?economy={code}&as_of=2021-08-31").json()


def cells(body: str, measure: str) -> list[str]:
    row = re.search(rf'<tr data-measure="{re.escape(measure)}">(.*?)</tr>', body, re.S)
    assert row, measure
    return re.findall(r"<td>(.*?)</td>", row.group(1))


def codes_in(body: str, testid: str) -> set[str]:
    block = re.search(rf'<p data-testid="{testid}">(.*?)</p>', body, re.S)
    assert block, testid
    return set(re.findall(r'data-code="([^"]+)"', block.group(1)))


def test_each_economy_shows_the_summary_apis_figures(client: Client) -> None:
    body = client.get(URL).content.decode()
    summaries = [api(client, code) for code in CODES]
    assert cells(body, "partner_economies") == [str(s["partner_economies"]) for s in summaries]
    assert cells(body, "partner_countries") == [str(s["partner_countries"]) for s in summaries]
    assert cells(body, "rank_by_countries") == [
        str(s["rank_by_countries"] or "\N{EN DASH}") for s in summaries
    ]
    assert cells(body, "rank_by_economies") == [
        str(s["rank_by_economies"] or "\N{EN DASH}") for s in summaries
    ]
    assert cells(body, "partner_countries")[0] == "46"
    for bloc in summaries[0]["by_bloc"]:  # type: ignore[attr-defined]
        assert cells(body, f"bloc:{bloc}") == [str(s["by_bloc"].get(bloc, 0)) for s in summaries]  # type: ignore[attr-defined]


def test_shared_and_unique_partners_match_an_independent_computation(client: Client) -> None:
    body = client.get(URL).content.decode()
    summaries = {code: api(client, code) for code in CODES}
    for kind, key in (("economies", "partners"), ("countries", "countries")):
        sets = {code: set(s[key]) for code, s in summaries.items()}  # type: ignore[call-overload]
        assert codes_in(body, f"shared-{kind}") == sets["CHN"] & sets["KOR"] & sets["EUU"]
        for code in CODES:
            others = set().union(*(sets[o] for o in CODES if o != code))
            assert codes_in(body, f"only-{kind}-{code}") == sets[code] - others


def test_the_race_shows_exactly_the_chosen_economies(client: Client) -> None:
    body = client.get(URL).content.decode()
    figure = re.search(
        r'<script id="race-economies-figure" type="application/json">(.*?)</script>', body, re.S
    )
    assert figure
    names = re.findall(r'"name": ?"[^"]*\(([A-Z]{3})\)"', figure.group(1))
    assert names == CODES


def test_without_a_choice_the_three_leaders_by_countries_are_compared(client: Client) -> None:
    body = client.get("/compare/?as_of=2021-08-31").content.decode()
    ranking = client.get("/api/v1/ranking?as_of=2021-08-31&by=countries").json()
    leaders = [row["economy"] for row in ranking["results"]][:3]
    shown = re.findall(r'<th scope="col" data-economy="([A-Z]{3})">', body)
    assert shown == leaders == ["CHN", "USA", "JPN"]


def test_more_than_six_or_unknown_economies_are_refused(client: Client) -> None:
    seven = "&".join(f"economy={c}" for c in ["CHN", "KOR", "EUU", "USA", "JPN", "SGP", "HKG"])
    response = client.get(f"/compare/?{seven}")
    assert response.status_code == 400 and "at most 6" in response.content.decode()
    assert client.get("/compare/?economy=XXX").status_code == 400
    assert client.get("/zh-hans/" + URL.lstrip("/")).status_code == 200
