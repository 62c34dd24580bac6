"""Compare in a browser (issue 13, item 4): choose economies with the keyboard, see them side by
side; no sideways scroll at 390 px; the page guard fails on console errors and CSP violations."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page


@pytest.mark.parametrize("width", [1280, 390])
def test_choose_three_economies_from_the_keyboard_and_compare_them(site: str, page: Page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 844})
    page.goto(f"{site}/compare/?as_of=2021-08-31")
    select = page.locator("#id_economy")
    select.select_option(["CHN", "KOR", "EUU"])
    select.focus()
    page.locator("#controls button[type=submit]").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/compare/?*economy=KOR*")
    shown = page.locator("#compare-figures thead th[data-economy]")
    assert [shown.nth(i).get_attribute("data-economy") for i in range(shown.count())] == ["CHN", "EUU", "KOR"]
    page.wait_for_selector("#race-economies[data-drawn=true]", timeout=20_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
