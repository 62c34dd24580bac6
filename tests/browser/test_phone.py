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
    "/arrangements/",
    "/arrangements/CHN-KOR-2013/",
    "/economies/",
    "/economies/CHN/",
    "/territories/",
    "/territories/FRA/",
    "/blocs/",
    "/blocs/RCEP/",
    "/claims/",
    "/how-we-count/",
    "/data/",
    "/changes/",
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
