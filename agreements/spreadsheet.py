"""Neutralising spreadsheet formulas in exported cells, and undoing it on import.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is run as a formula by
spreadsheet programs (CSV injection, e.g. `=cmd|' /C calc'!A0`). Every CSV the registry writes
prefixes such a cell with `'`, which spreadsheets show as text. To keep the encoding reversible,
a cell that already starts with quotes followed by one of those characters gets one more quote;
`restore` removes exactly one, so `restore(neutralise(text)) == text` for every text.
"""

from __future__ import annotations

import re

FORMULA_START = re.compile(r"'*[=+\-@\t\r]")


FIRST_CHARACTERS = frozenset("'=+-@\t\r")


def neutralise(text: str) -> str:
    # Most cells start with none of these: skip the regular expression for them (large exports).
    if not text or text[0] not in FIRST_CHARACTERS:
        return text
    return f"'{text}" if FORMULA_START.match(text) else text


def restore(text: str) -> str:
    return text[1:] if text.startswith("'") and FORMULA_START.match(text, 1) else text
