"""A name with markup in it is drawn as text by plotly: no link, no styled span, no CSP violation
(issue 11, finding 9). The page guard fails the test on any CSP violation or console error."""

from __future__ import annotations

from playwright.sync_api import Page

from agreements.models import Economy

HOSTILE = 'Korea <a href="https://evil.example/">EVIL</a> <span style="color:red">red</span>'


def test_markup_in_an_economy_name_is_shown_as_text_in_the_map_and_the_race(site: str, page: Page) -> None:
    Economy.objects.filter(code="KOR").update(name=HOSTILE)
    page.goto(f"{site}/?economy=KOR&as_of=2021-08-31")
    page.wait_for_selector("#map[data-drawn=true]", timeout=20_000)
    page.wait_for_selector("#race-countries .legend", timeout=20_000)
    assert page.locator('a[href="https://evil.example/"]').count() == 0
    assert page.locator("svg [style*='color:red'], svg [style*='color: red']").count() == 0
    legend = page.locator("#race-countries .legend").text_content() or ""
    assert '<a href="https://evil.example/">EVIL</a>' in legend
