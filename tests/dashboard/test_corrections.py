"""Public corrections (issue 14, item 6): the form on every record page and the dashboard, its
protections (CSRF, honeypot, ten reports an hour per address), staff accepting a report through
the record's form (history linked to the report) or rejecting it, the public counts, and the
contact address that no public page, feed, export or API ever shows."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agreements import corrections, versioning
from agreements.models import Arrangement, CorrectionReport, Source, Territory
from agreements.models.corrections import ReportStatus
from tests.test_hostile_input import KNOWN, ROUTES, url_for

pytestmark = pytest.mark.django_db

NEW = "/corrections/new/"
SOURCE = "https://www.customs.gov.example/aeo/mra-2024.html"


def report_data(**overrides: str) -> dict[str, str]:
    return {
        "message": "The in-force date is 2024-08-01, per the announcement.",
        "source_url": SOURCE,
        "contact_email": "",
        "website": "",
        **overrides,
    }


def send(client: Client, record: str = "", address: str = "192.0.2.1", **overrides: str) -> Any:
    url = f"{NEW}?record={record}" if record else NEW
    return client.post(url, report_data(**overrides), REMOTE_ADDR=address)


# --- the link and the form ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "record", "name"),
    [
        ("/arrangements/CHN-KOR-2013/", "arrangement%3ACHN-KOR-2013", "CHN-KOR-2013"),
        ("/economies/KOR/", "economy%3AKOR", "Korea"),
        ("/territories/FRA/", "territory%3AFRA", "France"),
        ("/blocs/RCEP/", "bloc%3ARCEP", "Regional Comprehensive"),
        ("/?economy=KOR&as_of=2021-08-31", "economy%3AKOR", "Korea"),
        ("/zh-hans/economies/KOR/", "economy%3AKOR", "韩国"),
    ],
)
def test_every_record_page_and_the_dashboard_link_to_the_form_naming_the_record(
    client: Client, page: str, record: str, name: str
) -> None:
    html = client.get(page).content.decode()
    link = re.search(r'<a href="([^"]+)" data-testid="report-correction">([^<]+)</a>', html)
    assert link, page
    assert link.group(1).endswith(f"corrections/new/?record={record}")
    assert name in link.group(2)
    assert "csrfmiddlewaretoken" not in html  # the cached page carries no token
    form = client.get(link.group(1))
    assert form.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in form.content.decode()


def test_the_form_page_is_never_cached_and_names_the_record(client: Client) -> None:
    response = client.get(f"{NEW}?record=arrangement:CHN-KOR-2013")
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    html = response.content.decode()
    assert "<strong>CHN-KOR-2013</strong>" in html
    assert 'href="/arrangements/CHN-KOR-2013/"' in html
    # Two visitors get two tokens: nothing was kept from the first.
    other = Client(HTTP_HOST="localhost").get(f"{NEW}?record=arrangement:CHN-KOR-2013")
    assert response.cookies["csrftoken"].value != other.cookies["csrftoken"].value


def test_an_unknown_record_is_not_found(client: Client) -> None:
    assert client.get(f"{NEW}?record=arrangement:NO-SUCH").status_code == 404
    assert client.get(f"{NEW}?record=planet:MARS").status_code == 404


def test_a_report_is_stored_with_its_record_and_a_hash_of_the_address(client: Client) -> None:
    version = versioning.current_version()
    response = send(client, "arrangement:CHN-KOR-2013", contact_email="analyst@example.org")
    assert response.status_code == 302
    assert response["Location"] == "/corrections/thanks/?record=arrangement%3ACHN-KOR-2013"
    report = CorrectionReport.objects.get()
    assert (report.record_kind, report.record_key, report.source_url) == (
        "arrangement",
        "CHN-KOR-2013",
        SOURCE,
    )
    assert report.contact_email == "analyst@example.org"
    assert report.status == ReportStatus.OPEN
    assert "192.0.2.1" not in report.sender and report.sender == corrections.sender_of("192.0.2.1")
    # A report is not registry data: no page cache is emptied by it.
    assert versioning.current_version() == version
    thanks = client.get(response["Location"]).content.decode()
    assert 'data-open="1"' in thanks and 'href="/arrangements/CHN-KOR-2013/"' in thanks


def test_a_report_about_the_registry_in_general(client: Client) -> None:
    assert send(client).status_code == 302
    assert CorrectionReport.objects.get().record == ""


def test_the_source_url_is_required_and_the_email_optional(client: Client) -> None:
    response = send(client, "economy:KOR", source_url="")
    assert response.status_code == 400
    assert "Nothing was saved" in response.content.decode()
    assert send(client, "economy:KOR", source_url="not a url").status_code == 400
    assert send(client, "economy:KOR", message="").status_code == 400
    assert send(client, "economy:KOR", contact_email="nobody").status_code == 400
    assert not CorrectionReport.objects.exists()


def test_a_post_without_the_csrf_token_is_refused() -> None:
    strict = Client(HTTP_HOST="localhost", enforce_csrf_checks=True)
    response = strict.post(f"{NEW}?record=economy:KOR", report_data())
    assert response.status_code == 403
    assert not CorrectionReport.objects.exists()
    # With the token of the form page it goes through.
    html = strict.get(f"{NEW}?record=economy:KOR").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    assert (
        strict.post(f"{NEW}?record=economy:KOR", {**report_data(), "csrfmiddlewaretoken": token}).status_code
        == 302
    )
    assert CorrectionReport.objects.count() == 1


def test_a_filled_honeypot_is_thanked_and_nothing_is_stored(client: Client) -> None:
    html = client.get(NEW).content.decode()
    trap = re.search(r'<div class="correction-trap" aria-hidden="true">.*?</div>', html, re.S)
    assert trap and 'tabindex="-1"' in trap.group(0) and 'name="website"' in trap.group(0)
    response = send(client, "economy:KOR", website="http://spam.example/")
    assert response.status_code == 302 and response["Location"].startswith("/corrections/thanks/")
    assert not CorrectionReport.objects.exists()


def test_the_eleventh_report_from_one_address_within_an_hour_is_refused(client: Client) -> None:
    for _ in range(corrections.RATE_LIMIT):
        assert send(client, "economy:KOR", address="198.51.100.7").status_code == 302
    refused = send(client, "economy:KOR", address="198.51.100.7")
    assert refused.status_code == 429
    assert "Too many reports from your address" in refused.content.decode()
    assert refused["Retry-After"] == "3600"
    assert CorrectionReport.objects.count() == 10
    # Another address is not affected.
    assert send(client, "economy:KOR", address="198.51.100.8").status_code == 302
    # Reports older than an hour no longer count.
    CorrectionReport.objects.filter(sender=corrections.sender_of("198.51.100.7")).update(
        reported_at=timezone.now() - dt.timedelta(hours=1, seconds=1)
    )
    assert send(client, "economy:KOR", address="198.51.100.7").status_code == 302


def test_refused_reports_and_honeypots_do_not_count_towards_the_limit(client: Client) -> None:
    for _ in range(5):
        send(client, "economy:KOR", address="203.0.113.9", website="x")
        send(client, "economy:KOR", address="203.0.113.9", source_url="")
    for _ in range(corrections.RATE_LIMIT):
        assert send(client, "economy:KOR", address="203.0.113.9").status_code == 302


# --- staff: accept or reject -----------------------------------------------------------------------


class _FormFields(HTMLParser):
    """The values a browser would submit from one form of an admin page."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside = form_id, False
        self.data: dict[str, str] = {}
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside or ("name" not in a and tag != "option"):
            return
        if tag == "input" and a.get("type") not in ("submit", "button", "checkbox", "file"):
            self.data[a["name"]] = a.get("value", "")
        elif tag == "input" and a.get("type") == "checkbox" and "checked" in a:
            self.data[a["name"]] = a.get("value", "on")
        elif tag == "select":
            self.select = a["name"]
            self.data.setdefault(a["name"], "")
        elif tag == "option" and self.select and "selected" in a:
            self.data[self.select] = a.get("value", "")
        elif tag == "textarea":
            self.textarea = a["name"]
            self.data[a["name"]] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.data[self.textarea] += data


