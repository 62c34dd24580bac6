"""Validators shared by the registry's models: plausible dates and text without control characters.

Both sit on the model fields, so the admin, the REST API (ModelSerializers copy field validators)
and the imports (which call `clean_fields`) refuse the same values with the same message.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from agreements import dates

# The registry's dates: AEO programmes and their mutual recognition began in the 2000s (the first
# arrangement, USA-New Zealand, in 2007), so an event or a claim before 1990 is a typo; customs
# territories are older (the EEC's founders from 1958), so memberships may start from 1950.
# Nothing is planned more than ten years ahead.
EARLIEST_EVENT = dt.date(1990, 1, 1)
EARLIEST_MEMBERSHIP = dt.date(1950, 1, 1)
YEARS_AHEAD = 10

_latest: tuple[dt.date, dt.date] | None = None  # (today, the latest plausible date then)


def latest_date(today: dt.date | None = None) -> dt.date:
    """The last plausible date: YEARS_AHEAD years after today (28 February for a 29 February)."""
    global _latest
    today = today or dates.today()
    if _latest is not None and _latest[0] == today:  # charts clamp every date they draw
        return _latest[1]
    try:
        latest = today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:
        latest = today.replace(year=today.year + YEARS_AHEAD, day=28)
    _latest = (today, latest)
    return latest


def clamp(day: dt.date, earliest: dt.date = EARLIEST_MEMBERSHIP) -> dt.date:
    """`day` moved into the plausible range: charts compute from stored dates, and a stored
    date from before the validators (or written around them) must never overflow them."""
    return min(max(day, earliest), latest_date())


@deconstructible
class PlausibleDate:
    """A date from `earliest` to YEARS_AHEAD years after today (the upper bound moves daily)."""

    def __init__(self, earliest: dt.date = EARLIEST_EVENT) -> None:
        self.earliest = earliest

    def __call__(self, value: dt.date) -> None:
        latest = latest_date()
        if not self.earliest <= value <= latest:
            raise ValidationError(
                _("Enter a date from %(earliest)s to %(latest)s."),
                code="implausible_date",
                params={"earliest": self.earliest.isoformat(), "latest": latest.isoformat()},
            )

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, PlausibleDate) and other.earliest == self.earliest

    def __hash__(self) -> int:
        return hash(self.earliest)


plausible_event_date = PlausibleDate(EARLIEST_EVENT)
plausible_membership_date = PlausibleDate(EARLIEST_MEMBERSHIP)

# C0 control characters except tab, line feed and carriage return: XML 1.0 cannot hold them (the
# Atom feed), and typed text never needs them (Word's soft line break is a vertical tab).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def no_control_characters(value: str) -> None:
    found = CONTROL_CHARACTERS.search(value)
    if found:
        raise ValidationError(
            _("Remove the control character U+%(code)s (at position %(position)s)."),
            code="control_character",
            params={"code": f"{ord(found.group()):04X}", "position": found.start() + 1},
        )


# Every character XML 1.0 cannot hold (its `Char` production): the C0 controls above, surrogates,
# and the non-characters U+FFFE and U+FFFF, which the models let through (they are not controls)
# but a feed reader refuses as much as a vertical tab.
NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str) -> str:
    """`value` without the characters XML 1.0 cannot hold (for the Atom feed)."""
    return NOT_XML.sub("", value)
