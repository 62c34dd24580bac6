"""Controls that never surprise (issue 13, item 1): a keystroke never navigates.

Typing a date key by key and pressing Enter loads exactly that date, once; arrow keys move
through the economy select without loading anything, and Enter then loads the chosen economy; a
half-typed date is never sent. At desktop width and at 390 px, on every page with controls.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

CHINA_2021 = "economy=CHN&as_of=2021-08-31"
PAGES = ["/?" + CHINA_2021, "/partners/?" + CHINA_2021, "/ranking/?as_of=2021-08-31"]


def documents(page: Page) -> list[str]:
    """The URL of every document the page loads from now on."""
    loaded: list[str] = []
    page.on(
        "request", lambda request: loaded.append(request.url) if request.is_navigation_request() else None
    )
    return loaded


@pytest.fixture(params=[(1280, 900), (390, 844)], ids=["desktop", "phone"])
def sized(request: pytest.FixtureRequest, page: Page) -> Page:
    width, height = request.param
    page.set_viewport_size({"width": width, "height": height})
    return page


@pytest.mark.parametrize("path", PAGES)
def test_typing_a_date_key_by_key_and_pressing_enter_loads_that_date_once(
    site: str, sized: Page, path: str
) -> None:
    page = sized
    page.goto(f"{site}{path.replace('2021-08-31', '2019-01-15')}")
    loaded = documents(page)
    page.locator("#id_as_of").focus()
    # The date box of an English Chromium reads month, day, year: one key at a time.
    for key in "08312021":
        page.keyboard.press(key)
        page.wait_for_timeout(30)
    page.wait_for_timeout(300)
    assert loaded == [], loaded  # no keystroke navigated, not even a valid-looking partial year
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"as_of=2021-08-31"))
    page.wait_for_load_state()
    assert len(loaded) == 1 and "as_of=2021-08-31" in loaded[0], loaded


def test_arrow_keys_on_the_economy_select_do_not_navigate_and_enter_confirms(site: str, sized: Page) -> None:
    page = sized
    page.goto(f"{site}/?{CHINA_2021}")
    loaded = documents(page)
    select = page.locator("#id_economy")
    select.focus()
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    page.wait_for_timeout(300)
    assert loaded == [], loaded
    chosen = select.input_value()
    assert chosen != "CHN"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"economy={chosen}"))
    assert len(loaded) == 1, loaded


def test_a_half_typed_date_is_not_sent(site: str, page: Page) -> None:
    page.goto(f"{site}/?{CHINA_2021}")
    loaded = documents(page)
    box = page.locator("#id_as_of")
    box.focus()
    page.keyboard.press("Control+a")
    page.keyboard.press("Backspace")  # clears the focused segment only: the date is now partial
    page.keyboard.press("Enter")
    page.wait_for_timeout(400)
    assert loaded == [], loaded
    assert box.evaluate("el => el.validationMessage") != ""
