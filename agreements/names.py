"""Names of territories, economies and blocs in the language of the request.

English names are the records' own `name` (customs usage: "Hong Kong, China", "Chinese Taipei").
Chinese names are the records' own `name_zh`, loaded from data/ and editable in the admin (China
Customs' usage: 中国香港, 韩国, 欧盟 ...). A record with a blank `name_zh` shows its English name.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from django.utils.translation import get_language

CHINESE = "zh-hans"


class Named(Protocol):
    name: str
    name_zh: str


def chinese() -> bool:
    return (get_language() or "").lower().startswith("zh")


def local(name: str, name_zh: str) -> str:
    """The name in the active language: `name_zh` on Chinese pages when it is not blank."""
    return (name_zh or name) if chinese() else name


def local_name(record: Named) -> str:
    """A territory's, economy's or bloc's name in the active language."""
    return local(record.name, record.name_zh)


def local_names(rows: Iterable[tuple[str, str, str]]) -> dict[str, str]:
    """Code -> name in the active language, of (code, name, name_zh) rows, in their order,
    reading the language once."""
    if not chinese():
        return {code: name for code, name, _ in rows}
    return {code: name_zh or name for code, name, name_zh in rows}
