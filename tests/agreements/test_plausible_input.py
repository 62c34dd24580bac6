"""Staff input that takes no page down (issue 11, findings 3, 6 and 9).

- Dates outside the plausible range (events and claims from 1990, memberships from 1950, nothing
  more than ten years ahead) are refused by the models, so by the admin, the REST API and imports
  alike; `as_of` has the same bound; charts clamp what was stored before.
- C0 control characters other than tab and newlines are refused in every text field, and the Atom
  feed drops any that are stored anyway.
- Registry text handed to plotly is escaped: a name can never become a link or a styled span.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.core.exceptions import ValidationError
from django.db.models import CharField, Field, TextField, URLField
from django.test import Client
from rest_framework.authtoken.models import Token

from agreements.imports import import_table
from agreements.models import (
    Arrangement,
    Bloc,
    BlocMembership,
    Claim,
    Economy,
    EconomyMembership,
    Source,
    Territory,
)
from agreements.reference import COLUMNS
from agreements.validators import latest_date
from dashboard import charts
from tests.agreements.test_admin import all_errors, post_arrangement

pytestmark = pytest.mark.django_db

YEAR_ONE = "0001-01-01"


def token() -> str:
    user = User.objects.create_user("api-editor", password="pw", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_arrangement", "change_arrangement"])
    )
    return Token.objects.create(user=user).key


def patch(client: Client, path: str, data: dict[str, Any]) -> Any:
    return client.patch(path, data, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token()}")


def figure(html: str, element_id: str) -> dict[str, Any]:
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, element_id
    return dict(json.loads(match[1]))


# Finding 3: dates.


def test_the_models_refuse_an_event_in_year_one_and_a_date_beyond_ten_years_naming_the_bounds() -> None:
    arrangement = Arrangement.objects.get(key="CHN-KOR-2013")
    arrangement.signed_date = dt.date(1, 1, 1)
    with pytest.raises(ValidationError, match="1990-01-01") as refused:
        arrangement.full_clean()
    assert latest_date().isoformat() in str(refused.value)
    arrangement.signed_date = latest_date() + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="signed_date"):
        arrangement.full_clean()


def test_the_rest_api_refuses_an_implausible_date_with_a_400_naming_the_field(client: Client) -> None:
    response = patch(client, "/api/v1/arrangements/CHN-KOR-2013/", {"signed_date": YEAR_ONE})
    assert response.status_code == 400
    assert "1990-01-01" in response.json()["signed_date"][0]
    assert Arrangement.objects.get(key="CHN-KOR-2013").signed_date == dt.date(2013, 6, 27)


def test_an_import_refuses_an_implausible_date_on_its_line() -> None:
    row = {
        "key": "QDATE-1",
        "parties": "CHN;KOR",
        "signed_date": YEAR_ONE,
        "signed_precision": "day",
        "status": "signed",
        "evidence": "confirmed",
    }
    content = ",".join(COLUMNS["arrangements.csv"]) + "\n"
    content += ",".join(row.get(column, "") for column in COLUMNS["arrangements.csv"]) + "\n"
    result = import_table("arrangements.csv", content.encode(), commit=True)
    assert not result.applied
    assert "1990-01-01" in result.rows[0].messages[0]


def test_a_date_stored_before_the_bounds_takes_no_page_down(client: Client) -> None:
    # Written around the validators, as data from before them would be.
    Arrangement.objects.filter(key="CHN-KOR-2013").update(signed_date=dt.date(1, 1, 1))
    for path in ("/", "/?economy=KOR", "/?economy=CHN&as_of=2021-08-31", "/zh-hans/"):
        response = client.get(path)
        assert response.status_code == 200, path
    html = client.get("/?economy=KOR").content.decode()
    start, end = figure(html, "race-countries-figure")["layout"]["xaxis"]["range"]
    assert start >= "1989-01-01" and end <= latest_date().isoformat()


@pytest.mark.parametrize("as_of", ["9999-12-31", "0001-01-01", "1989-12-31"])
def test_as_of_outside_the_bounds_is_refused_everywhere(client: Client, as_of: str) -> None:
    api = client.get(f"/api/v1/summary?economy=CHN&as_of={as_of}")
    assert api.status_code == 400 and api.json()["parameters"] == ["as_of"]
    assert client.get(f"/api/v1/ranking?as_of={as_of}").status_code == 400
    page = client.get(f"/?economy=CHN&as_of={as_of}")
    assert page.status_code == 400
    assert "1990-01-01" in page.content.decode()
    assert client.get(f"/ranking/?as_of={as_of}").status_code == 400
    assert client.get(f"/partners/?economy=CHN&as_of={as_of}").status_code == 400


def test_the_first_plausible_day_is_accepted(client: Client) -> None:
    assert client.get("/api/v1/summary?economy=CHN&as_of=1990-01-01").status_code == 200


# Finding 6: control characters.


@pytest.mark.parametrize("text", ["a\u000bb", "nul\u0000", "bell\u0007", "esc\u001b"])
def test_text_with_a_control_character_is_refused_with_a_400(client: Client, text: str) -> None:
    response = patch(client, "/api/v1/arrangements/CHN-KOR-2013/", {"notes": text})
    assert response.status_code == 400
    assert "control character" in response.json()["notes"][0]


def test_tabs_and_line_breaks_are_still_text() -> None:
    economy = Economy.objects.get(code="KOR")
    arrangement = Arrangement.objects.get(key="CHN-KOR-2013")
    arrangement.notes = "line one\r\nline two\twith a tab"
    arrangement.full_clean()
    economy.full_clean()


def test_a_stored_control_character_does_not_break_the_atom_feed(client: Client) -> None:
    arrangement = Arrangement.objects.get(key="CHN-KOR-2013")
    arrangement.notes = "soft\u000bbreak"
    arrangement.save()  # save() does not validate: a row from before the validators
    response = client.get("/changes/feed/")
    assert response.status_code == 200
    feed = ET.fromstring(response.content)
    assert "softbreak" in ET.tostring(feed, encoding="unicode")


# Finding 9: text handed to plotly.


def test_names_reach_plotly_escaped_once() -> None:
    race = {
        "codes": ["KOR", "EVL"],
        "names": {"KOR": "Korea", "EVL": 'Evil <a href="https://evil.example/">EVIL</a> & co'},
        "series": {"KOR": [(dt.date(2010, 1, 1), 1, 1)], "EVL": [(dt.date(2011, 1, 1), 1, 1)]},
        "until": dt.date(2021, 8, 31),
    }
    traces = charts.race_chart(race, "countries")["data"]
    assert traces[1]["name"] == 'Evil &lt;a href="https://evil.example/"&gt;EVIL&lt;/a&gt; &amp; co (EVL)'
    assert "<a" not in json.dumps(traces)


def test_a_name_with_markup_is_escaped_on_the_dashboard_map_and_race(client: Client) -> None:
    Economy.objects.filter(code="KOR").update(name='Korea <span style="color:red">X</span>')
    html = client.get("/?economy=KOR&as_of=2021-08-31").content.decode()
    for element_id in ("map-figure", "race-countries-figure"):
        text = json.dumps(figure(html, element_id)["data"])
        assert "<span" not in text and "&lt;span" in text, element_id


# Review of the above: the bounds per kind of date, every text field, the feed's whole XML range,
# and chart text that plotly must read neither as markup nor as a template.

REGISTRY_MODELS = [Territory, Economy, EconomyMembership, Bloc, BlocMembership, Arrangement, Source, Claim]


def test_the_admin_refuses_an_event_in_year_one_naming_the_bound(admin_client: Client) -> None:
    response = post_arrangement(admin_client, ["CHN", "KOR"], key="QADMIN-1", signed_date=YEAR_ONE)
    assert response.status_code == 200
    assert "1990-01-01" in all_errors(response)
    assert not Arrangement.objects.filter(key="QADMIN-1").exists()


def test_memberships_reach_back_to_1950_so_the_eec_founders_stay_valid() -> None:
    founder = EconomyMembership.objects.get(economy="EUU", territory="FRA")
    assert founder.start_date == dt.date(1958, 1, 1)
    founder.full_clean()
    founder.start_date = dt.date(1949, 12, 31)
    with pytest.raises(ValidationError, match="1950-01-01"):
        founder.full_clean()
    bloc_member = BlocMembership.objects.filter(end_date__isnull=False).first()
    assert bloc_member is not None
    bloc_member.end_date = latest_date() + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="end_date"):
        bloc_member.full_clean()


def test_a_claim_from_before_1990_is_refused() -> None:
    claim = Claim.objects.order_by("as_of").first()
    assert claim is not None
    claim.as_of = dt.date(1989, 12, 31)
    with pytest.raises(ValidationError, match="1990-01-01"):
        claim.full_clean()


def test_every_stored_reference_date_is_within_its_bounds() -> None:
    # The bounds were chosen from data/: events from 2007, claims from 2017, memberships from 1958.
    for model in (Arrangement, Claim, EconomyMembership, BlocMembership):
        for record in model.objects.all():
            record.clean_fields()


def _text_fields() -> list[Field[Any, Any]]:
    """Every free-text field of the registry models (choice fields refuse anything else anyway)."""
    return [
        field
        for model in REGISTRY_MODELS
        for field in model._meta.concrete_fields
        if isinstance(field, CharField | TextField) and not field.choices
    ]


@pytest.mark.parametrize("field", _text_fields(), ids=lambda field: f"{field.model.__name__}.{field.name}")
@pytest.mark.parametrize("character", ["\u0001", "\u000b", "\u001f"])
def test_every_text_field_refuses_a_control_character(field: Field[Any, Any], character: str) -> None:
    value = f"https://example.com/a{character}b" if isinstance(field, URLField) else f"QA{character}B"
    with pytest.raises(ValidationError):
        field.run_validators(value)


@pytest.mark.parametrize(
    ("field", "value"),
    [(Arrangement._meta.get_field("key"), "QKEY-1\n"), (Bloc._meta.get_field("code"), "QB\n")],
)
def test_a_key_cannot_end_in_a_line_break(field: Field[Any, Any], value: str) -> None:
    with pytest.raises(ValidationError):
        field.run_validators(value)


def test_an_import_refuses_a_vertical_tab_in_a_note_on_its_line() -> None:
    row = {
        "key": "QTEXT-1",
        "parties": "CHN;KOR",
        "signed_date": "2020-01-01",
        "signed_precision": "day",
        "status": "signed",
        "evidence": "confirmed",
        "notes": "soft\u000bbreak",
    }
    content = ",".join(COLUMNS["arrangements.csv"]) + "\n"
    content += ",".join(row.get(column, "") for column in COLUMNS["arrangements.csv"]) + "\n"
    result = import_table("arrangements.csv", content.encode(), commit=True)
    assert not result.applied
    assert "control character U+000B" in " ".join(result.rows[0].messages)


@pytest.mark.parametrize("text", ["not\ufffea character", "not\uffffa character", "soft\u000bbreak"])
def test_the_feed_drops_whatever_xml_cannot_hold(client: Client, text: str) -> None:
    arrangement = Arrangement.objects.get(key="CHN-KOR-2013")
    arrangement.notes = text
    arrangement.save()  # no validation: as a row from before the validators
    response = client.get("/changes/feed/")
    assert response.status_code == 200
    feed = ET.tostring(ET.fromstring(response.content), encoding="unicode")  # parses: well-formed
    assert text.replace("\ufffe", "").replace("\uffff", "").replace("\u000b", "") in feed


def test_charts_clamp_stored_dates_into_the_plausible_range(client: Client) -> None:
    Arrangement.objects.filter(key="CHN-KOR-2013").update(signed_date=dt.date(1, 1, 1))
    html = client.get("/?economy=KOR&as_of=2021-08-31").content.decode()
    race = figure(html, "race-countries-figure")
    assert min(x for trace in race["data"] for x in trace["x"]) >= "1990-01-01"
    partners = figure(html, "map-figure")["data"][1]
    assert partners["zmin"] >= 1990 and min(partners["z"]) >= 1990


def test_a_name_is_never_read_as_a_hover_template() -> None:
    race = {
        "codes": ["KOR"],
        "names": {"KOR": "Korea %{y} <b>"},
        "series": {"KOR": [(dt.date(2010, 1, 1), 1, 1)]},
        "until": dt.date(2021, 8, 31),
    }
    trace = charts.race_chart(race, "countries")["data"][0]
    assert trace["name"] == "Korea &#37;{y} &lt;b&gt; (KOR)"
    assert trace["hovertemplate"] == "%{y} on %{x}<extra>Korea &#37;{y} &lt;b&gt;</extra>"


def test_chinese_names_pass_unchanged_and_an_ampersand_is_escaped_once(client: Client) -> None:
    Economy.objects.filter(code="KOR").update(name="Korea & <Co>")
    html = client.get("/?economy=KOR&as_of=2021-08-31").content.decode()
    names = [trace["name"] for trace in figure(html, "race-countries-figure")["data"]]
    assert names[0] == "Korea &amp; &lt;Co&gt; (KOR)"
    zh = client.get("/zh-hans/?economy=CHN&as_of=2021-08-31").content.decode()
    names = [trace["name"] for trace in figure(zh, "race-countries-figure")["data"]]
    assert names[0] == "中国 (CHN)"
    assert all("&amp;" not in name for name in names)