def form_fields(html: str, form_id: str) -> dict[str, str]:
    parser = _FormFields(form_id)
    parser.feed(html)
    data = {name: value for name, value in parser.data.items() if "__prefix__" not in name}
    data.pop("csrfmiddlewaretoken", None)
    return data


@pytest.fixture
def staff() -> Client:
    user = User.objects.create_superuser("reviewer", "reviewer@example.org", "pw")
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def report_about(record: str, **fields: Any) -> CorrectionReport:
    kind, _, key = record.partition(":")
    return CorrectionReport.objects.create(
        record_kind=kind,
        record_key=key,
        message="Wrong name",
        source_url=SOURCE,
        contact_email="reporter-private@example.org",
        sender=corrections.sender_of("192.0.2.1"),
        **fields,
    )


def test_staff_see_open_reports_first(staff: Client) -> None:
    report_about("economy:KOR")
    response = staff.get("/admin/agreements/correctionreport/")
    assert response.status_code == 302 and response["Location"].endswith("?status__exact=open")
    listing = staff.get(response["Location"]).content.decode()
    assert "Wrong name" in listing
    assert staff.get("/admin/agreements/correctionreport/add/").status_code == 403


def test_accepting_saves_the_record_with_the_report_in_its_history(staff: Client, client: Client) -> None:
    arrangement = Arrangement.objects.get(key="CHN-KOR-2013")
    report = report_about("arrangement:CHN-KOR-2013")
    page = staff.get(f"/admin/agreements/correctionreport/{report.pk}/change/").content.decode()
    accept = re.search(r'<a href="([^"]+)" class="historylink" data-testid="accept-correction">', page)
    assert accept
    form_url = accept.group(1).replace("&amp;", "&")
    assert form_url == f"/admin/agreements/arrangement/{arrangement.pk}/change/?correction={report.pk}"
    form_page = staff.get(form_url).content.decode()
    assert 'data-testid="correction-banner"' in form_page and "Wrong name" in form_page
    data = form_fields(form_page, "arrangement_form")
    sources = arrangement.sources.count()
    assert data[f"sources-{sources}-url"] == SOURCE  # the new source row, pre-filled
    data["notes"] = data.get("notes", "") + " Corrected."
    response = staff.post(form_url, data)
    assert response.status_code == 302, response.content.decode()[:3000]

    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED and report.handled_by is not None
    latest = arrangement.history.latest()
    assert report.change_history_id == latest.history_id
    assert latest.history_change_reason == f"Correction report #{report.pk}"
    source = Source.objects.get(arrangement=arrangement, url=SOURCE)
    assert source.history.latest().history_change_reason == f"Correction report #{report.pk}"

    # The record's public History links the report; its page shows what was reported, no contact.
    record_page = client.get("/arrangements/CHN-KOR-2013/").content.decode()
    assert f'<a href="/corrections/{report.pk}/" data-testid="change-correction">' in record_page
    detail = client.get(f"/corrections/{report.pk}/").content.decode()
    assert "Wrong name" in detail and SOURCE in detail
    assert "reporter-private@example.org" not in detail
    assert 'data-handled="1"' in client.get("/corrections/").content.decode()


