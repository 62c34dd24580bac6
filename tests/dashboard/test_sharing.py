"""Leaving the site with a view (issue 15): "Cite this view" and the chart captions.

The citation of a view states its permanent URL with an explicit `as_of`, the data version and the
access date; its BibTeX and RIS are read back with well-kept parsers (bibtexparser, rispy)."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from typing import Any

import bibtexparser
import pytest
import rispy
from django.test import Client
from django.utils import timezone

from agreements.versioning import current_version
from dashboard.citation import Citation, bibtex_key

pytestmark = pytest.mark.django_db

DASHBOARD = "/?economy=CHN&as_of=2021-08-31"


def _pre(body: str, element_id: str) -> str:
    match = re.search(rf'<pre[^>]* id="{element_id}"[^>]*>(.*?)</pre>', body, re.S)
    assert match, element_id
    return html.unescape(match.group(1))


def test_the_dashboards_citation_states_the_url_with_as_of_the_data_version_and_the_access_date(
    client: Client,
) -> None:
    body = client.get(DASHBOARD).content.decode()
    version = current_version()
    today = timezone.localdate()
    url = _pre(body, "cite-url")
    assert url.startswith("http://localhost/?")
    assert "economy=CHN" in url and "as_of=2021-08-31" in url
    assert "basis=signed" in url and "evidence=inferred" in url  # the defaults made explicit
    apa = _pre(body, "cite-apa")
    assert apa.startswith(f"AEO Registry. ({today.year}). China as of ")
    assert f"(Data version {version}) [Data set]" in apa and url in apa

    library = bibtexparser.parse_string(_pre(body, "cite-bibtex"))
    assert not library.failed_blocks
    (entry,) = library.entries
    assert entry.entry_type == "misc"
    assert entry["url"] == url
    assert entry["version"] == version
    assert entry["urldate"] == today.isoformat()
    assert entry["title"] == "{China as of 2021-08-31}"

    (record,) = rispy.loads(_pre(body, "cite-ris"))
    assert record["type_of_reference"] == "DATA"
    assert record["urls"] == [url]
    assert record["title"] == "China as of 2021-08-31"
    assert record["access_date"] == today.strftime("%Y/%m/%d")
    assert record["edition"] == f"Data version {version}"


def test_a_view_without_as_of_in_its_url_is_cited_with_todays_date(client: Client) -> None:
    body = client.get("/ranking/").content.decode()
    assert f"as_of={timezone.localdate().isoformat()}" in _pre(body, "cite-url")


def test_the_citation_keeps_the_pages_language_and_leaves_out_the_file_format(client: Client) -> None:
    body = client.get("/zh-hans/partners/?economy=KOR&as_of=2020-01-01&bloc=RCEP").content.decode()
    url = _pre(body, "cite-url")
    assert url.startswith("http://localhost/zh-hans/partners/?")
    assert "bloc=RCEP" in url and "economy=KOR" in url and "as_of=2020-01-01" in url
    assert "引用此视图" in body


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/partners/",
        "/ranking/",
        "/claims/",
        "/arrangements/",
        "/arrangements/CHN-KOR-2013/",
        "/economies/",
        "/economies/CHN/",
        "/territories/",
        "/territories/FRA/",
        "/blocs/",
        "/blocs/RCEP/",
    ],
)
def test_every_page_with_figures_has_a_citation(client: Client, path: str) -> None:
    body = client.get(path).content.decode()
    assert 'id="cite"' in body
    assert not bibtexparser.parse_string(_pre(body, "cite-bibtex")).failed_blocks
    assert rispy.loads(_pre(body, "cite-ris"))


def test_odd_titles_still_give_bibtex_that_parses() -> None:
    citation = Citation(
        title="Odd {name} with \\ and % & # _ ~ ^ $ and 中文",
        url="https://example.org/?a=1&b=%7B",
        data_version="12",
        accessed=dt.date(2026, 12, 5),
        key=bibtex_key("odd path/with spaces", "CHN"),
    )
    library = bibtexparser.parse_string(citation.bibtex())
    assert not library.failed_blocks
    (entry,) = library.entries
    assert entry.key == "aeo-registry-oddpathwithspaces-CHN"
    assert "中文" in entry["title"]
    (record,) = rispy.loads(citation.ris())
    assert record["title"] == "Odd {name} with \\ and % & # _ ~ ^ $ and 中文"


def test_each_chart_offers_png_and_svg_with_a_caption_that_says_what_it_shows(client: Client) -> None:
    body = client.get(DASHBOARD).content.decode()
    tools = re.findall(r'<p class="chart-downloads" ([^>]*)>', body)
    charts: dict[str, dict[str, str]] = {}
    for attributes in tools:
        values = {k: html.unescape(v) for k, v in re.findall(r'(data-[\w-]+)="([^"]*)"', attributes)}
        charts[values["data-chart-downloads"]] = values
    assert set(charts) == {"map", "race-countries", "race-economies"}
    note = charts["map"]["data-note"]
    assert note.startswith("As of 2021-08-31 · Signed basis · Inferred evidence and stronger\n")
    assert "Source: AEO Registry, http://localhost/?economy=CHN&as_of=2021-08-31" in note
    assert f"data version {current_version()}" in note
    assert charts["map"]["data-filename"] == "map-CHN-2021-08-31"
    assert "46 partner territories of China" in charts["map"]["data-title"]


def test_chinese_chart_files_carry_the_language_in_their_name(client: Client) -> None:
    body = client.get("/zh-hans" + DASHBOARD).content.decode()
    assert 'data-filename="map-CHN-2021-08-31.zh-hans"' in body


def test_the_content_security_policy_allows_data_and_blob_images_for_the_downloads_only(
    client: Client, settings: Any
) -> None:
    policy = client.get(DASHBOARD)["Content-Security-Policy"]
    assert "img-src 'self' data: blob:" in policy
    assert "script-src 'self';" in policy or policy.endswith("script-src 'self'")


def _meta(body: str, attribute: str, name: str) -> str:
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', body)
    assert match, name
    return html.unescape(match.group(1))


def test_the_description_states_the_figures_in_words(client: Client) -> None:
    body = client.get(DASHBOARD).content.decode()
    description = _meta(body, "name", "description")
    assert description == (
        "As of 31 August 2021, China has AEO mutual recognition with 46 countries and regions "
        "in 20 economies (signed basis)."
    )
    assert _meta(body, "property", "og:description") == description
    assert "as_of=2021-08-31" in _meta(body, "property", "og:url")
    assert _meta(body, "name", "twitter:card") == "summary_large_image"
    chinese = client.get("/zh-hans" + DASHBOARD).content.decode()
    assert "46" in _meta(chinese, "name", "description") and "20个经济体" in _meta(
        chinese, "name", "description"
    )


@pytest.mark.parametrize("prefix", ["", "/zh-hans"])
def test_the_preview_image_is_a_png_of_the_stated_size_drawn_without_network(
    client: Client, prefix: str
) -> None:
    from PIL import Image

    body = client.get(prefix + DASHBOARD).content.decode()
    image_url = _meta(body, "property", "og:image")
    assert image_url.startswith(f"http://localhost{prefix}/preview.png?")
    width = int(_meta(body, "property", "og:image:width"))
    height = int(_meta(body, "property", "og:image:height"))
    response = client.get(image_url.removeprefix("http://localhost"))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG" and image.size == (width, height) == (1200, 630)


def test_a_page_without_an_economy_previews_the_registry(client: Client) -> None:
    from PIL import Image

    body = client.get("/claims/").content.decode()
    assert _meta(body, "property", "og:image") == "http://localhost/preview.png"
    assert Image.open(io.BytesIO(client.get("/preview.png").content)).size == (1200, 630)
    assert client.get("/preview.png?economy=XXX").status_code == 400
    assert client.get("/preview.png?economy=CHN&as_of=0001-01-01").status_code == 400


EMBEDS = [
    "/embed/map/?economy=CHN&as_of=2021-08-31",
    "/embed/race/?economy=CHN&as_of=2021-08-31&measure=economies",
    "/embed/ranking/?as_of=2021-08-31&by=economies",
    "/embed/blocs/RCEP/",
    "/zh-hans/embed/map/?economy=KOR",
]


@pytest.mark.parametrize("url", EMBEDS)
def test_only_the_embeds_may_be_framed_even_when_served_from_the_cache(
    client: Client, url: str, settings: Any
) -> None:
    settings.AEO_PAGE_CACHE_SECONDS = 600
    for _ in range(2):  # a miss, then a hit
        response = client.get(url)
        assert response.status_code == 200
        assert "X-Frame-Options" not in response
        assert response["Content-Security-Policy"].endswith("frame-ancestors *")
        body = response.content.decode()
        assert 'class="embed-source"' in body and "<nav" not in body and 'id="cite"' not in body
    page = client.get("/?economy=CHN&as_of=2021-08-31")
    assert page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]


def test_an_embed_with_bad_parameters_says_so(client: Client) -> None:
    assert client.get("/embed/race/?economy=CHN&measure=bananas").status_code == 400
    assert client.get("/embed/map/?economy=XXX").status_code == 400
    assert client.get("/embed/blocs/NOPE/").status_code == 404


def test_the_embed_snippet_is_text_to_copy_not_a_frame_in_the_page(client: Client) -> None:
    body = client.get("/?economy=CHN&as_of=2021-08-31").content.decode()
    assert "<iframe" not in body
    snippet = _pre(body, "embed-map")
    assert snippet.startswith('<iframe src="http://localhost/embed/map/?economy=CHN&amp;as_of=2021-08-31')
    assert 'height="600"' in snippet
