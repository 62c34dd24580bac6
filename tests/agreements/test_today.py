"""`agreements.dates.today()`: `timezone.localdate()` worked out once a day, which every page's
cache key and default day read."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.test import override_settings
from django.utils import timezone

from agreements import dates


def test_today_is_django_s_local_date() -> None:
    assert dates.today() == timezone.localdate()


# Zones whose clocks change at midnight (Santiago, Havana, Beirut, Asuncion), far from UTC, and UTC.
ZONES = ["UTC", "America/Santiago", "America/Havana", "Asia/Beirut", "America/Asuncion", "Pacific/Kiritimati",
         "Pacific/Pago_Pago", "Asia/Kathmandu"]  # fmt: skip


@pytest.mark.parametrize("zone", ZONES)
def test_every_instant_around_each_midnight_of_two_years_has_its_local_day(
    zone: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kept day is the zone's date of the instant, just before, at and after every local
    midnight (clock changes included), read in time order as a server reads the clock."""
    tzinfo = zoneinfo.ZoneInfo(zone)
    instants = []
    for offset in range(731):
        midnight = dt.datetime.combine(dt.date(2025, 1, 1) + dt.timedelta(days=offset), dt.time(), tzinfo)
        for seconds in (-3601, -1, -0.001, 0, 0.001, 1, 3600, 43200):
            instants.append(midnight.timestamp() + seconds)
    with override_settings(TIME_ZONE=zone):
        for instant in sorted(instants):
            monkeypatch.setattr(dates.time, "time", lambda instant=instant: instant)
            assert dates.today() == dt.datetime.fromtimestamp(instant, tzinfo).date(), instant


def test_a_change_of_time_zone_is_seen_at_once() -> None:
    with override_settings(TIME_ZONE="Pacific/Kiritimati"):  # UTC+14
        east = dates.today()
        assert east == timezone.localdate()
    with override_settings(TIME_ZONE="Pacific/Pago_Pago"):  # UTC-11: always another day
        assert dates.today() == timezone.localdate() != east
