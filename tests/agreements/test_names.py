"""Names follow the request's language: the records' own `name`, and in Chinese their `name_zh`
(data, loaded from data/ and editable in the admin), with the English name where it is blank."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from agreements import selectors
from agreements.models import Bloc, Economy, Territory
from agreements.names import local, local_name
from dashboard.templatetags.local_names import local_name as local_name_filter

pytestmark = pytest.mark.django_db

# Every code's Chinese name as the site showed it while names came from pycountry and two Python
# dictionaries (written once, before they were removed): the data must show the same.
BEFORE = Path(settings.BASE_DIR) / "tests" / "chinese_names_before.csv"
# Names corrected in the data since: (table, code) -> the corrected name. Cambodia was 柬埔塞 (a
# typo for 柬埔寨 in the translation the site used), corrected in December 2026.
CORRECTED = {("territory", "KHM"): "柬埔寨", ("economy", "KHM"): "柬埔寨"}


def names_before(table: str) -> dict[str, tuple[str, str]]:
    with BEFORE.open(encoding="utf-8", newline="") as file:
        return {
            row["code"]: (row["name"], CORRECTED.get((table, row["code"]), row["shown_in_chinese"]))
            for row in csv.DictReader(file)
            if row["table"] == table
        }


@pytest.mark.parametrize(
    ("table", "lookup", "model"),
    [
        ("territory", "territory_names", Territory),
        ("economy", "economy_names", Economy),
        ("bloc", "bloc_names", Bloc),
    ],
)
def test_every_code_shows_the_same_chinese_name_as_before_names_became_data(
    table: str, lookup: str, model: Any
) -> None:
    before = names_before(table)
    with translation.override("zh-hans"):
        shown = getattr(selectors.lookups(), lookup)()
        by_record = {record.pk: local_name_filter(record) for record in model.objects.all()}
    with translation.override("en"):
        english = getattr(selectors.lookups(), lookup)()
    assert shown == {code: chinese for code, (_, chinese) in before.items()}
    assert by_record == shown
    assert english == {code: name for code, (name, _) in before.items()}


def test_known_chinese_names() -> None:
    with translation.override("zh-hans"):
        territories = selectors.lookups().territory_names()
        economies = selectors.lookups().economy_names()
        blocs = selectors.lookups().bloc_names()
    assert territories["HKG"] == economies["HKG"] == "中国香港"
    assert territories["MAC"] == "中国澳门"
    assert territories["TWN"] == "中国台湾"
    assert territories["KOR"] == economies["KOR"] == "韩国"
    assert territories["FRA"] == "法国"
    assert territories["CHN"] == "中国"
    assert economies["EUU"] == "欧盟"
    assert blocs["BRI"] == "一带一路沿线国家"
    assert blocs["BRI_COOP"] == "共建“一带一路”国家"
    assert blocs["RCEP"] == "区域全面经济伙伴关系协定"  # the code once, added by the page
    assert blocs["CEE"] == "中国—中东欧国家合作"


def test_english_keeps_the_records_names() -> None:
    with translation.override("en"):
        assert local_name(Territory.objects.get(iso3="HKG")) == "Hong Kong, China"
        assert local_name(Bloc.objects.get(code="RCEP")) == "Regional Comprehensive Economic Partnership"


def test_a_blank_chinese_name_shows_the_english_name() -> None:
    with translation.override("zh-hans"):
        assert local("Synthetic QAA", "") == "Synthetic QAA"
        assert local_name(Territory(iso3="QAA", name="Synthetic QAA")) == "Synthetic QAA"


def test_the_chinese_pages_show_the_data_s_chinese_names(client: Client) -> None:
    html = client.get("/zh-hans/territories/HKG/").content.decode()
    assert "<h1>中国香港 (HKG)</h1>" in html
    html = client.get("/zh-hans/blocs/RCEP/").content.decode()
    assert "<h1>区域全面经济伙伴关系协定 (RCEP)</h1>" in html


def admin_add(client: Client, model: type[Any], data: dict[str, str]) -> None:
    prefix = next(
        inline.formset.prefix
        for inline in client.get(reverse(f"admin:agreements_{model._meta.model_name}_add")).context[
            "inline_admin_formsets"
        ]
    )
    data = {
        **data,
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
        f"{prefix}-0-territory": "KOR",
        f"{prefix}-0-start_date": "2001-01-01",
        f"{prefix}-0-end_date": "",
        f"{prefix}-0-note": "",
    }
    response = client.post(reverse(f"admin:agreements_{model._meta.model_name}_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_an_economy_added_in_the_admin_shows_its_chinese_name_after_save(
    admin_client: Client, client: Client
) -> None:
    assert "测试海关联盟" not in client.get("/zh-hans/ranking/").content.decode()  # cached before the save
    admin_add(
        admin_client,
        Economy,
        {"code": "QPA", "name": "Qpa customs union", "name_zh": "测试海关联盟", "kind": "union"},
    )
    assert Economy.objects.get(code="QPA").name_zh == "测试海关联盟"
    assert "<h1>测试海关联盟 (QPA)</h1>" in client.get("/zh-hans/economies/QPA/").content.decode()
    assert "测试海关联盟 (QPA)" in client.get("/zh-hans/?economy=QPA").content.decode()  # lookups
    assert "<h1>Qpa customs union (QPA)</h1>" in client.get("/economies/QPA/").content.decode()


def test_a_bloc_added_in_the_admin_shows_its_chinese_name_after_save(
    admin_client: Client, client: Client
) -> None:
    admin_add(
        admin_client,
        Bloc,
        {"code": "QNEW", "name": "New Q bloc", "name_zh": "测试集团", "definition": "", "source": ""},
    )
    assert "<h1>测试集团 (QNEW)</h1>" in client.get("/zh-hans/blocs/QNEW/").content.decode()
    assert "测试集团" in client.get("/zh-hans/partners/?economy=CHN").content.decode()  # lookups
    assert "<h1>New Q bloc (QNEW)</h1>" in client.get("/blocs/QNEW/").content.decode()


def test_the_records_api_reads_and_writes_the_chinese_name(client: Client) -> None:
    from tests.api.test_rest import post, staff_token

    assert client.get("/api/v1/economies/HKG/").json()["name_zh"] == "中国香港"
    assert client.get("/api/v1/blocs/RCEP/").json()["name_zh"] == "区域全面经济伙伴关系协定"
    token = staff_token(codenames=("add_economy",))
    created = post(client, "/api/v1/economies/", {"code": "QAP", "name": "Q", "name_zh": "测试"}, token)
    assert created.status_code == 201
    with translation.override("zh-hans"):
        assert selectors.lookups().economy_names()["QAP"] == "测试"
