"""The data-quality page (issue 14, item 7): each list against an independent query on the
reference data, its CSV and JSON twins, the API's figures, constant queries, both languages."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.db import connection
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext

from agreements import selectors
from agreements.choices import Evidence, Status
from agreements.models import Arrangement, Source
from bench.synthetic import add_synthetic

pytestmark = pytest.mark.django_db

URL = "/data/quality/"


def _expected_arrangements() -> dict[str, set[str]]:
    """The lists, by a query of their own: sources counted per arrangement in Python."""
    sources: dict[str, list[str]] = {key: [] for key in Arrangement.objects.values_list("key", flat=True)}
    for key, url in Source.objects.values_list("arrangement__key", "url"):
        sources[key].append(url)
    undated = Arrangement.objects.filter(signed_date=None, effective_date=None).exclude(
        status=Status.NEGOTIATING
    )
    return {
        "single_source": {key for key, urls in sources.items() if len(urls) < 2},
        "citations_only": {key for key, urls in sources.items() if urls and not any(urls)},
        # No in-force date, or none known for one of its parties (ASEAN's, for Cambodia).
        "in_force_undated": set(
            Arrangement.objects.filter(status=Status.IN_FORCE, effective_date=None).values_list(
                "key", flat=True
            )
        )
        | set(
            Arrangement.objects.filter(
                status=Status.IN_FORCE, party_links__effective_unknown=True
            ).values_list("key", flat=True)
        ),
        "undated": set(undated.values_list("key", flat=True)),
    }


def _differing_claims() -> set[tuple[str, str, str]]:
    return {(r.claim.key, r.claim.basis, r.claim.metric) for r in selectors.claims_ledger() if not r.match}


def _section_keys(html: str, name: str) -> set[str]:
    section = re.search(rf'<section id="{name}".*?</section>', html, re.S)
    assert section, name
    return set(re.findall(r'<tr data-key="([^"]+)"', section.group(0)))


def _body(response: object) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return response.content  # type: ignore[attr-defined]


def _csv(client: Client, url: str) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = _body(response).decode()
    return list(csv.DictReader(io.StringIO(text)))


def _json(client: Client, url: str) -> dict[str, object]:
    response = client.get(url)
    assert response.status_code == 200, url
    return json.loads(_body(response))


def test_the_reference_data_has_something_in_every_list() -> None:
    assert all(_expected_arrangements().values())
    assert _differing_claims()


@pytest.mark.parametrize("name", ["single_source", "citations_only", "in_force_undated", "undated"])
def test_each_arrangement_list_shows_exactly_the_weak_records_linked_to_their_pages(
    client: Client, name: str
) -> None:
    expected = _expected_arrangements()[name]
    assert len(expected) <= 100  # the page shows a list whole up to 100 rows
    html = client.get(URL).content.decode()
    assert _section_keys(html, name) == expected
    for key in expected:
        assert f'href="/arrangements/{key}/"' in html
    assert f'<span data-testid="count-{name}">{len(expected)}</span>' in html


def test_an_in_force_arrangement_without_a_date_and_an_undated_partner_are_listed(client: Client) -> None:
    html = client.get(URL).content.decode()
    assert "SGP-NZL" in _section_keys(html, "undated")  # in force, no date at all
    assert "HKG-ARE" not in _section_keys(html, "undated")  # still negotiating: no partner yet
    # CHN-KOR-2013 was the example until its sources were found as URLs (December 2026).
    assert "CHN-ECU-2025" in _section_keys(html, "citations_only")
    assert "CHN-KOR-2013" not in _section_keys(html, "citations_only")


def test_the_claims_that_differ_are_those_of_the_ledger(client: Client) -> None:
    html = client.get(URL).content.decode()
    section = re.search(r'<section id="claims_differ".*?</section>', html, re.S)
    assert section
    shown = set(re.findall(r'<tr data-key="([^"]+)" data-metric="([^"]+)"', section.group(0)))
    assert shown == {(key, metric) for key, _, metric in _differing_claims()}
    assert ("GACC-2021-08", "bloc:CEE") in shown


@pytest.mark.parametrize("name", ["single_source", "citations_only", "in_force_undated", "undated"])
def test_each_arrangement_list_downloads_as_csv_and_json_with_the_same_rows(
    client: Client, name: str
) -> None:
    expected = _expected_arrangements()[name]
    rows = _csv(client, f"{URL}?format=csv&list={name}")
    assert {row["key"] for row in rows} == expected
    assert list(rows[0]) == [
        "key", "title", "parties", "parties_name", "signed_date", "signed_precision", "effective_date",
        "effective_precision", "ended_date", "status", "status_name", "evidence", "evidence_name", "sources",
        "notes",
    ]  # fmt: skip
    body = _json(client, f"{URL}?format=json&list={name}")
    assert body["view"] == f"quality-{name.replace('_', '-')}"
    assert body["parameters"] == {"list": name}
    assert body["count"] == len(expected)
    assert [row["key"] for row in body["rows"]] == [row["key"] for row in rows]  # type: ignore[attr-defined]


def test_the_differing_claims_download_as_csv_and_json(client: Client) -> None:
    rows = _csv(client, f"{URL}?format=csv&list=claims_differ")
    assert {(r["key"], r["basis"], r["metric"]) for r in rows} == _differing_claims()
    assert {r["match"] for r in rows} == {"false"}
    body = _json(client, f"{URL}?format=json&list=claims_differ")
    assert body["count"] == len(rows)
    assert [r["key"] for r in body["rows"]] == [r["key"] for r in rows]  # type: ignore[attr-defined]


def test_a_download_names_its_list_in_the_file_name(client: Client) -> None:
    response = client.get(f"{URL}?format=csv&list=in_force_undated")
    assert re.search(
        r'filename="quality-in-force-undated-\d{4}-\d\d-\d\d\.csv"', response["Content-Disposition"]
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [("format=csv", "Choose a list"), ("format=json&list=nope", "nope"), ("format=pdf&list=undated", "pdf")],
)
def test_a_download_without_a_known_list_or_format_is_a_400(client: Client, query: str, message: str) -> None:
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_page_links_every_download(client: Client) -> None:
    html = client.get(URL).content.decode()
    for name in ["single_source", "citations_only", "in_force_undated", "undated", "claims_differ"]:
        assert f'href="?format=csv&amp;list={name}"' in html
        assert f'href="?format=json&amp;list={name}"' in html


def test_the_data_page_links_the_quality_page(client: Client) -> None:
    assert f'href="{URL}"' in client.get("/data/").content.decode()


def test_the_api_gives_the_pages_figures(client: Client) -> None:
    body = _json(client, "/api/v1/quality")
    expected = _expected_arrangements()
    assert body["lists"] == {
        **{name: len(keys) for name, keys in expected.items()},
        "claims_differ": len(_differing_claims()),
    }
    assert body["arrangements"] == Arrangement.objects.count()
    assert body["by_evidence"] == {
        level: Arrangement.objects.filter(evidence=level).count() for level in Evidence.values
    }
    assert body["citation_sources"] == Source.objects.filter(url="").count()
    for field, key in (("signed", "signed_precision"), ("effective", "in_force_precision")):
        grouped = dict(
            Arrangement.objects.filter(**{f"{field}_date__isnull": False})
            .values_list(f"{field}_precision")
            .annotate(n=Count("id"))
        )
        figures = body[key]
        assert isinstance(figures, dict)
        assert {p: n for p, n in figures.items() if n and p != "none"} == grouped
        assert figures["none"] == Arrangement.objects.filter(**{f"{field}_date": None}).count()


def test_the_page_shows_the_counts_by_evidence_and_precision(client: Client) -> None:
    html = client.get(URL).content.decode()
    confirmed = Arrangement.objects.filter(evidence=Evidence.CONFIRMED).count()
    assert f'<tr data-evidence="confirmed"><th scope="row">Confirmed</th><td>{confirmed}</td></tr>' in html
    in_force_day = Arrangement.objects.filter(
        Q(effective_date__isnull=False), effective_precision="day"
    ).count()
    signed_day = Arrangement.objects.filter(signed_date__isnull=False, signed_precision="day").count()
    assert f'<tr><th scope="row">Day</th><td>{signed_day}</td><td>{in_force_day}</td></tr>' in html


def test_the_page_is_in_chinese_under_zh_hans(client: Client) -> None:
    response = client.get(f"/zh-hans{URL}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>数据质量</h1>" in html
    assert "已生效但无生效日期" in html
    assert _section_keys(html, "in_force_undated") == _expected_arrangements()["in_force_undated"]


def test_unknown_parameters_are_dropped_and_the_page_is_cached(client: Client) -> None:
    first = client.get(f"{URL}?utm=1")
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as context:
        assert client.get(URL).status_code == 200
    assert len(context.captured_queries) <= 2  # the data version check at most


def test_a_long_list_shows_its_first_hundred_and_the_download_has_all(client: Client) -> None:
    add_synthetic(scale=10)
    single = _expected_arrangements()["single_source"]
    assert len(single) > 100
    html = client.get(URL).content.decode()
    assert len(_section_keys(html, "single_source")) == 100
    assert f"The first 100 of {len(single)}" in html
    assert {row["key"] for row in _csv(client, f"{URL}?format=csv&list=single_source")} == single