def test_an_accepted_report_cannot_be_accepted_again(staff: Client) -> None:
    report = report_about("territory:FRA")
    url = f"/admin/agreements/territory/FRA/change/?correction={report.pk}"
    data = form_fields(staff.get(url).content.decode(), "territory_form")
    assert staff.post(url, {**data, "name": "France (corrected)"}).status_code == 302
    first = Territory.objects.get(pk="FRA").history.latest().history_id
    again = staff.get(url, follow=True).content.decode()
    assert "is accepted already" in again and 'data-testid="correction-banner"' not in again
    report.refresh_from_db()
    assert report.change_history_id == first


def test_a_report_opens_only_the_form_of_its_own_record(staff: Client) -> None:
    report = report_about("territory:FRA")
    page = staff.get(f"/admin/agreements/territory/DEU/change/?correction={report.pk}", follow=True)
    assert "is about another record" in page.content.decode()
    assert 'data-testid="correction-banner"' not in page.content.decode()


def test_rejecting_needs_a_reason(staff: Client, client: Client) -> None:
    report = report_about("economy:KOR")
    url = f"/admin/agreements/correctionreport/{report.pk}/reject/"
    assert staff.post(url, {"reason": " "}).status_code == 200
    report.refresh_from_db()
    assert report.status == ReportStatus.OPEN
    assert staff.post(url, {"reason": "The source is a third-party blog."}).status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.REJECTED and report.rejection_reason.startswith("The source")
    assert client.get(f"/corrections/{report.pk}/").status_code == 404  # only accepted ones are shown
    counts = client.get("/corrections/").content.decode()
    assert 'data-open="0" data-handled="1"' in counts


