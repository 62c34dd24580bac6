"""Names follow the request's language, with China Customs' usage in Chinese."""

from __future__ import annotations

from django.utils import translation

from agreements.names import bloc_name, economy_name, territory_name


def test_english_keeps_the_records_names() -> None:
    with translation.override("en"):
        assert territory_name("HKG", "Hong Kong, China") == "Hong Kong, China"
        assert bloc_name("RCEP", "Regional Comprehensive Economic Partnership") == (
            "Regional Comprehensive Economic Partnership"
        )


def test_chinese_uses_customs_usage_where_it_differs_from_iso() -> None:
    with translation.override("zh-hans"):
        assert territory_name("HKG", "Hong Kong, China") == "中国香港"
        assert territory_name("MAC", "Macao, China") == "中国澳门"
        assert territory_name("TWN", "Chinese Taipei") == "中国台湾"
        assert economy_name("EUU", "European Union") == "欧盟"
        assert territory_name("FRA", "France") == "法国"
        assert territory_name("CHN", "China") == "中国"


def test_chinese_bloc_names() -> None:
    with translation.override("zh-hans"):
        assert bloc_name("BRI", "x") == "一带一路沿线国家"
        assert bloc_name("BRI_COOP", "x") == "共建“一带一路”国家"
        assert bloc_name("RCEP", "x") == "区域全面经济伙伴关系协定"  # the code once, added by the page
        assert bloc_name("CEE", "x") == "中国—中东欧国家合作"


def test_a_code_without_translation_keeps_its_english_name() -> None:
    with translation.override("zh-hans"):
        assert territory_name("QAA", "Synthetic QAA") == "Synthetic QAA"
