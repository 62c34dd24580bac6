"""The admin's History pages in a real browser, under the site's Content-Security-Policy.

django-simple-history's list template sets `style="border-top: 0"`, which the policy forbids;
templates/simple_history/object_history_list.html replaces it with a class styled from
static/css/admin.css. The page guard (``conftest.py``) fails these tests on any CSP violation.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission, User
from playwright.sync_api import Page

from agreements.models import Arrangement, Economy

PASSWORD = "a long passphrase 42"


def sign_in_as_staff(page: Page, site: str) -> str:
    user = User.objects.create_user("editor", "editor@example.org", PASSWORD, is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="agreements",
            codename__in=["view_arrangement", "change_arrangement", "view_economy", "change_economy"],
        )
    )
    admin = f"{site}/{settings.ADMIN_PATH}"
    page.goto(f"{admin}login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    return admin


@pytest.mark.parametrize(
    ("model", "lookup"), [(Arrangement, {"key": "CHN-KOR-2013"}), (Economy, {"code": "KOR"})]
)
def test_a_records_history_and_a_version_show_without_a_csp_violation(
    site: str, page: Page, model: type[Arrangement] | type[Economy], lookup: dict[str, str]
) -> None:
    admin = sign_in_as_staff(page, site)
    record = model.objects.get(**lookup)
    base = f"{admin}agreements/{model._meta.model_name}/{record.pk}/"

    response = page.goto(f"{base}history/")
    assert response is not None and response.ok
    assert "style-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector("#change-history")
    paginator = page.locator("p.paginator")
    assert paginator.get_attribute("style") is None
    # The rule moved to static/css/admin.css still applies: the paginator has no top border.
    assert paginator.evaluate("element => getComputedStyle(element).borderTopStyle") == "none"

    page.locator("#change-history tbody a").last.click()  # the first version: the record's creation
    page.wait_for_selector(".submit-row .closelink")
    assert "/history/" in page.url
