"""The site in English at / and in Simplified Chinese at /zh-hans/: pages, redirects, switcher,
exports, charts, and a catalogue that translates every message."""

# Chinese text keeps its own full-width punctuation (colon, brackets), on purpose.
# ruff: noqa: RUF001

from __future__ import annotations

import csv
import datetime as dt
import gettext
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from agreements import selectors
from agreements.choices import Evidence, Status
from dashboard import charts

pytestmark = pytest.mark.django_db

CHINA_2021 = "economy=CHN&as_of=2021-08-31"
CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def html_of(client: Client, url: str, **headers: str) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return response.content.decode()


def test_chinese_dashboard_shows_the_figures_with_chinese_labels_and_bloc_names(client: Client) -> None:
    html = html_of(client, f"/zh-hans/?{CHINA_2021}")
    assert '<html lang="zh-hans">' in html
    assert re.search(r'data-testid="partner-countries">46<', html)
    assert re.search(r'data-testid="partner-economies">20<', html)
    assert "伙伴国家和地区" in html and "伙伴经济体" in html
    assert "一带一路沿线国家" in html and "区域全面经济伙伴关系协定" in html
    assert "(RCEP) (RCEP)" not in html and '共建"一带一路"' not in html
    assert "截至<strong>2021年8月31日</strong>" in html
    assert "经认证的经营者（AEO）互认：中国" in html


def test_english_dashboard_is_unchanged_at_the_root(client: Client) -> None:
    html = html_of(client, f"/?{CHINA_2021}")
    assert '<html lang="en">' in html
    assert "Partner countries and regions" in html
    assert "As of <strong>2021-08-31</strong>" in html
    assert "伙伴" not in html.split('<nav class="language-switcher"')[0]


def test_every_page_has_a_switcher_that_keeps_the_path_and_query_string(client: Client) -> None:
    html = html_of(client, f"/partners/?{CHINA_2021}&bloc=RCEP")
    switch = re.search(r'<a href="([^"]+)" hreflang="zh-hans" lang="zh-hans"', html)
    assert switch
    assert switch.group(1).replace("&amp;", "&") == f"/zh-hans/partners/?{CHINA_2021}&bloc=RCEP"
    assert '<link rel="alternate" hreflang="en" href="/partners/?' in html
    back = re.search(r'<a href="([^"]+)" hreflang="en" lang="en"', html_of(client, f"/zh-hans/?{CHINA_2021}"))
    assert back and back.group(1).replace("&amp;", "&") == f"/?{CHINA_2021}"


def test_links_of_the_former_switch_view_still_go_to_their_page(client: Client) -> None:
    response = client.get("/i18n/zh-hans/", {"next": f"/zh-hans/ranking/?{CHINA_2021}"})
    assert response.status_code == 302
    assert response["Location"] == f"/zh-hans/ranking/?{CHINA_2021}"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_the_switch_view_refuses_to_send_visitors_elsewhere(client: Client) -> None:
    response = client.get("/i18n/zh-hans/", {"next": "https://evil.example/"})
    assert response["Location"] == "/zh-hans/"
    assert client.get("/i18n/fr/", {"next": "/"}).status_code == 404


@pytest.mark.parametrize(
    "headers",
    [{"accept-language": "zh-CN,zh;q=0.9,en;q=0.8"}, {"cookie": f"{settings.LANGUAGE_COOKIE_NAME}=zh-hans"}],
)
def test_an_english_url_answers_english_whatever_the_browser_prefers(
    client: Client, headers: dict[str, str]
) -> None:
    """Issue 15: a link sent by an English reader opens in English for everyone."""
    response = client.get(f"/ranking/?{CHINA_2021}", headers=headers)
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()
    chinese = client.get(f"/zh-hans/ranking/?{CHINA_2021}", headers={"accept-language": "en-GB"})
    assert chinese.status_code == 200 and '<html lang="zh-hans">' in chinese.content.decode()


def test_the_home_page_offers_the_chinese_site_as_a_link_never_a_redirect(client: Client) -> None:
    response = client.get("/", headers={"accept-language": "zh-CN"})
    assert response.status_code == 200
    suggestion = re.search(
        r'<p class="language-suggestion"[^>]*hidden[^>]*><a href="([^"]+)"', response.content.decode()
    )
    assert suggestion and suggestion.group(1) == "/zh-hans/"
    assert "language-suggestion" not in html_of(client, "/zh-hans/")
    assert "language-suggestion" not in html_of(client, f"/ranking/?{CHINA_2021}")


def test_api_admin_health_and_data_zip_stay_outside_the_language_prefix(client: Client) -> None:
    chinese = {"accept-language": "zh-CN"}
    summary = client.get(f"/api/v1/summary?{CHINA_2021}", headers=chinese)
    assert summary.status_code == 200
    assert summary.json()["partner_countries"] == 46
    assert client.get("/healthz", headers=chinese).status_code in (200, 503)
    assert client.get("/data/aeo-registry-data.zip", headers=chinese).status_code == 200
    assert client.get(f"/zh-hans/api/v1/summary?{CHINA_2021}").status_code == 404
    assert client.get(f"/{settings.ADMIN_PATH}", headers=chinese).status_code == 302  # to login
    assert "/zh-hans/" not in client.get(f"/{settings.ADMIN_PATH}", headers=chinese)["Location"]


def test_chinese_csv_keeps_english_keys_and_codes_with_chinese_names(client: Client) -> None:
    response = client.get(f"/zh-hans/partners/?{CHINA_2021}&format=csv")
    assert response.status_code == 200
    text = response.getvalue().decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 46
    hong_kong = next(row for row in rows if row["territory"] == "HKG")
    assert hong_kong["territory_name"] == "中国香港"
    assert hong_kong["economy"] == "HKG"
    assert hong_kong["evidence"] in Evidence.values
    assert hong_kong["evidence_name"] in {"已确认", "有报道", "推断"}
    english = client.get(f"/partners/?{CHINA_2021}&format=csv")
    assert english.getvalue().decode().splitlines()[0] == text.splitlines()[0]


