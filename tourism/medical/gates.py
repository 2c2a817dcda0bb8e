"""The medical gate on manifesting a booking, registered in flights.registry.manifest_gates."""

from __future__ import annotations

import datetime as dt

from tourism.medical import selectors


def medical_manifest_gate(booking, *, now: dt.datetime) -> str | None:
    """None when the passenger (`booking.user`) is medically fit for `booking.flight`, else every reason why not."""
    refusals = selectors.clearance_check(booking.user, booking.flight, now=now)
    return " ".join(refusal.message for refusal in refusals) or None