def test_a_report_can_be_pointed_at_an_existing_record_only(staff: Client) -> None:
    report = report_about("")
    url = f"/admin/agreements/correctionreport/{report.pk}/change/"
    bad = staff.post(url, {"record_kind": "economy", "record_key": "XXX"})
    assert bad.status_code == 200 and "There is no economy" in bad.content.decode()
    assert staff.post(url, {"record_kind": "economy", "record_key": "KOR"}).status_code == 302
    report.refresh_from_db()
    assert report.record == "economy:KOR"


def test_counts_are_public_and_computed_when_asked(client: Client) -> None:
    report_about("economy:KOR")
    report_about(
        "economy:KOR", status=ReportStatus.REJECTED, rejection_reason="no", handled_at=timezone.now()
    )
    for path in ("/corrections/", NEW, "/zh-hans/corrections/"):
        html = client.get(path).content.decode()
        assert 'data-open="1" data-handled="1"' in html, path
    assert corrections.report_counts() == corrections.ReportCounts(open=1, accepted=0, rejected=1)
    quality = client.get("/data/quality/").content.decode()
    assert 'href="/corrections/"' in quality


# --- the contact never leaves the admin ------------------------------------------------------------


def public_urls(accepted: int) -> list[str]:
    """Every public route of dashboard/urls.py (pages, feeds, downloads) and the plain API with a
    valid path value, in both languages, with the CSV and JSON twins of those that have them; the
    REST API's records; and the accepted report's own page."""
    urls = []
    for name, parameter in ROUTES:
        path = url_for(name, parameter, str(accepted) if name == "correction-detail" else None)
        path += "?economy=KOR" if name == "api-summary" else ""  # its one required parameter
        urls.append(path)
        if not path.startswith(("/api/", "/data/aeo-registry-data.zip", "/ping")):
            urls.append(f"/zh-hans{path}")
        if "format" in KNOWN[name]:
            query = "&list=single_source" if name == "data-quality" else ""
            urls += [f"{path}?format=csv{query}", f"{path}?format=json{query}"]
    urls += [
        "/api/v1/arrangements/", "/api/v1/arrangements/CHN-KOR-2013/", "/api/v1/economies/KOR/",
        "/api/v1/territories/FRA/", "/api/v1/blocs/RCEP/", "/api/v1/claim-records/", "/api/v1/schema/",
    ]  # fmt: skip
    return urls


def test_the_contact_never_appears_in_any_page_feed_export_or_api(staff: Client, client: Client) -> None:
    contact = "unique-contact-7f3a9c@example.org"
    assert send(client, "arrangement:CHN-KOR-2013", contact_email=contact).status_code == 302
    report = CorrectionReport.objects.get()
    url = f"/admin/agreements/arrangement/{Arrangement.objects.get(key='CHN-KOR-2013').pk}/change/?correction={report.pk}"
    assert (
        staff.post(url, form_fields(staff.get(url).content.decode(), "arrangement_form")).status_code == 302
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
    needles = [contact.encode(), contact.split("@")[0].encode()]
    urls = [*public_urls(report.pk), f"/corrections/thanks/?record={report.record}"]
    assert len(urls) > 60 and f"/corrections/{report.pk}/" in urls
    for path in urls:
        for visitor in (client, staff):
            response = visitor.get(path)
            assert response.status_code == 200, path
            content = response.getvalue()
            if content.startswith(b"PK"):  # the data zip: every file in it
                with zipfile.ZipFile(io.BytesIO(content)) as zipped:
                    content = b"".join(zipped.read(name) for name in zipped.namelist())
            assert not any(needle in content for needle in needles), path
    # Only the admin shows it, to staff.
    assert (
        contact
        in staff.get(reverse("admin:agreements_correctionreport_change", args=[report.pk])).content.decode()
    )


def test_rejecting_needs_the_permission_to_change_reports(client: Client) -> None:
    report = report_about("economy:KOR")
    clerk = User.objects.create_user("clerk", "clerk@example.org", "pw", is_staff=True)
    client.force_login(clerk)
    response = client.post(f"/admin/agreements/correctionreport/{report.pk}/reject/", {"reason": "no"})
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == ReportStatus.OPEN
