"""CSV and JSON twins of every list: the same rows as the page, the same validation, pinned bytes."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.http import HttpResponseBase
from django.test import Client
from django.utils import timezone

from agreements.models import Arrangement, Source
from agreements.spreadsheet import neutralise, restore

pytestmark = pytest.mark.django_db

RCEP_PARTNERS = "/partners/?economy=CHN&as_of=2021-08-31&bloc=RCEP"
LISTS = [
    "/partners/?economy=CHN&as_of=2021-08-31",
    "/arrangements/?evidence=confirmed",
    "/economies/",
    "/territories/",
    "/blocs/",
    "/ranking/?as_of=2021-08-31",
    "/claims/",
]


def body(response: HttpResponseBase) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return response.content  # type: ignore[attr-defined]


def twin(url: str, fmt: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}format={fmt}"


def get_csv(client: Client, url: str) -> list[dict[str, str]]:
    response = client.get(twin(url, "csv"))
    assert response.status_code == 200, body(response)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(body(response).decode("utf-8"), newline="")))


def get_json(client: Client, url: str) -> dict[str, Any]:
    response = client.get(twin(url, "json"))
    assert response.status_code == 200, body(response)
    assert response["Content-Type"] == "application/json"
    data: dict[str, Any] = json.loads(body(response))
    return data


def all_page_keys(client: Client, url: str) -> list[str]:
    keys: list[str] = []
    number = 1
    while True:
        cache.clear()  # read the rendered page's context, not the page cache's copy
        response = client.get(f"{url}&page={number}")
        page = response.context["page_obj"]
        keys += [arrangement.key for arrangement in page]
        if not page.has_next():
            return keys
        number += 1


# The acceptance tests of the issue


def test_rcep_partners_are_the_same_five_rows_on_the_page_in_csv_and_in_json(client: Client) -> None:
    html = client.get(RCEP_PARTNERS).content.decode()
    on_page = re.findall(r'<tr data-territory="(\w+)"', html)
    assert on_page == ["AUS", "JPN", "KOR", "NZL", "SGP"]
    assert [row["territory"] for row in get_csv(client, RCEP_PARTNERS)] == on_page
    data = get_json(client, RCEP_PARTNERS)
    assert data["count"] == 5
    assert [row["territory"] for row in data["rows"]] == on_page


def test_chinas_arrangements_are_the_same_rows_in_the_same_order_in_all_three(client: Client) -> None:
    url = "/arrangements/?party=CHN"
    on_pages = all_page_keys(client, url)
    assert len(on_pages) == 31
    assert [row["key"] for row in get_csv(client, url)] == on_pages
    data = get_json(client, url)
    assert data["count"] == 31
    assert [row["key"] for row in data["rows"]] == on_pages


def test_an_export_lists_every_row_not_one_page(client: Client) -> None:
    total = Arrangement.objects.count()
    assert total > 50
    assert len(get_csv(client, "/arrangements/?page=2")) == total
    assert len(all_page_keys(client, "/arrangements/?ordering=-key")) == total
    assert [r["key"] for r in get_csv(client, "/arrangements/?ordering=-key")] == all_page_keys(
        client, "/arrangements/?ordering=-key"
    )


PINNED_RCEP_CSV = (
    b"territory,territory_name,economy,economy_name,arrangement,arrangement_title,signed_date,"
    b"signed_precision,effective_date,effective_precision,evidence,evidence_name,blocs,blocs_name\r\n"
    b"AUS,Australia,AUS,Australia,CHN-AUS-2017,,2017-11-01,month,2023-12-14,day,confirmed,Confirmed,"
    b"RCEP,Regional Comprehensive Economic Partnership\r\n"
    b"JPN,Japan,JPN,Japan,CHN-JPN-2018,,2018-10-26,day,2019-06-01,day,confirmed,Confirmed,"
    b"RCEP,Regional Comprehensive Economic Partnership\r\n"
    b'KOR,"Korea, Republic of",KOR,"Korea, Republic of",CHN-KOR-2013,,2013-06-27,day,2014-04-01,day,'
    b"confirmed,Confirmed,BRI_COOP;RCEP,"
    b"Belt and Road (cooperation-document signatories) ; Regional Comprehensive Economic Partnership\r\n"
    b"NZL,New Zealand,NZL,New Zealand,CHN-NZL-2017,,2017-03-27,day,2017-07-01,day,confirmed,Confirmed,"
    b"BRI_COOP;RCEP,"
    b"Belt and Road (cooperation-document signatories) ; Regional Comprehensive Economic Partnership\r\n"
    b"SGP,Singapore,SGP,Singapore,CHN-SGP-2012,,2012-06-01,month,2013-03-15,day,confirmed,Confirmed,"
    b"BRI;BRI_COOP;RCEP,Belt and Road (countries along the routes) ; "
    b"Belt and Road (cooperation-document signatories) ; Regional Comprehensive Economic Partnership\r\n"
)


def test_the_rcep_partners_csv_has_exactly_these_bytes_and_file_name(client: Client) -> None:
    response = client.get(f"{RCEP_PARTNERS}&format=csv")
    assert response.streaming
    assert body(response) == PINNED_RCEP_CSV
    assert response["Content-Disposition"] == 'attachment; filename="partners-CHN-2021-08-31.csv"'


def test_the_json_envelope_has_stable_keys_parameters_and_typed_values(client: Client) -> None:
    data = get_json(client, RCEP_PARTNERS)
    assert list(data) == ["view", "parameters", "count", "rows"]
    assert data["view"] == "partners"
    assert data["parameters"] == {
        "economy": "CHN",
        "as_of": "2021-08-31",
        "basis": "signed",
        "evidence": "inferred",
        "bloc": "RCEP",
    }
    header = list(get_csv(client, RCEP_PARTNERS)[0])
    assert all(list(row) == header for row in data["rows"])
    assert data["rows"][0]["arrangement_title"] is None
    claims = get_json(client, "/claims/")["rows"]
    assert isinstance(claims[0]["claimed"], int) and isinstance(claims[0]["match"], bool)


def test_codes_come_with_names_and_dates_are_iso(client: Client) -> None:
    row = next(r for r in get_csv(client, "/arrangements/?party=CHN&party=EUU"))
    assert (row["parties"], row["parties_name"]) == ("CHN;EUU", "China ; European Union")
    assert (row["status"], row["status_name"]) == ("in_force", "In force")
    assert row["signed_date"] == "2014-05-16"
    assert " ; " in row["sources"]
    assert row["sources"].split(" ; ") == [s.text for s in Source.objects.filter(arrangement__key=row["key"])]


@pytest.mark.parametrize("url", LISTS)
def test_every_list_has_both_twins_with_the_same_rows_and_columns(client: Client, url: str) -> None:
    rows = get_csv(client, url)
    data = get_json(client, url)
    assert data["count"] == len(rows) == len(data["rows"]) > 0
    assert list(rows[0]) == list(data["rows"][0])
    first = next(iter(rows[0]))
    assert [r[first] for r in rows] == [str(r[first]) for r in data["rows"]]


@pytest.mark.parametrize("url", LISTS)
def test_every_list_page_links_to_its_twins_with_its_query_string(client: Client, url: str) -> None:
    html = client.get(url).content.decode()
    query = url.partition("?")[2].replace("&", "&amp;")
    for fmt in ("csv", "json"):
        expected = f'href="?{query}&amp;format={fmt}"' if query else f'href="?format={fmt}"'
        assert re.search(rf'<a {re.escape(expected)} download data-testid="export-{fmt}">', html), expected


def test_the_export_link_drops_the_page_number(client: Client) -> None:
    html = client.get("/arrangements/?evidence=confirmed&page=2").content.decode()
    assert 'href="?evidence=confirmed&amp;format=csv"' in html


def test_file_names_name_the_view_and_the_day(client: Client) -> None:
    today = timezone.localdate().isoformat()
    expected = {
        "/arrangements/?party=CHN": f"arrangements-{today}.csv",
        "/ranking/?as_of=2021-08-31": "ranking-2021-08-31.csv",
        "/economies/": f"economies-{today}.csv",
        "/claims/": f"claims-{today}.csv",
    }
    for url, name in expected.items():
        assert client.get(twin(url, "csv"))["Content-Disposition"] == f'attachment; filename="{name}"'


# Errors: the same 400 as the page


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/arrangements/?party=XYZ", "party"),
        ("/arrangements/?signed_after=2021-02-30", "signed_after"),
        ("/partners/?economy=XYZ", "economy"),
        ("/partners/?economy=CHN&bloc=NATO", "bloc"),
        ("/ranking/?as_of=2021-13-01", "as_of"),
        ("/ranking/?basis=maybe", "basis"),
    ],
)
def test_an_invalid_parameter_is_400_in_every_format_naming_it(
    client: Client, url: str, parameter: str
) -> None:
    assert client.get(url).status_code == 400
    as_csv = client.get(twin(url, "csv"))
    assert as_csv.status_code == 400
    assert as_csv["Content-Type"] == "text/plain; charset=utf-8"
    assert f"{parameter}: " in as_csv.content.decode()
    as_json = client.get(twin(url, "json"))
    assert as_json.status_code == 400
    error = json.loads(as_json.content)
    assert error["error"] == "invalid parameters"
    assert error["parameters"] == [parameter]


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("fmt", ["xml", "CSV", "csv;", "<script>"])
def test_an_unknown_format_is_400(client: Client, url: str, fmt: str) -> None:
    response = client.get(url, {"format": fmt}) if "?" not in url else client.get(f"{url}&format={fmt}")
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert b"format" in response.content


# Formula injection


@pytest.mark.parametrize(
    "text",
    [
        "=cmd|' /C calc'!A0",
        "+1+1",
        "-2+3",
        "@SUM(A1)",
        "\tx",
        "\rx",
        "'=already",
        "''-twice",
        "plain",
        "",
        "'quoted",
    ],
)
def test_neutralising_is_undone_exactly_by_restore(text: str) -> None:
    escaped = neutralise(text)
    assert restore(escaped) == text
    assert escaped[:1] not in {"=", "+", "-", "@", "\t", "\r"}


def test_exported_cells_that_start_a_formula_are_neutralised(client: Client) -> None:
    arrangement = Arrangement.objects.get(key="USA-NZL-2007")
    arrangement.title = '=HYPERLINK("http://evil")'
    arrangement.notes = "@SUM(1+1)"
    arrangement.save()
    Source.objects.filter(arrangement=arrangement).delete()
    Source.objects.create(arrangement=arrangement, citation="-1+2", position=0)
    row = get_csv(client, "/arrangements/?q=USA-NZL")[0]
    assert row["title"] == '\'=HYPERLINK("http://evil")'
    assert row["notes"] == "'@SUM(1+1)"
    assert row["sources"] == "'-1+2"
    # JSON is data, not a spreadsheet: values as stored.
    assert get_json(client, "/arrangements/?q=USA-NZL")["rows"][0]["notes"] == "@SUM(1+1)"


def test_name_columns_follow_the_language_and_codes_do_not(client: Client) -> None:
    rows = get_csv(client, "/zh-hans/arrangements/?party=CHN&q=CHN-EUU-2014")
    assert [(r["key"], r["parties"], r["parties_name"]) for r in rows] == [
        ("CHN-EUU-2014", "CHN;EUU", "中国 ; 欧盟")
    ]
    english = get_csv(client, "/arrangements/?party=CHN&q=CHN-EUU-2014")
    assert english[0]["parties_name"] == "China ; European Union"
