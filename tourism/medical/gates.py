"""The medical gate on manifesting a booking, registered in flights.registry.manifest_gates.

Its refusals name only status, validity, restrictions and the self-certification: nothing of the
medical record itself, so operations and flight directors may read them on the manifest.
"""

from __future__ import annotations

import datetime as dt

from tourism.medical import selectors


def medical_manifest_gate(booking, *, now: dt.datetime) -> str | None:
    """None when the passenger (`booking.user`) is medically fit for `booking.flight`, else every reason why not."""
    facts = getattr(booking, "_prefetched_medical_facts", None)
    refusals = selectors.clearance_check(booking.user, booking.flight, now=now, facts=facts)
    return " ".join(refusal.message for refusal in refusals) or None


def prefetch_medical_facts(bookings, **context) -> None:
    """Every passenger's standing clearance and self-certifications at once, for a whole manifest."""
    facts = selectors.medical_facts_for((booking.user_id, booking.flight_id) for booking in bookings)
    for booking in bookings:
        booking._prefetched_medical_facts = facts[(booking.user_id, booking.flight_id)]


medical_manifest_gate.label = "Medical clearance"
medical_manifest_gate.prefetch = prefetch_medical_facts
