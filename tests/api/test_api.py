"""The JSON API v1 contract on the reference data."""

from __future__ import annotations

import itertools

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

CHINA_2021_08_31 = {
    "economy": "CHN",
    "as_of": "2021-08-31",
    "basis": "signed",
    "evidence": "inferred",
    "partner_economies": 20,
    "partner_countries": 46,
    "by_bloc": {"BRI": 19, "BRI_COOP": 30, "CEE": 12, "RCEP": 5},
    "rank_by_countries": 1,
    "rank_by_economies": 2,
    "partners": [
        "ARE", "AUS", "BLR", "BRA", "CHE", "CHL", "EUU", "GBR", "HKG", "IRN",
        "ISR", "JPN", "KAZ", "KOR", "MNG", "NZL", "SGP", "SRB", "UGA", "URY",
    ],
    "countries": [
        "ARE", "AUS", "AUT", "BEL", "BGR", "BLR", "BRA", "CHE", "CHL", "CYP", "CZE", "DEU",
        "DNK", "ESP", "EST", "FIN", "FRA", "GBR", "GRC", "HKG", "HRV", "HUN", "IRL", "IRN",
        "ISR", "ITA", "JPN", "KAZ", "KOR", "LTU", "LUX", "LVA", "MLT", "MNG", "NLD", "NZL",
        "POL", "PRT", "ROU", "SGP", "SRB", "SVK", "SVN", "SWE", "UGA", "URY",
    ],
}  # fmt: skip


def test_summary_for_china_on_2021_08_31_is_exactly_the_documented_body(client: Client) -> None:
    response = client.get("/api/v1/summary?economy=CHN&as_of=2021-08-31&basis=signed&evidence=inferred")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == CHINA_2021_08_31
    assert list(response.json()) == list(CHINA_2021_08_31)


def test_summary_defaults_are_signed_basis_all_evidence(client: Client) -> None:
    assert client.get("/api/v1/summary?economy=CHN&as_of=2021-08-31").json() == CHINA_2021_08_31


def test_summary_as_of_defaults_to_today(client: Client) -> None:
    from django.utils import timezone

    body = client.get("/api/v1/summary?economy=chn").json()
    assert body["as_of"] == timezone.localdate().isoformat()
    assert body["economy"] == "CHN"


def test_ranking_by_economies_on_2021_08_31_puts_korea_first_and_china_second(client: Client) -> None:
    body = client.get("/api/v1/ranking?as_of=2021-08-31&by=economies").json()
    assert body["by"] == "economies"
    assert body["results"][:2] == [
        {"economy": "KOR", "name": "Korea, Republic of", "value": 22, "rank": 1},
        {"economy": "CHN", "name": "China", "value": 20, "rank": 2},
    ]


def test_ranking_by_countries_on_2021_08_31_is_china_usa_japan(client: Client) -> None:
    body = client.get("/api/v1/ranking?as_of=2021-08-31&by=countries").json()
    assert [(r["economy"], r["value"], r["rank"]) for r in body["results"][:3]] == [
        ("CHN", 46, 1),
        ("USA", 39, 2),
        ("JPN", 38, 3),
    ]
    assert all(r["value"] > 0 for r in body["results"])
    assert {
        "as_of": "2021-08-31",
        "by": "countries",
        "basis": "signed",
        "evidence": "inferred",
    }.items() <= body.items()


def test_ranking_ties_share_a_rank(client: Client) -> None:
    results = client.get("/api/v1/ranking?as_of=2021-08-31&by=economies").json()["results"]
    for previous, row in itertools.pairwise(results):
        assert row["value"] <= previous["value"]
        if row["value"] == previous["value"]:
            assert row["rank"] == previous["rank"]
        else:
            assert row["rank"] == results.index(row) + 1


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("economy=XYZ", "economy"),
        ("economy=", "economy"),
        ("", "economy"),
        ("economy=CHN&as_of=2021-02-30", "as_of"),
        ("economy=CHN&as_of=31/08/2021", "as_of"),
        ("economy=CHN&as_of=2021-8-31x", "as_of"),
        ("economy=CHN&as_of=99999-01-01", "as_of"),
        ("economy=CHN&basis=ratified", "basis"),
        ("economy=CHN&evidence=rumoured", "evidence"),
        ("economy=" + "C" * 5000, "economy"),
        ("economy=%00%27%3B--", "economy"),
    ],
)
def test_a_bad_summary_parameter_is_a_400_naming_it(client: Client, query: str, parameter: str) -> None:
    response = client.get(f"/api/v1/summary?{query}")
    assert response.status_code == 400
    body = response.json()
    assert parameter in body["parameters"]
    assert body["errors"][parameter]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [("by=happiness", "by"), ("as_of=2021-13-01", "as_of"), ("basis=x", "basis"), ("evidence=", None)],
)
def test_a_bad_ranking_parameter_is_a_400_naming_it(
    client: Client, query: str, parameter: str | None
) -> None:
    response = client.get(f"/api/v1/ranking?{query}")
    if parameter is None:  # an empty value means the default
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert response.json()["parameters"] == [parameter]


READ_ONLY_ENDPOINTS = ["/api/v1/summary?economy=CHN", "/api/v1/ranking", "/api/v1/claims"]


@pytest.mark.parametrize("url", READ_ONLY_ENDPOINTS)
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "TRACE", "BREW"])
def test_the_read_only_endpoints_answer_405_in_json_to_any_other_method(url: str, method: str) -> None:
    # With the CSRF checks a browser or curl meets: a POST must not be taken for a forged form.
    strict = Client(HTTP_HOST="localhost", enforce_csrf_checks=True)
    response = strict.generic(method, url, b"{}", content_type="application/json")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "error": "method not allowed",
        "method": method,
        "allowed": ["GET", "HEAD", "OPTIONS"],
    }


@pytest.mark.parametrize("url", READ_ONLY_ENDPOINTS)
def test_the_read_only_endpoints_answer_head_and_options(client: Client, url: str) -> None:
    head = client.head(url)
    assert head.status_code == 200 and head["Content-Type"] == "application/json"
    options = client.options(url)
    assert options.status_code == 200
    assert options["Allow"] == "GET, HEAD, OPTIONS"


def test_claims_endpoint_lists_claimed_computed_match_and_note(client: Client) -> None:
    body = client.get("/api/v1/claims").json()
    assert (body["count"], body["matches"], body["differences"]) == (39, 34, 5)
    row = next(r for r in body["results"] if r["key"] == "GACC-2021-08" and r["metric"] == "bloc:CEE")
    assert (row["claimed"], row["computed"], row["match"]) == (13, 12, False)
    assert "Lithuania" in row["note"]
