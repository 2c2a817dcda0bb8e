"""Times, durations and money as people read them (flights.formats): local time with its UTC offset,
UTC beside it; "11 min", not "0:11:00"; "1,250,000.00 USD"."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.html import format_html

from flights import formats
from flights.formats import local_and_utc  # noqa: F401  (kept importable from here)

register = template.Library()


@register.simple_tag
def spaceport_time(moment, spaceport=None):
    """`{% spaceport_time flight.launch_at flight.spaceport %}` -> Sat 12 Dec 2026, 09:00 UTC-07:00 (16:00 UTC)."""
    if moment is None:
        return "—"
    tz_name = getattr(spaceport, "timezone", None)
    if spaceport is None or not tz_name:
        return format_html('<time datetime="{}">{}</time>', moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
                           formats.utc_text(moment))
    local, utc = formats.local_and_utc(moment, tz_name)
    return format_html(
        '<time datetime="{}" title="{}">{} <span class="utc">({})</span></time>',
        moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        tz_name,
        local,
        utc,
    )


@register.filter
def duration(value):
    """`{{ itinerary.duration|duration }}` -> 11 min, 1 h 30 min, 10 days."""
    return formats.duration_text(value)


@register.filter
def money(amount, currency=""):
    """`{{ booking.price|money:booking.currency }}` -> 1,250,000.00 USD."""
    return formats.money_text(amount, currency)


@register.filter
def day(value):
    """`{{ clearance.valid_until|day }}` -> Sat 12 Dec 2026."""
    return formats.date_text(value)


@register.filter
def local_text(moment, tz_name=None):
    """Plain text for emails: `{{ booking.hold_expires_at|local_text:flight.spaceport.timezone }}` ->
    Sat 12 Dec 2026, 09:00 UTC-06:00 (15:00 UTC)."""
    return formats.moment_text(moment, tz_name or None)


@register.filter
def position_label(value):
    """`{{ finding.position|position_label }}` -> Flight Director (never the stored key `flight_director`)."""
    from flights.models import Position

    try:
        return Position(value).label
    except ValueError:
        return str(value).replace("_", " ").capitalize()
