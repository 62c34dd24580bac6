"""Smoke tests of the pages in a real browser, and of the browser fixtures' own guard."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.browser.conftest import PageGuard, assert_no_axe_violations, axe_check, screenshot

STRICT_CSP = "default-src 'self'; script-src 'self'; style-src 'self'"
GIF = "data:image/gif;base64,R0lGODlhAQABAAAAACw="


def test_home_page_loads_offline_without_errors(site: str, page: Page, page_guard: PageGuard) -> None:
    # networkidle: also wait for what the page's scripts fetch after "load" (map geometry, say).
    response = page.goto(f"{site}/", wait_until="networkidle")
    assert response is not None
    assert response.ok, response.status
    assert page.locator("h1").first.is_visible()
    # The page guard fails the test on any external request, console error or CSP violation.


def test_home_page_shows_china_partner_countries(site: str, page: Page) -> None:
    page.goto(f"{site}/?economy=CHN&as_of=2021-08-31")
    assert page.locator("[data-testid=partner-countries]").inner_text().strip() == "46"
    screenshot(page, "home-chn-2021-08-31")


def test_home_page_has_no_serious_accessibility_violations(site: str, page: Page) -> None:
    page.goto(f"{site}/?economy=CHN&as_of=2021-08-31")
    assert_no_axe_violations(page)


def test_the_guard_records_and_blocks_external_requests(page: Page, page_guard: PageGuard) -> None:
    page.set_content('<!doctype html><title>guard</title><img src="https://example.com/x.png" alt="">')
    page.wait_for_load_state("load")
    assert any("https://example.com/x.png" in entry for entry in page_guard.external_requests), (
        page_guard.external_requests
    )
    assert not page.evaluate("document.images[0].complete && document.images[0].naturalWidth > 0")
    page_guard.clear()  # the aborted request may also have logged a console error


def test_the_guard_records_csp_violations_and_axe_runs_under_a_strict_csp(
    page: Page, page_guard: PageGuard
) -> None:
    html = (
        '<!doctype html><html lang="en"><title>csp</title><main><h1>CSP</h1>'
        '<script>document.title = "inline script ran"</script></main></html>'
    )
    page.route(
        "http://localhost/csp",
        lambda route: route.fulfill(
            status=200, content_type="text/html", headers={"Content-Security-Policy": STRICT_CSP}, body=html
        ),
    )
    page.goto("http://localhost/csp")
    assert page.title() == "csp"
    assert any("script-src" in violation for violation in page_guard.csp_violations), (
        page_guard.csp_violations
    )
    page_guard.clear()
    # axe is evaluated through the DevTools protocol: the page's CSP does not block it.
    assert axe_check(page) == []
    assert page_guard.problems() == []


def test_axe_check_reports_serious_violations(page: Page) -> None:
    page.set_content(
        f'<!doctype html><html lang="en"><title>axe</title><main><img src="{GIF}"></main></html>'
    )
    violations = axe_check(page)
    assert "image-alt" in {violation["id"] for violation in violations}
