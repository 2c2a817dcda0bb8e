"""Daylight windows against an independent sunrise/sunset (NOAA solar equations)."""

from __future__ import annotations

import math
import urllib.request
from datetime import UTC, date, datetime, time, timedelta

import pytest
import skyfield.iokit

from flights.orbits import daylight
from flights.orbits.daylight import daylight_windows
from flights.orbits.errors import OrbitError

SPACEPORT_AMERICA = {"lat_deg": 32.99, "lon_deg": -106.97, "elevation_m": 1400.0, "tz": "America/Denver"}
WENCHANG = {"lat_deg": 19.61, "lon_deg": 110.95, "tz": "Asia/Shanghai"}
LONGYEARBYEN = {"lat_deg": 78.22, "lon_deg": 15.65, "tz": "Arctic/Longyearbyen"}


def noaa_sunrise_sunset(day: date, lat_deg: float, lon_deg: float) -> tuple[datetime, datetime]:
    """NOAA Solar Calculator equations (Meeus), zenith 90.833 deg; good to about a minute."""
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    noon_minutes = 720.0 - 4.0 * lon_deg
    for _ in range(2):  # evaluate the Sun at (an estimate of) local solar noon
        jd = 2440587.5 + (midnight.timestamp() + noon_minutes * 60.0) / 86400.0
        jc = (jd - 2451545.0) / 36525.0
        mean_long = (280.46646 + jc * (36000.76983 + jc * 0.0003032)) % 360.0
        mean_anom = 357.52911 + jc * (35999.05029 - 0.0001537 * jc)
        ecc = 0.016708634 - jc * (0.000042037 + 0.0000001267 * jc)
        centre = (
            math.sin(math.radians(mean_anom)) * (1.914602 - jc * (0.004817 + 0.000014 * jc))
            + math.sin(math.radians(2 * mean_anom)) * (0.019993 - 0.000101 * jc)
            + math.sin(math.radians(3 * mean_anom)) * 0.000289
        )
        omega = 125.04 - 1934.136 * jc
        apparent_long = mean_long + centre - 0.00569 - 0.00478 * math.sin(math.radians(omega))
        mean_obliquity = 23.0 + (26.0 + (21.448 - jc * (46.815 + jc * (0.00059 - jc * 0.001813))) / 60.0) / 60.0
        obliquity = mean_obliquity + 0.00256 * math.cos(math.radians(omega))
        declination = math.asin(math.sin(math.radians(obliquity)) * math.sin(math.radians(apparent_long)))
        y = math.tan(math.radians(obliquity / 2.0)) ** 2
        l0, m = math.radians(mean_long), math.radians(mean_anom)
        equation_of_time = 4.0 * math.degrees(
            y * math.sin(2 * l0)
            - 2 * ecc * math.sin(m)
            + 4 * ecc * y * math.sin(m) * math.cos(2 * l0)
            - 0.5 * y * y * math.sin(4 * l0)
            - 1.25 * ecc * ecc * math.sin(2 * m)
        )
        noon_minutes = 720.0 - 4.0 * lon_deg - equation_of_time
    lat = math.radians(lat_deg)
    hour_angle = math.degrees(
        math.acos(
            math.cos(math.radians(90.833)) / (math.cos(lat) * math.cos(declination))
            - math.tan(lat) * math.tan(declination)
        )
    )
    return (
        midnight + timedelta(minutes=noon_minutes - 4.0 * hour_angle),
        midnight + timedelta(minutes=noon_minutes + 4.0 * hour_angle),
    )


@pytest.mark.parametrize(
    ("site", "day"),
    [
        (SPACEPORT_AMERICA, date(2026, 6, 21)),
        (SPACEPORT_AMERICA, date(2026, 12, 21)),
        (SPACEPORT_AMERICA, date(2026, 3, 20)),
        (WENCHANG, date(2026, 3, 20)),
        (WENCHANG, date(2026, 9, 23)),
        (WENCHANG, date(2026, 12, 21)),
    ],
)
def test_sunrise_to_sunset_matches_noaa_within_two_minutes(site, day):
    (window,) = daylight_windows(start=day, days=1, **site)
    # NOAA computes per UTC date; the local day is the one that contains local solar noon.
    sunrise, sunset = noaa_sunrise_sunset(day, site["lat_deg"], site["lon_deg"])
    assert abs(window.open - sunrise) < timedelta(minutes=2)
    assert abs(window.close - sunset) < timedelta(minutes=2)
    assert window.open.tzinfo is UTC or window.open.utcoffset() == timedelta(0)


