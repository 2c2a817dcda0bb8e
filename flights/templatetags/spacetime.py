"""Times as people at the spaceport read them: local time, with UTC beside it."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django import template
from django.utils.html import format_html

register = template.Library()


def local_and_utc(moment: dt.datetime | None, tz_name: str | None) -> tuple[str, str]:
    if moment is None:
        return "", ""
    utc = moment.astimezone(dt.UTC)
    local = utc.astimezone(zoneinfo.ZoneInfo(tz_name)) if tz_name else utc
    return local.strftime("%a %d %b %Y, %H:%M %Z"), utc.strftime("%H:%M UTC")


@register.simple_tag
def spaceport_time(moment, spaceport=None):
    """`{% spaceport_time flight.launch_at flight.spaceport %}` -> Sat 12 Dec 2026, 09:00 MST (16:00 UTC)."""
    if moment is None:
        return "—"
    local, utc = local_and_utc(moment, getattr(spaceport, "timezone", None))
    if spaceport is None:
        return format_html('<time datetime="{}">{}</time>', moment.isoformat(), moment.astimezone(dt.UTC).strftime("%a %d %b %Y, %H:%M UTC"))
    return format_html(
        '<time datetime="{}">{} <span class="utc">({})</span></time>',
        moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        local,
        utc,
    )
