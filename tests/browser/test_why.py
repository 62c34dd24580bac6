"""Why the number moved, in a real browser at desktop and phone width: rendered, reachable from the
dashboard, no sideways scroll on a 390 px phone, no console error, nothing serious for axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import assert_no_axe_violations, screenshot

WHY = "/why/?economy=CHN&as_of=2021-08-31&basis=signed&evidence=inferred"
BETWEEN = "/why/between/?economy=CHN&from=2020-08-31&to=2021-08-31&basis=signed&evidence=inferred"
PATHS = [WHY, BETWEEN, f"/zh-hans{WHY}", f"/zh-hans{BETWEEN}"]
WIDTHS = {"desktop": 1280, "phone": 390}


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("path", PATHS)
def test_the_pages_render_fit_the_width_and_pass_axe(site: str, page: Page, path: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 844 if width < 500 else 900})
    response = page.goto(f"{site}{path}")
    assert response is not None and response.status == 200
    table = "#why-events" if "between" not in path else "#between-moves"
    assert page.locator(f"{table} tbody tr").count() > 0
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client, f"{path} scrolls sideways at {width} px"
    assert_no_axe_violations(page)
    name = re.sub(r"\W+", "-", path.split("?")[0].strip("/")) or "why"
    screenshot(page, f"{name}-{width}")


def test_the_story_ends_at_the_dashboards_figures(site: str, page: Page) -> None:
    page.goto(f"{site}/?economy=CHN&as_of=2021-08-31")
    page.locator("[data-testid=why-link]").click()
    page.wait_for_url(re.compile(r"/why/\?economy=CHN&as_of=2021-08-31"))
    assert page.locator("[data-testid=story-countries]").inner_text() == "46"
    assert page.locator("[data-testid=story-economies]").inner_text() == "20"
    last = page.locator("#why-events tbody tr").last
    assert last.locator("[data-figure=countries]").inner_text() == "46"
    assert last.locator("[data-figure=economies]").inner_text() == "20"


def test_between_is_reached_from_the_dashboard_and_changes_with_its_dates(site: str, page: Page) -> None:
    page.goto(f"{site}/?economy=CHN&as_of=2021-08-31")
    page.locator("[data-testid=between-link]").click()
    page.wait_for_url(re.compile(r"/why/between/\?economy=CHN&from=2020-08-31&to=2021-08-31"))
    assert (
        page.locator('#between-figures tr[data-measure="countries"] [data-value=change]').inner_text() == "+4"
    )
    page.locator("#id_from").fill("2021-05-01")
    page.locator("#id_from").press("Enter")
    page.wait_for_url(re.compile(r"from=2021-05-01"))
    assert (
        page.locator('#between-figures tr[data-measure="countries"] [data-value=change]').inner_text() == "+2"
    )
    lost = page.locator('#between-moves tr[data-change="lost"]')
    assert [lost.nth(i).get_attribute("data-partner") for i in range(lost.count())] == ["LTU"]
