"""A correction in a real browser (issue 14, item 6): a visitor follows "Report a correction",
fills the form and sends it; a staff user accepts it in the admin by saving the record's form
opened from the report; the record's public History shows the change with the report linked.
On a 390 px phone with the keyboard only, and at 1280 px with the mouse."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Permission, User
from playwright.sync_api import Browser, Page

from agreements.models import CorrectionReport
from agreements.models.corrections import ReportStatus
from tests.browser.conftest import assert_no_axe_violations

PASSWORD = "a long passphrase 42"
SOURCE = "https://www.customs.go.kr/aeo/mra-notice.html"
MAX_TABS = 400


def tab_to(page: Page, test: str) -> None:
    """Press Tab until the focused element matches `test` (a JS expression on `el`)."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return !!el && ({test}); }})()"):
            return
    raise AssertionError(f"Tab never reached {test}")


def focused(page: Page) -> str:
    return str(page.evaluate("document.activeElement.outerHTML.slice(0, 200)"))


def staff_page(browser: Browser, site: str, models: list[str]) -> Page:
    """A separate browser context signed in as a staff user who may handle reports and edit
    these models (the visitor's context stays anonymous)."""
    user = User.objects.create_user("reviewer", "reviewer@example.org", PASSWORD, is_staff=True)
    codenames = ["view_correctionreport", "change_correctionreport"]
    for model in models:
        codenames += [f"view_{model}", f"change_{model}", f"add_{model}", f"delete_{model}"]
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="agreements", codename__in=codenames)
    )
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    context.route(
        "**/*", lambda route: route.continue_() if "localhost" in route.request.url else route.abort()
    )
    page = context.new_page()
    page.goto(f"{site}/{settings.ADMIN_PATH}login/")
    page.fill("#id_username", "reviewer")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    return page


def accept_in_admin(staff: Page, site: str, report: CorrectionReport) -> None:
    staff.goto(f"{site}/{settings.ADMIN_PATH}agreements/correctionreport/")
    staff.click(f"text=#{report.pk}")
    staff.click("[data-testid=accept-correction]")
    staff.wait_for_selector("[data-testid=correction-banner]")
    assert report.message in staff.inner_text("[data-testid=correction-banner]")


def test_a_report_from_the_dashboard_by_keyboard_on_a_phone_is_accepted_into_history(
    site: str, page: Page, browser: Browser
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{site}/?economy=KOR&as_of=2021-08-31")
    tab_to(page, "el.dataset.testid === 'report-correction'")
    assert "Korea" in page.evaluate("document.activeElement.textContent")
    page.keyboard.press("Enter")
    page.wait_for_url("**/corrections/new/?record=economy%3AKOR")
    assert "KOR" in page.inner_text("[data-testid=correction-record]")
    assert_no_axe_violations(page)

    tab_to(page, "el.name === 'message'")
    page.keyboard.type("The number of partners is out of date: a new arrangement was signed in 2024.")
    page.keyboard.press("Tab")
    assert 'name="source_url"' in focused(page)
    page.keyboard.type(SOURCE)
    page.keyboard.press("Tab")
    assert 'name="contact_email"' in focused(page)
    page.keyboard.type("phone-visitor@example.org")
    page.keyboard.press("Tab")  # the honeypot is skipped: straight to the button
    assert "<button" in focused(page) and "Send the report" in focused(page)
    page.keyboard.press("Enter")
    page.wait_for_url("**/corrections/thanks/**")
    assert page.get_attribute("[data-testid=correction-counts]", "data-open") == "1"

    report = CorrectionReport.objects.get()
    assert (report.record, report.source_url, report.status) == ("economy:KOR", SOURCE, ReportStatus.OPEN)

    staff = staff_page(browser, site, ["economy", "economymembership"])
    accept_in_admin(staff, site, report)
    staff.fill("#id_name", "Korea, Republic of (corrected)")
    staff.click("input[name=_save]")
    staff.wait_for_selector(".messagelist .success")
    staff.context.close()
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED

    page.goto(f"{site}/economies/KOR/")
    # A history of more than three changes folds under a one-line summary: open it, as a reader would.
    folded = page.locator(".history-details summary")
    if folded.count():
        folded.first.click()
    link = page.locator("[data-testid=change-correction]").first
    assert link.inner_text() == f"Correction report #{report.pk}"
    tab_to(page, "el.dataset.testid === 'change-correction'")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/corrections/{report.pk}/")
    assert "out of date" in page.inner_text("main")
    assert "phone-visitor@example.org" not in page.content()


def test_a_report_on_an_arrangement_with_the_mouse_adds_its_source_when_accepted(
    site: str, page: Page, browser: Browser
) -> None:
    page.goto(f"{site}/arrangements/CHN-KOR-2013/")
    page.click("[data-testid=report-correction]")
    page.wait_for_url("**/corrections/new/?record=arrangement%3ACHN-KOR-2013")
    assert not page.is_visible("input[name=website]")  # the honeypot is not shown
    page.click("textarea[name=message]")
    page.keyboard.type("The official notice of Korea Customs is missing from the sources.")
    page.fill("input[name=source_url]", SOURCE)
    page.click("button[type=submit]")
    page.wait_for_url("**/corrections/thanks/**")
    page.click("text=Back to the record")
    page.wait_for_url("**/arrangements/CHN-KOR-2013/")

    report = CorrectionReport.objects.get()
    staff = staff_page(browser, site, ["arrangement", "arrangementparty", "source"])
    accept_in_admin(staff, site, report)
    # The new source row is pre-filled with the report's URL.
    prefilled = staff.locator("input[name$='-url']").evaluate_all("inputs => inputs.map(i => i.value)")
    assert SOURCE in prefilled
    staff.click("input[name=_save]")
    staff.wait_for_selector(".messagelist .success")
    staff.context.close()

    page.goto(f"{site}/arrangements/CHN-KOR-2013/")
    assert page.locator(f"a[href='{SOURCE}']").count() == 1  # the source is on the record now
    if page.get_attribute(".history-details", "open") is None:  # more than three changes: folded
        page.click(".history-details summary")
    page.click("[data-testid=change-correction] >> nth=0")
    page.wait_for_url(f"**/corrections/{report.pk}/")
    assert SOURCE in page.inner_text("main")
