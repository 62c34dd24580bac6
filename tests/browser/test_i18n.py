"""The dashboard in Simplified Chinese in a real browser, and the switch back to English."""

# Chinese text keeps its own full-width punctuation (colon, brackets), on purpose.
# ruff: noqa: RUF001

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import assert_no_axe_violations, screenshot
from tests.browser.test_dashboard import DRAWN_TERRITORIES, wait_for_map

CHINA_2021 = "economy=CHN&as_of=2021-08-31"


def test_chinese_dashboard_figures_blocs_map_hover_and_switch_back_to_english(site: str, page: Page) -> None:
    page.goto(f"{site}/zh-hans/?{CHINA_2021}")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    countries = page.locator(".figure-card", has=page.locator("[data-testid=partner-countries]"))
    economies = page.locator(".figure-card", has=page.locator("[data-testid=partner-economies]"))
    assert countries.locator("[data-testid=partner-countries]").inner_text() == "46"
    assert countries.locator(".figure-label").inner_text() == "伙伴国家和地区"
    assert economies.locator("[data-testid=partner-economies]").inner_text() == "20"
    assert economies.locator(".figure-label").inner_text() == "伙伴经济体"
    blocs = page.locator("#blocs-title + ul.blocs").inner_text()
    assert "一带一路沿线国家" in blocs
    assert "区域全面经济伙伴关系协定" in blocs and "(RCEP) (RCEP)" not in blocs

    wait_for_map(page)
    brazil = page.locator("#map .choroplethlocation").nth(
        page.evaluate(DRAWN_TERRITORIES)["shapes"].index("BRA")
    )
    brazil.hover(force=True)
    page.wait_for_selector("#map .hoverlayer .hovertext", timeout=5_000)
    label = page.locator("#map .hoverlayer").text_content() or ""
    assert "巴西 (BRA)" in label
    assert "经济体：巴西（BRA）" in label
    assert "签署：2019年10月25日" in label
    assert "生效：2022年1月1日" in label
    assert_no_axe_violations(page)
    screenshot(page, "dashboard-zh-hans-chn-2021-08-31")

    page.locator(".language-switcher a[hreflang=en]").click()
    page.wait_for_url(f"{site}/?{CHINA_2021}")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("[data-testid=partner-countries]").inner_text() == "46"
    assert page.locator("[data-testid=partner-economies]").inner_text() == "20"
    assert "Partner countries and regions" in page.locator(".figure-card").first.inner_text()


@pytest.mark.browser_locale("zh-CN")
def test_a_browser_that_prefers_chinese_keeps_english_urls_and_is_offered_the_chinese_home(
    site: str, page: Page
) -> None:
    page.goto(f"{site}/ranking/?as_of=2021-08-31")
    assert page.url == f"{site}/ranking/?as_of=2021-08-31"  # never redirected
    assert page.locator("h1").inner_text() == "World ranking of AEO mutual recognition"
    assert page.locator(".language-suggestion").count() == 0
    page.goto(f"{site}/")
    suggestion = page.locator(".language-suggestion a")
    suggestion.wait_for(state="visible")
    suggestion.click()
    page.wait_for_url(f"{site}/zh-hans/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.goto(f"{site}/zh-hans/ranking/?as_of=2021-08-31")
    assert page.locator("h1").inner_text() == "AEO 互认世界排名"
    page.locator(".language-switcher a[hreflang=en]").click()
    page.wait_for_url(f"{site}/ranking/?as_of=2021-08-31")
    assert page.locator("h1").inner_text() == "World ranking of AEO mutual recognition"


def test_an_english_browser_is_not_offered_the_chinese_home(site: str, page: Page) -> None:
    page.goto(f"{site}/")
    page.wait_for_load_state()
    assert page.locator(".language-suggestion").is_hidden()


def test_chinese_charts_use_plotlys_own_chinese_locale(site: str, page: Page) -> None:
    """Issue 13, item 9: chart controls and date ticks in Chinese (plotly's zh-CN locale)."""
    page.goto(f"{site}/zh-hans/?economy=CHN&as_of=2021-08-31")
    page.wait_for_selector("#race-countries[data-drawn=true]", timeout=20_000)
    assert page.evaluate("document.getElementById('race-countries')._context.locale") == "zh-CN"
    page.goto(f"{site}/?economy=CHN&as_of=2021-08-31")
    page.wait_for_selector("#race-countries[data-drawn=true]", timeout=20_000)
    assert page.evaluate("document.getElementById('race-countries')._context.locale") == "en-US"
