"""Spreadsheets (issue 15, item 5): every list as an Excel workbook with dates as dates, and the CSV
with a byte-order mark for Excel; the file names carry the language when it is not English."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.test import Client

from agreements.models import Economy
from agreements.versioning import current_version
from dashboard import exports, workbook

pytestmark = pytest.mark.django_db

PARTNERS = "/partners/?economy=CHN&as_of=2021-08-31"
LISTS = [
    "/partners/?economy=KOR",
    "/ranking/",
    "/claims/",
    "/arrangements/",
    "/economies/",
    "/territories/",
    "/blocs/",
]


def body(response: object) -> bytes:
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def test_the_partners_workbook_holds_46_rows_with_real_dates_and_an_about_sheet(client: Client) -> None:
    response = client.get(PARTNERS + "&format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == workbook.CONTENT_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="partners-CHN-2021-08-31.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(body(response)))
    assert book.sheetnames == ["partners", "about"]
    rows = list(book["partners"].iter_rows(values_only=True))
    header, data = rows[0], rows[1:]
    assert len(data) == 46
    signed = header.index("signed_date")
    assert all(isinstance(row[signed], dt.datetime) for row in data)
    assert book["partners"].cell(row=2, column=signed + 1).number_format == "yyyy-mm-dd"
    csv_rows = list(csv.reader(io.StringIO(body(client.get(PARTNERS + "&format=csv")).decode())))
    assert list(header) == csv_rows[0]
    assert [row[0] for row in data] == [row[0] for row in csv_rows[1:]]
    about = dict(book["about"].iter_rows(values_only=True))
    assert about["data version"] == current_version()
    assert about["rows"] == 46
    assert "CC BY 4.0" in about["licence"]
    assert about["parameter: as_of"] == "2021-08-31"


@pytest.mark.parametrize("url", LISTS)
def test_every_list_has_an_excel_twin_with_the_csvs_rows(client: Client, url: str) -> None:
    joiner = "&" if "?" in url else "?"
    book = openpyxl.load_workbook(io.BytesIO(body(client.get(f"{url}{joiner}format=xlsx"))), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    csv_rows = list(csv.reader(io.StringIO(body(client.get(f"{url}{joiner}format=csv")).decode())))
    assert list(rows[0]) == csv_rows[0]
    assert len(rows) == len(csv_rows)


def test_a_name_that_looks_like_a_formula_stays_text_in_the_workbook(client: Client) -> None:
    Economy.objects.filter(code="KOR").update(name='=HYPERLINK("http://evil.example")\x07')
    book = openpyxl.load_workbook(io.BytesIO(body(client.get("/economies/?format=xlsx"))))
    sheet = book.worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row if str(cell.value).startswith("=HYPERLINK")]
    assert len(cells) == 1
    assert cells[0].data_type == "s"
    assert cells[0].value == '=HYPERLINK("http://evil.example")'


def test_csv_for_excel_starts_with_a_byte_order_mark_and_the_plain_csv_does_not(client: Client) -> None:
    plain = body(client.get(PARTNERS + "&format=csv"))
    excel = body(client.get(PARTNERS + "&format=csv&bom=1"))
    assert not plain.startswith(exports.UTF8_BOM)
    assert excel == exports.UTF8_BOM + plain
    assert client.get(PARTNERS + "&format=csv&bom=yes").status_code == 400


def test_file_names_carry_the_language_when_it_is_not_english(client: Client) -> None:
    chinese = client.get("/zh-hans" + PARTNERS + "&format=csv")
    assert chinese["Content-Disposition"] == 'attachment; filename="partners-CHN-2021-08-31.zh-hans.csv"'
    workbook_name = client.get("/zh-hans" + PARTNERS + "&format=xlsx")["Content-Disposition"]
    assert workbook_name == 'attachment; filename="partners-CHN-2021-08-31.zh-hans.xlsx"'


def test_the_list_pages_link_every_twin(client: Client) -> None:
    page = client.get(PARTNERS).content.decode()
    for testid in ("export-csv", "export-csv-bom", "export-xlsx", "export-json"):
        assert f'data-testid="{testid}"' in page
    assert "format=csv&amp;bom=1" in page and "format=xlsx" in page
