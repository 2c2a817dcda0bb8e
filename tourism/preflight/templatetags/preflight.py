"""`{% preflight_panel booking %}`: the booking page's pre-flight section (training, waiver, screening)."""

from __future__ import annotations

from django import template

from tourism.preflight import selectors

register = template.Library()


@register.inclusion_tag("preflight/_booking_panel.html")
def preflight_panel(booking):
    return {"preflight": selectors.preflight_for_booking(booking), "flight": booking.flight}
