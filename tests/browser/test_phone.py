"""On a 390 x 844 phone no page scrolls sideways (issue 13, item 8): wide tables scroll inside
their own box, which a keyboard can focus, and the race charts fit the width."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

PATHS = [
    "/?economy=CHN&as_of=2021-08-31",
    "/zh-hans/?economy=CHN&as_of=2021-08-31",
    "/partners/?economy=CHN&as_of=2021-08-31",
    "/ranking/?as_of=2021-08-31",
    "/compare/?economy=CHN&economy=KOR&economy=EUU&as_of=2021-08-31",
    "/why/?economy=CHN&as_of=2021-08-31",
    "/embed/race/?economy=CHN&as_of=2021-08-31",
    "/arrangements/",
    "/arrangements/CHN-KOR-2013/",
    "/arrangements/ASEAN-AAMRA-2023/",
    "/arrangements/AGADIR-AEO-2016/",  # a long source URL without a title, shown whole
    "/economies/",
    "/economies/CHN/",
    "/territories/",
    "/territories/FRA/",
    "/blocs/",
    "/blocs/RCEP/",
    "/claims/",
    "/how-we-count/",
    "/data/",
    "/data/quality/",
    "/zh-hans/data/quality/",
    "/changes/",
    "/corrections/new/?record=economy:KOR",
    "/corrections/",
]


@pytest.fixture
def phone(page: Page) -> Page:
    page.set_viewport_size({"width": 390, "height": 844})
    return page


def test_no_page_scrolls_sideways_on_a_phone(site: str, phone: Page) -> None:
    wide = {}
    for path in PATHS:
        phone.goto(f"{site}{path}")
        scroll, client = phone.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if scroll > client:
            wide[path] = scroll
    assert wide == {}


def test_a_wide_table_scrolls_in_its_own_box_from_the_keyboard(site: str, phone: Page) -> None:
    phone.goto(f"{site}/claims/")
    box = phone.locator(".table-scroll").first
    assert box.evaluate("el => el.scrollWidth > el.clientWidth")
    box.focus()
    phone.keyboard.press("ArrowRight")
    phone.keyboard.press("ArrowRight")
    # Chromium animates keyboard scrolling: the box reaches its new offset some frames later.
    for _ in range(50):
        if box.evaluate("el => el.scrollLeft") > 0:
            break
        phone.wait_for_timeout(100)
    assert box.evaluate("el => el.scrollLeft") > 0


def test_the_navigation_folds_under_menu_and_opens_from_the_keyboard(site: str, phone: Page) -> None:
    phone.goto(f"{site}/?economy=CHN&as_of=2021-08-31")
    nav_link = phone.locator("#site-nav a", has_text="Ranking")
    assert not nav_link.is_visible()
    assert phone.evaluate("document.querySelector('header').getBoundingClientRect().height") < 120
    toggle = phone.locator(".nav-toggle")
    toggle.focus()
    phone.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    assert nav_link.is_visible()
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.closest('#site-nav') !== null")


def test_the_wide_screen_shows_the_navigation_without_a_menu_button(site: str, page: Page) -> None:
    page.goto(f"{site}/")
    assert page.locator("#site-nav a", has_text="Ranking").is_visible()
    assert not page.locator(".nav-toggle").is_visible()


@pytest.mark.parametrize("width", [1280, 390])
def test_chart_toolbars_add_no_tab_stops(site: str, page: Page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 844})
    page.goto(f"{site}/?economy=CHN&as_of=2021-08-31")
    for chart in ("#map", "#race-countries", "#race-economies"):
        page.wait_for_selector(f"{chart}[data-drawn=true]", timeout=20_000)
    focusable = page.evaluate(
        "[...document.querySelectorAll('.modebar button, .modebar a')].filter(e => e.tabIndex >= 0).length"
    )
    assert focusable == 0


def test_the_map_keeps_the_worlds_shape_across_a_phones_width(site: str, phone: Page) -> None:
    phone.goto(f"{site}/?economy=CHN&as_of=2021-08-31")
    phone.wait_for_selector("#map[data-drawn=true]", timeout=20_000)
    chart = phone.evaluate("document.getElementById('map').getBoundingClientRect().width")
    land = phone.evaluate("document.querySelector('#map .geo .bg, #map .geo').getBoundingClientRect().width")
    assert land >= 0.85 * chart