def test_spaceport_america_midsummer_in_local_time():
    (window,) = daylight_windows(start=date(2026, 6, 21), days=1, **SPACEPORT_AMERICA)
    # About 05:59 to 20:19 Mountain Daylight Time (UTC-6).
    assert window.open == pytest.approx(datetime(2026, 6, 21, 11, 59, tzinfo=UTC), abs=timedelta(minutes=3))
    assert window.close == pytest.approx(datetime(2026, 6, 22, 2, 19, tzinfo=UTC), abs=timedelta(minutes=3))


def test_operating_hours_are_local_and_follow_daylight_saving():
    hours = (time(7, 0), time(19, 0))
    result = daylight_windows(start=date(2026, 3, 7), days=2, operating_hours=hours, **SPACEPORT_AMERICA)
    assert len(result) == 2
    before, after = result
    # Day before the switch (MST, UTC-7): opens at 07:00 MST, sunset (~18:10 MST) closes it.
    sunset_before = noaa_sunrise_sunset(date(2026, 3, 7), 32.99, -106.97)[1]
    assert before.open == datetime(2026, 3, 7, 14, 0, tzinfo=UTC)
    assert abs(before.close - sunset_before) < timedelta(minutes=2)
    # Day of the switch (MDT, UTC-6): sunrise (~07:27 MDT) opens it, 19:00 MDT closes it before sunset.
    sunrise_after = noaa_sunrise_sunset(date(2026, 3, 8), 32.99, -106.97)[0]
    assert abs(after.open - sunrise_after) < timedelta(minutes=2)
    assert after.open > datetime(2026, 3, 8, 13, 0, tzinfo=UTC)
    assert after.close == datetime(2026, 3, 9, 1, 0, tzinfo=UTC)


def test_operating_hours_inside_daylight_give_exactly_the_hours():
    result = daylight_windows(start=date(2026, 5, 1), days=3, operating_hours=(time(8), time(17)), **WENCHANG)
    # 08:00-17:00 China Standard Time (UTC+8) is 00:00-09:00 UTC; the Sun is up ~06:00-18:50 local.
    assert [(w.open, w.close) for w in result] == [
        (datetime(2026, 5, d, 0, 0, tzinfo=UTC), datetime(2026, 5, d, 9, 0, tzinfo=UTC)) for d in (1, 2, 3)
    ]


def test_polar_day_and_polar_night():
    summer = daylight_windows(start=date(2026, 6, 21), days=2, **LONGYEARBYEN)
    assert len(summer) == 2
    assert all(window.duration_s == 86400.0 for window in summer)
    assert daylight_windows(start=date(2026, 12, 21), days=2, **LONGYEARBYEN) == []
    hours = daylight_windows(start=date(2026, 6, 21), days=1, operating_hours=(time(9), time(15)), **LONGYEARBYEN)
    assert [w.duration_s for w in hours] == [6 * 3600.0]


def test_nothing_is_downloaded(monkeypatch, tmp_path):
    def refuse(*args, **kwargs):
        raise AssertionError("daylight windows must not touch the network")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.setattr(skyfield.iokit, "download", refuse)
    monkeypatch.chdir(tmp_path)
    daylight._sky.cache_clear()
    try:
        assert daylight_windows(start=date(2026, 7, 1), days=1, **WENCHANG)
    finally:
        daylight._sky.cache_clear()
    assert list(tmp_path.iterdir()) == []


def test_bad_arguments_are_refused():
    with pytest.raises(OrbitError, match="unknown time zone 'Mars/Olympus'"):
        daylight_windows(start=date(2026, 1, 1), days=1, lat_deg=0.0, lon_deg=0.0, tz="Mars/Olympus")
    with pytest.raises(OrbitError, match="operating hours must open before they close"):
        daylight_windows(start=date(2026, 1, 1), days=1, operating_hours=(time(17), time(8)), **WENCHANG)