def test_chinese_map_hover_text_and_race_axes() -> None:
    with translation.override("zh-hans"):
        chinese = selectors.overview(
            economy="CHN", day=dt.date(2021, 8, 31), basis="signed", evidence="inferred"
        )
        figure = charts.partner_map(chinese)
        race = charts.race_chart(
            selectors.race(economy="CHN", day=dt.date(2021, 8, 31), basis="signed", evidence="inferred"),
            "countries",
        )
    shapes = next(t for t in figure["data"] if t["meta"]["role"] == "partner-shapes")
    brazil = shapes["hovertext"][shapes["locations"].index("BRA")]
    assert "<b>巴西</b> (BRA)" in brazil
    assert "经济体：巴西（BRA）" in brazil
    assert "签署：2019年10月25日" in brazil
    assert "生效：2022年1月1日" in brazil
    assert shapes["colorbar"]["title"]["text"] == "签署年份"
    assert race["layout"]["yaxis"]["title"]["text"] == "伙伴国家和地区"
    assert race["layout"]["xaxis"]["title"]["text"] == "日期"


def test_statuses_evidence_and_form_errors_are_translated(client: Client) -> None:
    with translation.override("zh-hans"):
        assert str(Status.IN_FORCE.label) == "已生效"
        assert str(Status.NEGOTIATING.label) == "谈判中"
        assert str(Status.ENDED.label) == "已终止"
        assert [str(label) for label in Evidence.labels] == ["已确认", "有报道", "推断"]
    response = client.get("/zh-hans/?economy=XXX")
    assert response.status_code == 400
    assert "未知的经济体 &#x27;XXX&#x27;。" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/zh-hans/partners/?economy=CHN&as_of=2021-08-31&bloc=RCEP",
        "/zh-hans/ranking/?as_of=2021-08-31",
        "/zh-hans/claims/",
        "/zh-hans/how-we-count/",
        "/zh-hans/arrangements/?party=CHN",
        "/zh-hans/arrangements/CHN-BRA-2019/",
        "/zh-hans/economies/",
        "/zh-hans/economies/EUU/",
        "/zh-hans/territories/",
        "/zh-hans/territories/HKG/",
        "/zh-hans/blocs/",
        "/zh-hans/blocs/RCEP/",
        "/zh-hans/data/",
    ],
)
def test_every_chinese_page_renders_in_chinese(client: Client, path: str) -> None:
    html = html_of(client, path)
    assert '<html lang="zh-hans">' in html
    assert "AEO 互认登记簿" in html


def test_catalogue_entries_of_names_dates_and_territories_on_detail_pages(client: Client) -> None:
    html = html_of(client, "/zh-hans/territories/HKG/")
    assert "<h1>中国香港 (HKG)</h1>" in html
    html = html_of(client, "/zh-hans/economies/EUU/")
    assert "<h1>欧盟 (EUU)</h1>" in html
    html = html_of(client, "/zh-hans/blocs/CEE/")
    assert "<h1>中国—中东欧国家合作 (CEE)</h1>" in html


def _msgids(mo: Path) -> dict[str, str]:
    """Every message of a compiled catalogue, plural forms folded into their singular msgid."""
    with mo.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    messages: dict[str, str] = {}
    for key, value in catalog.items():
        msgid = key[0] if isinstance(key, tuple) else key
        if msgid:
            messages[msgid] = messages.get(msgid) or value
    return messages


def test_every_message_has_a_chinese_translation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: object
) -> None:
    """Extract the messages afresh with makemessages from a copy of the sources, and require a
    non-empty, non-fuzzy Chinese translation of each in the committed catalogue."""
    base = Path(settings.BASE_DIR)  # type: ignore[attr-defined]
    source = tmp_path / "src"
    skip = {".venv", "var", "locale", "tests", "bench", "node_modules"}
    for child in base.iterdir():
        if child.is_dir() and not child.name.startswith(".") and child.name not in skip:
            shutil.copytree(
                child,
                source / child.name,
                ignore=lambda folder, names: [
                    n for n in names if not (Path(folder, n).is_dir() or n.endswith((".py", ".html", ".txt")))
                ],
            )
    (source / "locale").mkdir()
    monkeypatch.chdir(source)
    settings.LOCALE_PATHS = [source / "locale"]  # type: ignore[attr-defined]
    call_command("makemessages", locale=["zh_Hans"], verbosity=0, no_obsolete=True)
    fresh = source / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    # msgen fills every msgstr with its msgid, so msgfmt keeps every message of the fresh extract;
    # msgfmt drops fuzzy and untranslated entries of the committed catalogue.
    subprocess.run(["msgen", "-o", str(tmp_path / "en.po"), str(fresh)], check=True)
    subprocess.run(["msgfmt", "-o", str(tmp_path / "en.mo"), str(tmp_path / "en.po")], check=True)
    subprocess.run(["msgfmt", "--check", "-o", str(tmp_path / "zh.mo"), str(CATALOGUE)], check=True)
    wanted = _msgids(tmp_path / "en.mo")
    translated = {msgid for msgid, text in _msgids(tmp_path / "zh.mo").items() if text.strip()}
    missing = sorted(set(wanted) - translated)
    assert len(wanted) > 200
    assert not missing, "No Chinese translation in locale/zh_Hans/LC_MESSAGES/django.po for:\n" + "\n".join(
        missing
    )
