"""Days written out in the active language (`django.utils.formats.date_format`), each day and format
worked out once per process and language.

Formatting a date the Django way parses the format and looks up the language's names on every
call (about 0.1 ms); the pages write the same event dates on every request, and at a hundred times
the reference data an economy's page writes hundreds of them. The text is Django's own.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django.utils import formats
from django.utils.translation import get_language


def date_format(day: dt.date, format: str | None = None) -> str:
    """As `django.utils.formats.date_format(day, format)` (a date, not a datetime)."""
    return _written(day, format, get_language())


@lru_cache(maxsize=16384)
def _written(day: dt.date, format: str | None, language: str | None) -> str:
    return formats.date_format(day, format)
