"""A server-side SVG timeline of a flight's launch windows: no scripts, readable when printed.

Rows from top: daylight at the spaceport, launch windows (with in-plane ticks), closures (with the
object that causes each in its tooltip), and the planned launch as a vertical line.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, LEFT, RIGHT = 960, 90, 10
ROWS = {"daylight": 20, "windows": 50, "closures": 80}
HEIGHT = 130
MIN_BAR_PX = 2.0


def _x(moment: dt.datetime, start: dt.datetime, end: dt.datetime) -> float:
    span = (end - start).total_seconds()
    fraction = (moment - start).total_seconds() / span if span else 0
    return LEFT + max(0.0, min(1.0, fraction)) * (WIDTH - LEFT - RIGHT)


def _bar(start_x: float, end_x: float, y: int, css: str, title: str) -> str:
    width = max(MIN_BAR_PX, end_x - start_x)
    return (
        f'<rect class="{css}" x="{start_x:.1f}" y="{y}" width="{width:.1f}" height="18">'
        f"<title>{escape(title)}</title></rect>"
    )


def launch_timeline_svg(
    *,
    start: dt.datetime,
    end: dt.datetime,
    windows: Iterable,
    daylight: Iterable[tuple[dt.datetime, dt.datetime]] = (),
    launch_at: dt.datetime | None = None,
    tz_name: str = "UTC",
) -> SafeString:
    """SVG markup for [start, end]; `windows` are LaunchWindow rows with `closures` prefetched."""
    tz = zoneinfo.ZoneInfo(tz_name)
    parts = [
        f'<svg class="timeline" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" xmlns="http://www.w3.org/2000/svg" '
        f'aria-label="Launch windows from {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC">',
    ]
    for label, y in (("Daylight", ROWS["daylight"]), ("Windows", ROWS["windows"]), ("Closures", ROWS["closures"])):
        parts.append(f'<text class="label" x="4" y="{y + 13}">{label}</text>')
        parts.append(f'<rect class="lane" x="{LEFT}" y="{y}" width="{WIDTH - LEFT - RIGHT}" height="18"/>')
    for opens, closes in daylight:
        parts.append(_bar(_x(opens, start, end), _x(closes, start, end), ROWS["daylight"], "daylight",
                          f"Daylight {opens:%H:%M}-{closes:%H:%M} UTC"))
    for window in windows:
        x0, x1 = _x(window.opens_at, start, end), _x(window.closes_at, start, end)
        local = window.opens_at.astimezone(tz)
        title = (
            f"{window.get_kind_display()} window {window.opens_at:%Y-%m-%d %H:%M:%S}-{window.closes_at:%H:%M:%S} UTC "
            f"({local:%H:%M %Z})" + (f", azimuth {window.azimuth_deg:.1f} deg" if window.azimuth_deg is not None else "")
        )
        parts.append(_bar(x0, x1, ROWS["windows"], "window", title))
        if window.in_plane_at:
            xp = _x(window.in_plane_at, start, end)
            parts.append(
                f'<line class="in-plane" x1="{xp:.1f}" x2="{xp:.1f}" y1="{ROWS["windows"] - 4}" y2="{ROWS["windows"] + 22}">'
                f"<title>In plane {window.in_plane_at:%H:%M:%S} UTC</title></line>"
            )
        for closure in window.closures.all():
            parts.append(_bar(
                _x(closure.starts_at, start, end), _x(closure.ends_at, start, end), ROWS["closures"], "closure",
                f"Closed {closure.starts_at:%H:%M:%S}-{closure.ends_at:%H:%M:%S} UTC by {closure.norad_id} "
                f"{closure.object_name} ({closure.get_object_class_display()}), {closure.min_distance_km:.1f} km",
            ))
    if launch_at and start <= launch_at <= end:
        xl = _x(launch_at, start, end)
        parts.append(
            f'<line class="launch" x1="{xl:.1f}" x2="{xl:.1f}" y1="10" y2="{ROWS["closures"] + 24}">'
            f"<title>Planned launch {launch_at:%Y-%m-%d %H:%M:%S} UTC</title></line>"
        )
    ticks = 4
    for i in range(ticks + 1):
        moment = start + (end - start) * i / ticks
        x = _x(moment, start, end)
        anchor = "start" if i == 0 else "end" if i == ticks else "middle"
        parts.append(
            f'<text class="tick" x="{x:.1f}" y="{HEIGHT - 6}" text-anchor="{anchor}">{moment:%d %b %H:%M} UTC</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every interpolated text is escaped or numeric)


