"""Every chart downloads as PNG and SVG in the page's language, under the site's CSP (issue 15).

The page guard fails a test on any console error or CSP violation. A downloaded SVG carries the
chart's title, the as-of date and "AEO Registry" with the view's URL; a PNG is a PNG."""

from __future__ import annotations

import html

import pytest
from playwright.sync_api import Page

DASHBOARD = (
    "/?economy=CHN&as_of=2021-08-31",
    "map-CHN-2021-08-31",
    ("map", "race-countries", "race-economies"),
)
BLOC = ("/blocs/RCEP/", "map-RCEP", ("map",))
RANKING = (
    "/ranking/?as_of=2021-08-31",
    "ranking-countries-2021-08-31",
    ("ranking-countries-chart", "ranking-economies-chart", "ranking-map", "arrangements-time"),
)


def download(page: Page, chart: str, fmt: str, *, keyboard: bool = False) -> tuple[str, bytes]:
    button = page.locator(f'[data-chart-downloads="{chart}"] button[data-format="{fmt}"]')
    with page.expect_download(timeout=20_000) as info:
        if keyboard:
            button.focus()
            page.keyboard.press("Enter")
        else:
            button.click()
    file = info.value
    with open(file.path(), "rb") as handle:
        return file.suggested_filename, handle.read()


@pytest.mark.parametrize(("prefix", "suffix"), [("", ""), ("/zh-hans", ".zh-hans")])
@pytest.mark.parametrize(("path", "stem", "charts"), [DASHBOARD, BLOC])
def test_each_chart_downloads_as_png_and_svg_with_its_caption(
    site: str, page: Page, prefix: str, suffix: str, path: str, stem: str, charts: tuple[str, ...]
) -> None:
    page.goto(f"{site}{prefix}{path}")
    for chart in charts:
        page.wait_for_selector(f"#{chart}[data-drawn=true]", timeout=20_000)
        tools = page.locator(f'[data-chart-downloads="{chart}"]')
        title = tools.get_attribute("data-title") or ""
        name, png = download(page, chart, "png")
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5_000
        assert name.endswith(f"{suffix}.png") and name.startswith(chart.split("-")[0])
        name, svg_bytes = download(page, chart, "svg", keyboard=True)
        assert name.endswith(f"{suffix}.svg")
        svg = html.unescape(svg_bytes.decode("utf-8"))
        assert svg.startswith("<svg")
        assert title in svg
        assert "AEO Registry" in svg and site in svg
        if "2021-08-31" in path:
            assert "2021-08-31" in svg
    assert stem in (page.locator("[data-chart-downloads]").first.get_attribute("data-filename") or "")


def test_the_download_buttons_fit_a_phone(site: str, page: Page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{site}{DASHBOARD[0]}")
    page.wait_for_selector("#map[data-drawn=true]", timeout=20_000)
    name, png = download(page, "map", "png")
    assert png.startswith(b"\x89PNG") and name == "map-CHN-2021-08-31.png"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390


@pytest.mark.parametrize("width", [1280, 390])
def test_cite_this_view_copies_each_citation_from_the_keyboard(site: str, page: Page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 844})
    page.goto(f"{site}{DASHBOARD[0]}")
    summary = page.locator("#cite summary")
    summary.focus()
    page.keyboard.press("Enter")
    bibtex = page.locator("#cite-bibtex")
    assert "as_of=2021-08-31" in (bibtex.text_content() or "")
    button = page.locator('button[data-copy="cite-bibtex"]')
    button.focus()
    page.keyboard.press("Enter")
    status = page.locator("#cite .copy-status")
    status.wait_for(state="visible")
    page.wait_for_function("() => document.querySelector('#cite .copy-status').textContent.length > 0")
    assert status.text_content() in {"Copied.", "Selected: press Ctrl+C (⌘C) to copy."}
    assert page.evaluate("document.documentElement.scrollWidth") <= width
