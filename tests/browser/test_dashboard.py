"""The dashboard and its pages in a real browser: drawn offline, navigable, accessible."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import assert_no_axe_violations, screenshot

CHINA_2021 = "economy=CHN&as_of=2021-08-31&basis=signed&evidence=inferred"

DRAWN_TERRITORIES = """() => {
  const map = document.getElementById('map');
  const shapes = [...map.querySelectorAll('.choroplethlocation')].map(p => p.__data__.loc);
  const markers = [...map.querySelectorAll('.scattergeo .point')].map(p => p.__data__.data);
  return {shapes, markers};
}"""


def wait_for_map(page: Page) -> None:
    page.wait_for_selector("#map[data-drawn=true]", timeout=20_000)


def test_dashboard_draws_all_46_partner_territories_as_shapes_or_markers(site: str, page: Page) -> None:
    page.goto(f"{site}/?{CHINA_2021}")
    wait_for_map(page)
    drawn = page.evaluate(DRAWN_TERRITORIES)
    expected = set(page.request.get(f"{site}/api/v1/summary?{CHINA_2021}").json()["countries"])
    assert len(expected) == 46
    partners_drawn = (set(drawn["shapes"]) | set(drawn["markers"])) - {"CHN"}
    assert partners_drawn == expected
    assert "CHN" in drawn["shapes"]  # the economy's own territory is marked
    assert {"SGP", "HKG", "MLT"} <= set(drawn["markers"])  # no shape at this scale: markers
    screenshot(page, "dashboard-chn-2021-08-31")
    page.locator("#map").screenshot(path=str(screenshot(page, "map-chn-2021-08-31", full_page=False)))


def test_map_hover_names_territory_economy_arrangement_and_dates(site: str, page: Page) -> None:
    page.goto(f"{site}/?{CHINA_2021}")
    wait_for_map(page)
    # Brazil: a large shape with no small-territory marker near its centre.
    brazil = page.locator("#map .choroplethlocation").nth(
        page.evaluate(DRAWN_TERRITORIES)["shapes"].index("BRA")
    )
    brazil.hover(force=True)
    page.wait_for_selector("#map .hoverlayer .hovertext", timeout=5_000)
    label = page.locator("#map .hoverlayer").text_content() or ""
    assert "Brazil (BRA)" in label
    assert "Economy: Brazil" in label
    assert "Arrangement: CHN-BRA-2019" in label
    assert "Signed: 2019-10-25" in label
    assert "In force: 2022-01-01" in label


def test_setting_the_date_control_updates_the_url_and_the_headline(site: str, page: Page) -> None:
    page.goto(f"{site}/?{CHINA_2021}")
    assert page.locator("[data-testid=partner-countries]").inner_text() == "46"
    page.locator("#id_as_of").fill("2017-03-07")
    page.locator("#id_as_of").press("Enter")  # a date box never navigates by itself (issue 13)
    page.wait_for_url(re.compile(r"as_of=2017-03-07"))
    assert page.locator("[data-testid=partner-countries]").inner_text() == "32"
    assert "economy=CHN" in page.url
    assert page.locator("#id_as_of").input_value() == "2017-03-07"


def test_changing_basis_keeps_the_other_parameters(site: str, page: Page) -> None:
    page.goto(f"{site}/?{CHINA_2021}")
    page.locator("#id_basis").click()  # an option chosen with the pointer submits at once
    page.locator("#id_basis").select_option("in_force")
    page.wait_for_url(re.compile(r"basis=in_force"))
    assert "as_of=2021-08-31" in page.url and "economy=CHN" in page.url


def test_partners_page_for_rcep_lists_the_five_partners(site: str, page: Page) -> None:
    page.goto(f"{site}/partners/?economy=CHN&as_of=2021-08-31&bloc=RCEP")
    rows = page.locator("#partners tbody tr[data-territory]")
    assert [rows.nth(i).get_attribute("data-territory") for i in range(rows.count())] == [
        "AUS",
        "JPN",
        "KOR",
        "NZL",
        "SGP",
    ]
    screenshot(page, "partners-rcep")


def test_bloc_counts_expand_to_their_territories(site: str, page: Page) -> None:
    page.goto(f"{site}/?{CHINA_2021}")
    rcep = page.locator("details[data-bloc=RCEP]")
    rcep.locator("summary").click()
    assert rcep.locator(".territory-list li").count() == 5


def test_claims_ledger_shows_exactly_five_differences(site: str, page: Page) -> None:
    page.goto(f"{site}/claims/")
    assert page.locator("#claims tr.difference").count() == 5
    assert page.locator("[data-testid=differences]").inner_text() == "5"
    screenshot(page, "claims")


def test_keyboard_users_can_skip_to_the_content_and_reach_the_controls(site: str, page: Page) -> None:
    page.goto(f"{site}/?{CHINA_2021}")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_economy"


PAGES = [
    f"/?{CHINA_2021}",
    f"/partners/?{CHINA_2021}",
    "/arrangements/",
    "/arrangements/?party=CHN&ordering=-signed_date",
    "/arrangements/CHN-EUU-2014/",
    "/arrangements/ASEAN-AAMRA-2023/",
    "/economies/",
    "/economies/EUU/",
    "/territories/",
    "/territories/FRA/",
    "/blocs/",
    "/blocs/CEE/",
    "/blocs/RCEP/?economy=CHN&as_of=2021-08-31",
    "/ranking/?as_of=2021-08-31",
    "/compare/?economy=CHN&economy=KOR&economy=EUU&as_of=2021-08-31",
    "/embed/map/?economy=CHN&as_of=2021-08-31",
    "/claims/",
    "/how-we-count/",
    "/changes/",
    "/data/quality/",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_loads_offline_without_errors_and_passes_axe(site: str, page: Page, path: str) -> None:
    response = page.goto(f"{site}{path}", wait_until="networkidle")
    assert response is not None and response.ok, path
    if page.locator("#map").count():
        wait_for_map(page)
    assert_no_axe_violations(page)
    name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
    screenshot(page, f"page-{name}"[:80])


@pytest.mark.parametrize(("prefix", "first"), [("", "Australia"), ("/zh-hans", "阿联酋")])
def test_the_partner_table_sorts_by_name_in_the_pages_language_and_by_any_column(
    site: str, page: Page, prefix: str, first: str
) -> None:
    page.goto(f"{site}{prefix}/?economy=CHN&as_of=2021-08-31")
    table = page.locator("#partners")
    heading = table.locator("thead th").first
    assert heading.get_attribute("aria-sort") == "ascending"
    names = table.locator("tbody tr th, tbody tr td:first-child").all_inner_texts()
    assert names[0].startswith(first)
    signed = table.locator("thead th").nth(3).locator("button")
    signed.focus()
    page.keyboard.press("Enter")
    dates = table.locator("tbody tr").evaluate_all(
        "rows => rows.map(r => (r.cells[3].querySelector('time') || {}).getAttribute ? r.cells[3].querySelector('time').getAttribute('datetime') : '')"
    )
    dated = [d for d in dates if d]
    assert dated == sorted(dated)
    page.keyboard.press("Enter")
    assert table.locator("thead th").nth(3).get_attribute("aria-sort") == "descending"
