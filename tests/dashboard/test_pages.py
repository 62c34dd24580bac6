"""The dashboard, partners, ranking, claims and "How we count" pages, rendered on the server."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

CHINA_2021 = "economy=CHN&as_of=2021-08-31&basis=signed&evidence=inferred"


def figure(html: str, element_id: str) -> dict:
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, f"no json_script {element_id}"
    return json.loads(match.group(1))


def test_dashboard_shows_chinas_headline_figures_with_ranks(client: Client) -> None:
    response = client.get(f"/?{CHINA_2021}")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'data-testid="partner-countries">46<', html)
    assert re.search(r'data-testid="partner-economies">20<', html)
    assert re.search(r'data-testid="rank-countries">1<', html)
    assert re.search(r'data-testid="rank-economies">2<', html)
    for code, count in {"BRI": 19, "BRI_COOP": 30, "CEE": 12, "RCEP": 5}.items():
        assert re.search(rf'data-testid="bloc-{code}">{count}<', html)


def test_dashboard_defaults_to_china_today(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert 'value="CHN" selected' in response.content.decode()


def test_dashboard_map_places_every_partner_as_a_shape_or_a_marker(client: Client) -> None:
    html = client.get(f"/?{CHINA_2021}").content.decode()
    data = figure(html, "map-figure")
    shapes = set(data["data"][1]["locations"])
    markers = set(data["data"][2]["customdata"])
    assert len(shapes | markers) == 46
    assert {"SGP", "HKG", "MLT", "LUX"} <= markers
    assert data["data"][0]["locations"] == ["CHN"]
    assert data["meta"]["partners"] == 46
    assert "Arrangement:" in data["data"][1]["hovertext"][0]


def test_dashboard_race_compares_china_with_five_leaders(client: Client) -> None:
    html = client.get(f"/?{CHINA_2021}").content.decode()
    traces = figure(html, "race-countries-figure")["data"]
    assert len(traces) == 6
    assert traces[0]["name"] == "China (CHN)"
    assert traces[0]["y"][-1] == 46
    assert traces[0]["x"][-1] == "2021-08-31"
    assert figure(html, "race-economies-figure")["data"][0]["y"][-1] == 20


@pytest.mark.parametrize(
    "query", ["economy=XYZ", "as_of=2021-02-30", "basis=maybe", "evidence=%3Cscript%3E", "as_of=" + "9" * 300]
)
def test_dashboard_answers_a_bad_parameter_with_a_form_error(client: Client, query: str) -> None:
    response = client.get(f"/?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "<script>" not in html.split("</head>")[1]


def test_partners_in_rcep_are_exactly_five(client: Client) -> None:
    html = client.get(f"/partners/?{CHINA_2021}&bloc=RCEP").content.decode()
    assert re.findall(r'<tr data-territory="(\w+)"', html) == ["AUS", "JPN", "KOR", "NZL", "SGP"]


def test_partners_lists_one_row_per_partner_territory(client: Client) -> None:
    html = client.get(f"/partners/?{CHINA_2021}").content.decode()
    rows = re.findall(r'<tr data-territory="(\w+)"', html)
    assert len(rows) == len(set(rows)) == 46


def test_partners_rejects_an_unknown_bloc(client: Client) -> None:
    response = client.get(f"/partners/?{CHINA_2021}&bloc=NATO")
    assert response.status_code == 400
    assert "Unknown bloc" in response.content.decode()


def test_ranking_page_shows_both_measures_side_by_side(client: Client) -> None:
    html = client.get("/ranking/?as_of=2021-08-31").content.decode()
    countries = html.split('id="ranking-countries"')[1].split("</table>")[0]
    economies = html.split('id="ranking-economies"')[1].split("</table>")[0]
    assert re.findall(r'data-economy="(\w+)"', countries)[:3] == ["CHN", "USA", "JPN"]
    assert re.findall(r'data-economy="(\w+)"', economies)[:2] == ["KOR", "CHN"]


def test_claims_ledger_highlights_exactly_five_differences_with_notes(client: Client) -> None:
    html = client.get("/claims/").content.decode()
    assert html.count('class="difference"') == 5
    assert html.count('class="match"') == 34
    assert "still counts Lithuania" in html.lower() or "Still counts Lithuania" in html
    assert '?economy=CHN&amp;as_of=2021-08-31&amp;basis=signed"' in html


def test_how_we_count_publishes_the_rules(client: Client) -> None:
    html = client.get("/how-we-count/").content.decode()
    assert "partner countries and regions" in html
    assert "ties share a" in html


def test_an_unknown_economy_shows_its_error_with_no_economy_preselected(client: Client) -> None:
    response = client.get("/?economy=XXX&as_of=2021-08-31")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Unknown economy" in html
    select = re.search(r'<select name="economy".*?</select>', html, re.S)
    assert select is not None
    assert re.findall(r'<option value="([^"]*)" selected>', select[0]) == [""]


def test_the_economies_list_says_its_arrangement_column_counts_every_status(client: Client) -> None:
    """The column counts records of every status, negotiating included, so it says so."""
    html = client.get("/economies/").content.decode()
    assert "Arrangement records, any status" in html


@pytest.mark.parametrize(
    "path",
    [
        "/?economy=CHN",
        "/partners/?economy=CHN",
        "/ranking/",
        "/arrangements/",
        "/territories/FRA/",
        "/economies/CHN/",
    ],
)
def test_every_date_box_is_a_date_input_and_no_help_text_asks_for_another_format(
    client: Client, path: str
) -> None:
    """Issue 13: the box shows the browser's date picker, so no text asks for YYYY-MM-DD."""
    html = client.get(path).content.decode()
    for tag in re.findall(r'<input[^>]*name="(?:as_of|signed_after|signed_before|in_force_on)"[^>]*>', html):
        assert 'type="date"' in tag, tag
    assert "YYYY-MM-DD" not in html.split("<main", 1)[1].replace(
        'data-incomplete="Enter a complete date (YYYY-MM-DD).', ""
    )
