"""Names of territories, economies and blocs in the language of the request.

English names are the records' own (customs usage: "Hong Kong, China", "Chinese Taipei"). Chinese
names come from pycountry's translations of ISO 3166-1, with the usage of China Customs where it
differs (中国香港, 中国澳门, 中国台湾, 韩国, 欧盟 ...). A code with no translation keeps its
English name.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterable
from functools import cache

import pycountry
from django.utils.translation import get_language

CHINESE = "zh-hans"

# China Customs' usage, where it differs from pycountry's translation of the ISO short name.
CUSTOMS_ZH: dict[str, str] = {
    "HKG": "中国香港",
    "MAC": "中国澳门",
    "TWN": "中国台湾",
    "KOR": "韩国",
    "PRK": "朝鲜",
    "LAO": "老挝",
    "IRN": "伊朗",
    "MDA": "摩尔多瓦",
    "SYR": "叙利亚",
    "VEN": "委内瑞拉",
    "BOL": "玻利维亚",
    "TZA": "坦桑尼亚",
    "PSE": "巴勒斯坦",
    "EUU": "欧盟",
    "CZE": "捷克",
    "MKD": "北马其顿",
    "FSM": "密克罗尼西亚联邦",
}

BLOCS_ZH: dict[str, str] = {
    "BRI": "一带一路沿线国家",
    # Chinese quotation marks, and no code in the name: pages add the code where they show it.
    "BRI_COOP": "共建“一带一路”国家",
    "RCEP": "区域全面经济伙伴关系协定",
    "CEE": "中国—中东欧国家合作",
}


@cache
def _iso_zh() -> dict[str, str]:
    catalog = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"], fallback=True)
    names = {}
    for country in pycountry.countries:
        translated = catalog.gettext(country.name)
        if translated != country.name:
            names[country.alpha_3] = translated
    return names


def _chinese() -> bool:
    return (get_language() or "").lower().startswith("zh")


def _zh(code: str, english: str) -> str:
    return CUSTOMS_ZH.get(code) or _iso_zh().get(code) or english


def territory_name(code: str, english: str) -> str:
    return _zh(code, english) if _chinese() else english


def territory_names(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """`territory_name` of many (code, English name) pairs, by code, reading the language once."""
    if not _chinese():
        return dict(pairs)
    return {code: _zh(code, english) for code, english in pairs}


economy_names = territory_names  # as `economy_name` is `territory_name`


def economy_name(code: str, english: str) -> str:
    """Single-territory economies share their territory's code; unions have their own names."""
    return territory_name(code, english)


def bloc_name(code: str, english: str) -> str:
    if not _chinese():
        return english
    return BLOCS_ZH.get(code, english)
