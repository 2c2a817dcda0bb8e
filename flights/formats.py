"""Formats for people, one set for pages, admin, emails and refusal messages (issue 14).

- Dates read "Sat 12 Dec 2026", never ISO inside a sentence.
- A local time carries its UTC offset ("09:00 UTC-06:00"), never an abbreviation: "CST" is both China
  Standard Time and US Central Standard Time, so a passenger in Jiuquan and one in Texas would misread it.
- Durations read "11 min", "1 h 30 min", "10 days", never "0:11:00" or "10 days, 0:00:00".
- Money carries its currency and grouped digits with two decimals: "1,250,000.00 USD".
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

__all__ = [
    "date_text", "duration_text", "money_text", "offset_label", "local_and_utc", "moment_text", "utc_text",
]


def offset_label(local: dt.datetime) -> str:
    """`UTC-06:00`, `UTC+08:00`, `UTC` (a label no two zones share ambiguously)."""
    offset = local.utcoffset() or dt.timedelta(0)
    if not offset:
        return "UTC"
    sign = "+" if offset >= dt.timedelta(0) else "-"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def date_text(day: dt.date | dt.datetime | None) -> str:
    """`Sat 12 Dec 2026`."""
    if day is None:
        return "—"
    return f"{day:%a} {day.day} {day:%b %Y}"


def utc_text(moment: dt.datetime) -> str:
    """`Sat 12 Dec 2026, 15:00 UTC`: for messages that have no spaceport to localise to."""
    moment = moment.astimezone(dt.UTC)
    return f"{date_text(moment)}, {moment:%H:%M} UTC"


def local_and_utc(moment: dt.datetime | None, tz_name: str | None) -> tuple[str, str]:
    """(`Sat 12 Dec 2026, 09:00 UTC-06:00`, `15:00 UTC`) in the zone `tz_name` (UTC when None)."""
    if moment is None:
        return "", ""
    utc = moment.astimezone(dt.UTC)
    local = utc.astimezone(zoneinfo.ZoneInfo(tz_name)) if tz_name else utc
    local_text = f"{date_text(local)}, {local:%H:%M} {offset_label(local)}"
    return local_text, f"{utc:%H:%M} UTC" if local.date() == utc.date() else f"{date_text(utc)}, {utc:%H:%M} UTC"


def moment_text(moment: dt.datetime | None, tz_name: str | None = None) -> str:
    """`Sat 12 Dec 2026, 09:00 UTC-06:00 (15:00 UTC)`, or just UTC without a zone."""
    if moment is None:
        return "—"
    if not tz_name:
        return utc_text(moment)
    local, utc = local_and_utc(moment, tz_name)
    return f"{local} ({utc})"


def duration_text(value: dt.timedelta | int | float | None) -> str:
    """`11 min`, `1 h 30 min`, `3 min 20 s`, `10 days`, `2 days 4 h` from a timedelta or seconds."""
    if value is None:
        return "—"
    seconds = int(round(value.total_seconds() if isinstance(value, dt.timedelta) else float(value)))
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts: list[str] = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours:
        parts.append(f"{hours} h")
    if minutes and not days:
        parts.append(f"{minutes} min")
    if secs and not days and not hours:
        parts.append(f"{secs} s")
    return sign + (" ".join(parts) or "0 s")


def money_text(amount, currency: str = "") -> str:
    """`1,250,000.00 USD`: grouped, two decimals, the currency's ISO code after."""
    if amount is None:
        return "—"
    text = f"{Decimal(amount):,.2f}"
    return f"{text} {currency}".strip()
