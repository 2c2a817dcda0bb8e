"""Daylight windows at a spaceport: sunrise to sunset, cut to the range's operating hours.

Suborbital flights fly in daylight so recovery crews can see the capsule. Sunrise and sunset are
skyfield's (Sun's upper limb on the horizon with standard refraction, -0.8333 deg), computed from
the JPL DE421 ephemeris shipped inside the `skyfield-data` package: nothing is ever downloaded.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flights.orbits.errors import OrbitError

__all__ = ["DaylightWindow", "daylight_windows"]

_EPHEMERIS_FILE = "de421.bsp"


@dataclass(frozen=True)
class DaylightWindow:
    """A daylight interval (UTC) inside one local day's operating hours."""

    open: datetime
    close: datetime

    @property
    def duration_s(self) -> float:
        return (self.close - self.open).total_seconds()


@lru_cache(maxsize=1)
def _sky():
    """(timescale, ephemeris), loaded once per process from files already on disk."""
    from skyfield.api import load, load_file
    from skyfield_data import get_skyfield_data_path

    with warnings.catch_warnings():
        # skyfield-data warns that its bundled Earth-orientation table is old; we only use DE421
        # and the built-in timescale, so the warning does not apply.
        warnings.simplefilter("ignore", RuntimeWarning)
        data_path = Path(get_skyfield_data_path())
    # builtin=True: the timescale uses the leap-second and Delta T tables inside skyfield itself.
    timescale = load.timescale(builtin=True)
    ephemeris = load_file(str(data_path / _EPHEMERIS_FILE))
    return timescale, ephemeris


def daylight_windows(
    *,
    lat_deg: float,
    lon_deg: float,
    elevation_m: float = 0.0,
    start: date,
    days: int,
    tz: str,
    operating_hours: tuple[time, time] | None = None,
) -> list[DaylightWindow]:
    """Daylight windows for `days` local days from `start` at the spaceport.

    Each local day (midnight to midnight in `tz`) contributes its sunlit part, intersected with
    `operating_hours` (local opening and closing times) when given. Polar day gives the whole day
    (or the whole operating hours); polar night gives nothing.
    """
    if days <= 0:
        raise OrbitError(f"days must be positive, got {days}")
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise OrbitError(f"unknown time zone {tz!r}") from None
    if operating_hours is not None and operating_hours[0] >= operating_hours[1]:
        opening, closing = operating_hours
        raise OrbitError(f"operating hours must open before they close, got {opening}-{closing}")

    local_days = [start + timedelta(days=offset) for offset in range(days)]
    day_spans = [(_local(day, time(0), zone), _local(day + timedelta(days=1), time(0), zone)) for day in local_days]
    sunlit = _sunlit_intervals(lat_deg, lon_deg, elevation_m, day_spans[0][0], day_spans[-1][1])

    windows = []
    for day, (day_open, day_close) in zip(local_days, day_spans, strict=True):
        if operating_hours is not None:
            day_open = max(day_open, _local(day, operating_hours[0], zone))
            day_close = min(day_close, _local(day, operating_hours[1], zone))
        for sun_up, sun_down in sunlit:
            window_open, window_close = max(day_open, sun_up), min(day_close, sun_down)
            if window_open < window_close:
                windows.append(DaylightWindow(open=window_open, close=window_close))
    return windows


def _local(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """A local wall-clock time on a day, in UTC (zoneinfo resolves DST gaps and folds)."""
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def _sunlit_intervals(
    lat_deg: float, lon_deg: float, elevation_m: float, span_open: datetime, span_close: datetime
) -> list[tuple[datetime, datetime]]:
    """Intervals in [span_open, span_close] with the Sun up, from skyfield's sunrise/sunset search."""
    from skyfield import almanac
    from skyfield.api import wgs84

    timescale, ephemeris = _sky()
    site = wgs84.latlon(lat_deg, lon_deg, elevation_m=elevation_m)
    sun_is_up = almanac.sunrise_sunset(ephemeris, site)
    t0, t1 = timescale.from_datetime(span_open), timescale.from_datetime(span_close)
    times, states = almanac.find_discrete(t0, t1, sun_is_up)

    intervals = []
    up_since = span_open if bool(sun_is_up(t0)) else None
    for moment, rising in zip(times.utc_datetime(), states, strict=True):
        if rising and up_since is None:
            up_since = moment
        elif not rising and up_since is not None:
            intervals.append((up_since, moment))
            up_since = None
    if up_since is not None:
        intervals.append((up_since, span_close))
    return intervals
