"""Time as a control (issue 13, item 2): previous/next change, the year slider and Play change the
date, the URL and the figures without a page load, and the figures then equal the summary API
for that date. At desktop width and at 390 px, with the keyboard."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page

START = "/?economy=CHN&as_of=2021-08-31"


def as_of(page: Page) -> str:
    return parse_qs(urlsplit(page.url).query)["as_of"][0]


def figures(page: Page) -> tuple[int, int]:
    return (
        int(page.locator("[data-testid=partner-countries]").inner_text()),
        int(page.locator("[data-testid=partner-economies]").inner_text()),
    )


def api(page: Page, site: str, day: str) -> tuple[int, int]:
    body = json.loads(page.request.get(f"{site}/api/v1/summary?economy=CHN&as_of={day}").text())
    return body["partner_countries"], body["partner_economies"]


def settled(page: Page, day_before: str) -> str:
    page.wait_for_function(
        "before => { const bar = document.querySelector('[data-timebar]');"
        " return bar.getAttribute('data-day') !== before && !bar.hasAttribute('data-loading'); }",
        arg=day_before,
        timeout=20_000,
    )
    return as_of(page)


@pytest.mark.parametrize("width", [1280, 390])
def test_previous_and_next_change_move_the_figures_without_a_page_load(
    site: str, page: Page, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 844})
    page.goto(f"{site}{START}")
    page.wait_for_selector("[data-timebar][data-ready=true]", timeout=20_000)
    page.evaluate("window.__same_page = true")
    page.locator("[data-step=prev]").focus()
    page.keyboard.press("Enter")
    day = settled(page, "2021-08-31")
    assert day < "2021-08-31"
    assert page.evaluate("window.__same_page") is True
    assert figures(page) == api(page, site, day)
    assert page.locator("#id_as_of").input_value() == day
    page.locator("[data-step=next]").click()
    later = settled(page, day)
    assert later > day and figures(page) == api(page, site, later)
    page.wait_for_selector("#map[data-drawn=true]", timeout=20_000)
    assert page.evaluate("window.__same_page") is True
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_slider_and_play_step_through_the_years(site: str, page: Page) -> None:
    page.goto(f"{site}{START}")
    page.wait_for_selector("[data-timebar][data-ready=true]", timeout=20_000)
    page.evaluate("window.__same_page = true")
    slider = page.locator("#timebar-year")
    slider.focus()
    for _ in range(6):
        page.keyboard.press("ArrowLeft")
    page.evaluate("document.getElementById('timebar-year').dispatchEvent(new Event('change'))")
    day = settled(page, "2021-08-31")
    assert day == "2015-12-31"
    assert figures(page) == api(page, site, day)
    page.locator("[data-play]").click()
    later = settled(page, day)
    assert later == "2016-12-31"
    page.locator("[data-play]").click()  # pause
    assert page.locator("[data-play]").get_attribute("aria-pressed") == "false"
    assert page.evaluate("window.__same_page") is True
    assert figures(page) == api(page, site, as_of(page))


@pytest.mark.parametrize("width", [1280, 390])
def test_the_ranking_follows_the_slider_without_a_page_load(site: str, page: Page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 844})
    page.goto(f"{site}/ranking/?as_of=2021-08-31&by=economies")
    page.wait_for_selector("[data-timebar][data-ready=true]", timeout=20_000)
    assert page.locator("[data-step]").count() == 0  # no economy, so no change days: slider and Play
    page.evaluate("window.__same_page = true")
    page.locator("#timebar-year").focus()
    for _ in range(5):
        page.keyboard.press("ArrowLeft")
    page.evaluate("document.getElementById('timebar-year').dispatchEvent(new Event('change'))")
    day = settled(page, "2021-08-31")
    assert day == "2016-12-31"
    assert parse_qs(urlsplit(page.url).query)["by"] == ["economies"]
    page.wait_for_selector("#ranking-map[data-drawn=true]", timeout=20_000)
    ranking = json.loads(page.request.get(f"{site}/api/v1/ranking?as_of={day}&by=economies").text())
    first = page.locator("#ranking-economies tbody tr").first
    assert first.get_attribute("data-economy") == ranking["results"][0]["economy"]
    assert first.locator("td").last.inner_text() == str(ranking["results"][0]["value"])
    assert page.evaluate("window.__same_page") is True
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_change_days_are_fetched_only_when_the_bar_is_approached(site: str, page: Page) -> None:
    """Page weight (issue 6): a visit that never moves through time does not fetch the story."""
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url) if "/why/" in request.url else None)
    page.goto(f"{site}/?economy=CHN&as_of=2011-01-01", wait_until="networkidle")
    page.wait_for_selector("[data-timebar][data-ready=true]", timeout=20_000)
    assert asked == []
    assert page.locator("#timebar-year").get_attribute("min") == "2007"  # the first arrangement
    page.locator("#timebar-year").focus()
    page.wait_for_selector("[data-timebar][data-days]", timeout=20_000)
    assert len(asked) == 1
    # China signed its first arrangement in 2012: no change before 2011, so "previous" is off.
    assert page.locator("[data-step=prev]").is_disabled()
    assert page.locator("[data-step=next]").is_enabled()
