"""The Content-Security-Policy in a real browser: pages and the admin work under it, unrelaxed.

The page guard (``conftest.py``) fails any of these tests on a CSP violation, so each test that
opens a page also proves that the page needs nothing the policy forbids.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from playwright.sync_api import Page

from agreements.models import Arrangement

PAGES = ["/", "/partners/?economy=CHN", "/ranking/", "/economies/CHN/", "/how-we-count/"]


def directives(header: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.parametrize("path", PAGES)
def test_pages_are_served_with_a_strict_content_security_policy(site: str, page: Page, path: str) -> None:
    response = page.goto(f"{site}{path}")
    assert response is not None and response.ok, response and response.status
    policy = directives(response.headers["content-security-policy"])
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "camera=()" in response.headers["permissions-policy"]


def test_the_map_draws_under_the_policy_and_hover_labels_violate_nothing(site: str, page: Page) -> None:
    response = page.goto(f"{site}/?economy=CHN&as_of=2021-08-31")
    assert response is not None and "content-security-policy" in response.headers
    page.wait_for_selector("#map[data-drawn=true]", timeout=20_000)
    assert int(page.get_attribute("#map", "data-shapes-drawn") or 0) > 0
    # Hover labels are where plotly.js sets style attributes (<b> becomes a bold tspan).
    page.locator("#map .choroplethlocation").first.hover(force=True)
    page.wait_for_selector("#map .hoverlayer .hovertext", timeout=5_000)


def test_the_admin_works_under_the_same_policy(site: str, page: Page) -> None:
    get_user_model().objects.create_superuser("curator", "curator@example.org", "a long passphrase 42")
    arrangement = Arrangement.objects.order_by("pk").first()
    assert arrangement is not None
    admin = f"{site}/{settings.ADMIN_PATH}"

    page.goto(f"{admin}login/")
    page.fill("#id_username", "curator")
    page.fill("#id_password", "a long passphrase 42")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    assert "content-security-policy" in (page.goto(admin) or pytest.fail("no response")).headers

    # The change form loads the admin's scripts: inlines, date shortcuts, related-object popups.
    page.goto(f"{admin}agreements/arrangement/{arrangement.pk}/change/")
    page.wait_for_selector("form#arrangement_form")
    page.wait_for_selector(".datetimeshortcuts")  # drawn by DateTimeShortcuts.js: scripts ran
    page.goto(f"{admin}agreements/arrangement/?q=China")
    page.wait_for_selector("#result_list")
    page.goto(f"{admin}auth/user/add/")
    page.wait_for_selector("#user_form")
