"""AEO programmes: loaded from data/ (programmes.csv, programme_counts.csv), in the full download,
edited in the admin, and shown on each economy's page with their confidence and sources; a
low-confidence count is marked unverified and never shown as a fact."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from agreements import versioning
from agreements.models import Economy, Programme, ProgrammeCount
from agreements.reference import ReferenceDataError, load_reference

pytestmark = pytest.mark.django_db

DATA = Path(settings.BASE_DIR) / "data"


def reference_rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def section(client: Client, url: str) -> str:
    html = client.get(url).content.decode()
    start = html.index('data-testid="programme"')
    return html[start : html.index("</section>", start)]


def test_the_fifty_programmes_and_their_counts_are_loaded() -> None:
    assert Programme.objects.count() == len(reference_rows("programmes.csv")) == 50
    assert ProgrammeCount.objects.count() == len(reference_rows("programme_counts.csv"))
    korea = Programme.objects.get(economy="KOR")
    assert korea.native_name == "수출입 안전관리 우수업체 (AEO) 공인제도"
    assert (korea.launched_date, korea.launched_precision) == (dt.date(2009, 4, 1), "month")
    count = korea.counts.get()
    assert (count.operators, count.as_of_date, count.confidence) == (837, dt.date(2020, 11, 26), "high")
    eu = ProgrammeCount.objects.get(programme="EUU", as_of_date=dt.date(2015, 12, 31))
    assert (eu.operators, eu.qualifier) == (14000, "more_than")
    turkey = ProgrammeCount.objects.get(programme="TUR")
    assert (turkey.as_of_date, turkey.as_of_precision) == (dt.date(2024, 6, 30), "by")  # "2024 (H1)"


def test_loading_the_programmes_again_changes_nothing() -> None:
    version = versioning.current_version()
    report = load_reference(DATA)
    assert not report.changed
    assert report.unchanged["programmes"] == 50
    assert report.unchanged["programme counts"] == ProgrammeCount.objects.count()
    assert versioning.current_version() == version


def test_the_full_download_has_the_programme_files_byte_for_byte(client: Client) -> None:
    content = client.get("/data/aeo-registry-data.zip").getvalue()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in ("programmes.csv", "programme_counts.csv"):
            assert archive.read(f"aeo-registry-data/{name}") == (DATA / name).read_bytes(), name


def test_a_count_for_an_economy_without_a_programme_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    for path in DATA.glob("*.csv"):
        (folder / path.name).write_bytes(path.read_bytes())
    with (folder / "programme_counts.csv").open("a", encoding="utf-8") as handle:
        handle.write("ARG,2020-01-01,day,5,exact,,high,\n")
        handle.write("KOR,2021-01-01,day,12,roughly,,certain,\n")
    with pytest.raises(ReferenceDataError) as raised:
        load_reference(folder)
    problems = "\n".join(raised.value.problems)
    assert "programme_counts.csv:43: no programme of economy 'ARG'" in problems
    assert "programme_counts.csv:44: qualifier 'roughly' is not one of" in problems


def test_the_economy_page_shows_the_programme_with_confidence_and_sources(client: Client) -> None:
    html = section(client, "/economies/KOR/")
    assert "Korea AEO Program (AAA/AA/A grades)" in html
    assert "수출입 안전관리 우수업체 (AEO) 공인제도" in html
    assert '<time datetime="2009-04">' in html
    assert "Art. 255-2 Customs Act" in html
    assert 'data-confidence="high"' in html
    assert '<a href="http://www.koreaherald.com/view.php?ud=20201125001092" rel="noopener">' in html
    assert re.search(r'data-testid="latest-count">837 certified operators on 2020-11-26', html)
    assert '<tr data-verified="true">' in html and 'data-verified="false"' not in html


def test_a_qualified_count_is_shown_as_its_source_states_it(client: Client) -> None:
    html = section(client, "/economies/EUU/")
    assert "more than 14,000 certified operators on 2015-12-31" in html
    assert "<td>13,821</td>" in html


def test_every_low_confidence_count_is_marked_unverified_and_never_the_headline(client: Client) -> None:
    low = [row for row in reference_rows("programme_counts.csv") if row["confidence"] == "low"]
    assert {row["economy"] for row in low} >= {"JPN", "AUS", "THA", "ZAF"}
    for row in low:
        html = section(client, f"/economies/{row['economy']}/")
        figure = f"{int(row['operators']):,}"
        assert f'<strong>unverified</strong> <span class="muted">({figure})' in html or (
            f'<strong>unverified</strong> <span class="muted">(about {figure})' in html
        ), row["economy"]
        assert f"<td>{figure}</td>" not in html
        headline = re.search(r'data-testid="latest-count">([^<]*)<', html)
        assert headline is None or figure not in headline.group(1), row["economy"]


def test_a_low_confidence_programme_is_marked_unverified(client: Client) -> None:
    html = section(client, "/economies/NOR/")
    assert 'data-testid="programme-unverified"' in html
    assert "No dated count of certified operators found." in html
    assert 'data-testid="programme-unverified"' not in section(client, "/economies/KOR/")


def test_an_economy_without_a_programme_says_so(client: Client) -> None:
    economy = Economy.objects.filter(programme__isnull=True).order_by("code").first()
    assert economy is not None
    assert "No AEO programme recorded." in section(client, f"/economies/{economy.code}/")


def test_the_chinese_page_shows_the_programme_in_chinese(client: Client) -> None:
    html = section(client, "/zh-hans/economies/JPN/")
    assert "AEO 制度" in html and "启动时间" in html and "可信度" in html
    assert "<strong>未经核实</strong>" in html
    assert "中" in re.search(r'data-confidence="medium">([^<]*)<', html).group(1)  # type: ignore[union-attr]


def test_a_count_added_in_the_admin_shows_on_the_economy_page(admin_client: Client, client: Client) -> None:
    version = versioning.current_version()
    assert "4,321" not in section(client, "/economies/CAN/")  # and the page is cached
    change = reverse("admin:agreements_programme_change", args=["CAN"])
    page = admin_client.get(change)
    assert page.status_code == 200
    prefix = page.context["inline_admin_formsets"][0].formset.prefix
    programme = Programme.objects.get(economy="CAN")
    data = {
        "economy": "CAN",
        "name": programme.name,
        "native_name": programme.native_name,
        "launched_date": programme.launched_date.isoformat() if programme.launched_date else "",
        "launched_precision": programme.launched_precision,
        "legal_basis": programme.legal_basis,
        "sources": programme.sources,
        "confidence": programme.confidence,
        "note": programme.note,
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
        f"{prefix}-0-as_of_date": "2025-01-31",
        f"{prefix}-0-as_of_precision": "day",
        f"{prefix}-0-operators": "4321",
        f"{prefix}-0-qualifier": "exact",
        f"{prefix}-0-confidence": "high",
        f"{prefix}-0-source": "https://example.org/pip",
        f"{prefix}-0-note": "",
    }
    response = admin_client.post(change, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert versioning.current_version() != version
    html = section(client, "/economies/CAN/")
    assert "4,321 certified operators on 2025-01-31" in html
    assert "certified operators of CAN on 2025-01-31" in client.get("/changes/").content.decode()
