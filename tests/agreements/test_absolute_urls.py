"""Every model with a page says where it is (`get_absolute_url`, issue 12, item 7): the pages, the
history and the admin's "View on site" all link there."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from agreements.models import Arrangement, Bloc, CorrectionReport, Economy, Territory
from agreements.models.corrections import ReportStatus

pytestmark = pytest.mark.django_db

RECORD_PAGES = [
    (Arrangement, {"key": "EUU-JPN-2010"}, "/arrangements/EUU-JPN-2010/"),
    (Economy, {"code": "CHN"}, "/economies/CHN/"),
    (Territory, {"iso3": "FRA"}, "/territories/FRA/"),
    (Bloc, {"code": "RCEP"}, "/blocs/RCEP/"),
]


@pytest.mark.parametrize(("model", "lookup", "page"), RECORD_PAGES, ids=lambda v: getattr(v, "__name__", ""))
def test_a_record_knows_its_page(
    client: Client, model: type[Model], lookup: dict[str, str], page: str
) -> None:
    record = model._default_manager.get(**lookup)
    assert record.get_absolute_url() == page  # type: ignore[attr-defined]
    assert client.get(page).status_code == 200


@pytest.mark.parametrize(("model", "lookup", "page"), RECORD_PAGES, ids=lambda v: getattr(v, "__name__", ""))
def test_the_admin_views_a_record_on_its_page(
    admin_client: Client, model: type[Model], lookup: dict[str, str], page: str
) -> None:
    record = model._default_manager.get(**lookup)
    opts = model._meta
    change = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk]))
    assert change.status_code == 200
    assert "View on site" in change.content.decode()
    response = admin_client.get(change.context["absolute_url"])
    assert response.status_code == 302
    assert response["Location"].endswith(page)


def test_only_an_accepted_report_is_viewed_on_site() -> None:
    report_admin = admin.site.get_model_admin(CorrectionReport)
    accepted = CorrectionReport(pk=7, status=ReportStatus.ACCEPTED)
    assert report_admin.get_view_on_site_url(accepted) == "/corrections/7/" == accepted.get_absolute_url()
    assert report_admin.get_view_on_site_url(CorrectionReport(pk=8, status=ReportStatus.OPEN)) is None
    assert report_admin.get_view_on_site_url(CorrectionReport(pk=9, status=ReportStatus.REJECTED)) is None
