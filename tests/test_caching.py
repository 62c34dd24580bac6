"""Pages are cached under the data version: fast when nothing changed, never stale after an edit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from agreements.models import Arrangement, ArrangementParty, EconomyMembership

pytestmark = pytest.mark.django_db

CHINA_2021 = "/api/v1/summary?economy=CHN&as_of=2021-08-31"


def queries(client: Client, url: str) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries), response.content


@pytest.mark.parametrize("url", ["/?economy=CHN&as_of=2021-08-31", CHINA_2021, "/arrangements/?party=CHN"])
def test_a_repeated_request_costs_one_query(client: Client, url: str) -> None:
    first, body = queries(client, url)
    again, cached = queries(client, url)
    assert first > 1
    assert again == 1  # the data version
    assert cached == body


def test_an_edit_through_the_orm_is_visible_at_once(client: Client) -> None:
    assert client.get(CHINA_2021).json()["partner_economies"] == 20
    arrangement = Arrangement.objects.get(key="CHN-GBR-2021")
    arrangement.signed_date = dt.date(2021, 9, 1)
    arrangement.save()
    assert client.get(CHINA_2021).json()["partner_economies"] == 19


def test_a_changed_membership_is_visible_at_once(client: Client) -> None:
    assert client.get(CHINA_2021).json()["partner_countries"] == 46
    EconomyMembership.objects.get(economy_id="EUU", territory_id="FRA").delete()
    assert client.get(CHINA_2021).json()["partner_countries"] == 45


def test_a_removed_party_is_visible_at_once(client: Client) -> None:
    html = client.get("/partners/?economy=CHN&as_of=2021-08-31&bloc=RCEP").content.decode()
    assert 'data-territory="NZL"' in html
    ArrangementParty.objects.get(arrangement__key="CHN-NZL-2017", economy_id="NZL").delete()
    html = client.get("/partners/?economy=CHN&as_of=2021-08-31&bloc=RCEP").content.decode()
    assert 'data-territory="NZL"' not in html


def test_errors_are_not_cached(client: Client) -> None:
    assert client.get("/api/v1/summary?economy=XYZ").status_code == 400
    with CaptureQueriesContext(connection) as context:
        assert client.get("/api/v1/summary?economy=XYZ").status_code == 400
    count = len(context.captured_queries)
    assert count > 1


def test_different_query_strings_are_different_pages(client: Client) -> None:
    assert client.get("/api/v1/summary?economy=CHN&as_of=2017-03-07").json()["partner_countries"] == 32
    assert client.get(CHINA_2021).json()["partner_countries"] == 46
