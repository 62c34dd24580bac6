"""ASEAN's arrangement page in a browser (issue 14, item 3): each party's in-force date, reached
from the keyboard, at 1280 and 390 px, in English and Chinese, without sideways scroll or axe
violations."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import assert_no_axe_violations


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize(("prefix", "unknown"), [("", "not known"), ("/zh-hans", "不明")])
def test_each_partys_in_force_date_is_shown_and_reached_from_the_keyboard(
    site: str, page: Page, width: int, prefix: str, unknown: str
) -> None:
    page.set_viewport_size({"width": width, "height": 844})
    page.goto(f"{site}{prefix}/arrangements/ASEAN-AAMRA-2023/")
    table = page.get_by_test_id("party-dates")
    assert table.locator('tr[data-party="PHL"] td[data-in-force="2025-02-28"]').is_visible()
    assert unknown in table.locator('tr[data-party="KHM"]').inner_text()
    box = page.locator(".table-scroll", has=table)
    for _ in range(80):  # Tab until the table's box has the focus
        page.keyboard.press("Tab")
        if box.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("the party table's box is not in the tab order")
    page.keyboard.press("Tab")  # then the first party's link
    assert page.evaluate("document.activeElement.closest('tr')?.dataset.party") == "BRN"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_no_axe_violations(page)
