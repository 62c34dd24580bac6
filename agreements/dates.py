"""Days written out in the active language (`django.utils.formats.date_format`), each day and format
worked out once per process and language.

Formatting a date the Django way parses the format and looks up the language's names on every
call (about 0.1 ms); the pages write the same event dates on every request, and at a hundred times
the reference data an economy's page writes hundreds of them. The text is Django's own.
"""

from __future__ import annotations

import datetime as dt
import time
from functools import lru_cache

from django.utils import formats, timezone
from django.utils.translation import get_language


def date_format(day: dt.date, format: str | None = None) -> str:
    """As `django.utils.formats.date_format(day, format)` (a date, not a datetime)."""
    return _written(day, format, get_language())


@lru_cache(maxsize=16384)
def _written(day: dt.date, format: str | None, language: str | None) -> str:
    return formats.date_format(day, format)


# (time zone, first and last-but-one instants of the day as POSIX timestamps, the day).
_today: tuple[object, float, float, dt.date] = (None, 0.0, 0.0, dt.date.min)


def today() -> dt.date:
    """`timezone.localdate()` in the default time zone (the project activates no other), worked out
    once a day: every page's cache key and default day read it, and Django's costs a zone lookup
    and a conversion each time. Kept from one local midnight to the next, read off the same clock
    as `timezone.now()`."""
    global _today
    now = time.time()
    zone = timezone.get_default_timezone()
    kept_zone, start, end, day = _today
    if kept_zone is zone and start <= now < end:
        return day
    day = dt.datetime.fromtimestamp(now, zone).date()
    start = dt.datetime.combine(day, dt.time(), zone).timestamp()
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone).timestamp()
    _today = (zone, start, end, day)
    return day
