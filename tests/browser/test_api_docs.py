"""The interactive API docs (/api/v1/docs/) under the site's strict Content-Security-Policy."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.browser.conftest import PageGuard


def test_api_docs_load_offline_under_the_csp_without_errors(
    site: str, page: Page, page_guard: PageGuard
) -> None:
    response = page.goto(f"{site}/api/v1/docs/", wait_until="networkidle")
    assert response is not None and response.ok, response and response.status
    # Swagger UI (drf-spectacular-sidecar's copy) drew the schema fetched from /api/v1/schema/.
    page.locator(".swagger-ui .info .title").wait_for()
    assert "AEO Registry API" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".opblock-summary-path", has_text="/api/v1/arrangements/").count() >= 1
    assert page.locator(".opblock-summary-path", has_text="/api/v1/summary").count() == 1
    # Open one operation: its parameters render without a console error or a CSP violation.
    page.locator(".opblock-summary-path", has_text="/api/v1/summary").first.click()
    page.locator(".opblock.is-open .parameters").first.wait_for()
    # The page guard fails the test on any external request, console error or CSP violation.
    assert not page_guard.external_requests
