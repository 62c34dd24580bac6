"""The official figure beside ours (issue 13, item 7): the dashboard shows the claims ledger's
latest statement for the shown economy and basis as of the shown day, with each difference
explained, and nothing when the ledger holds none."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def section(body: str) -> str:
    match = re.search(r'<section aria-labelledby="official-title".*?</section>', body, re.S)
    return match.group(0) if match else ""


def test_china_on_2021_08_31_shows_china_customs_statement_with_the_cee_difference(client: Client) -> None:
    shown = section(client.get("/?economy=CHN&as_of=2021-08-31").content.decode())
    assert 'data-claim="GACC-2021-08"' in shown
    rows = dict(
        re.findall(r'<tr class="(match|difference)" data-metric="([^"]+)"', shown)[i][::-1] for i in range(6)
    )
    assert rows["partner_countries"] == "match" and rows["partner_economies"] == "match"
    assert rows["bloc:CEE"] == "difference"
    assert "Lithuania" in shown


def test_a_later_day_shows_the_latest_statement_before_it(client: Client) -> None:
    shown = section(client.get("/?economy=CHN&as_of=2021-12-31").content.decode())
    assert 'data-claim="GACC-2021-08"' in shown
    assert "The latest statement before this date" in shown


def test_no_statement_no_section(client: Client) -> None:
    assert section(client.get("/?economy=CHN&as_of=2012-01-01").content.decode()) == ""
    assert section(client.get("/?economy=AND&as_of=2021-08-31").content.decode()) == ""


def test_the_chinese_dashboard_shows_it_in_chinese(client: Client) -> None:
    shown = section(client.get("/zh-hans/?economy=CHN&as_of=2021-08-31").content.decode())
    assert "官方数字与本站数字对照" in shown
