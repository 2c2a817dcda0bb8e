"""The pre-flight manifest gates, registered in flights.registry.manifest_gates by PreflightConfig.ready().

Each takes the booking (with `.user`, the passenger, and `.flight`) and `now=`, and returns a sentence
naming exactly what is missing, or None when it holds. The readiness check of the tourism app asks
them again for every manifested passenger (they belong to the Manifest position).

Each gate has a `prefetch(bookings, **context)` (see `GuardRegistry.prefetch`): for a whole manifest the
three gates' records are loaded once, in a fixed number of queries, and kept on each booking.
"""

from __future__ import annotations

from tourism.preflight import selectors


def _prefetch_preflight(bookings, **context) -> None:
    missing = [booking for booking in bookings if not hasattr(booking, "_preflight")]
    loaded = selectors.preflight_for_bookings(missing)
    for booking in missing:
        booking._preflight = loaded[booking.pk]


def _preflight(booking) -> selectors.BookingPreflight | None:
    return getattr(booking, "_preflight", None)


def training_complete(booking, **context) -> str | None:
    """14 CFR 460.51: every required module signed off before the flight date and current on it, the
    emergency module among them, and the itinerary's training hours reached."""
    if prefetched := _preflight(booking):
        return prefetched.training.message
    return selectors.training_status(booking.user, booking.flight).message


def waiver_of_claims_signed(booking, **context) -> str | None:
    """14 CFR 460.49: the passenger's reciprocal waiver of claims for this flight, on the current text."""
    if prefetched := _preflight(booking):
        return prefetched.waiver.problem or None
    return selectors.waiver_status(booking.user, booking.flight).problem or None


def security_screening_passed(booking, **context) -> str | None:
    """14 CFR 460.53: the newest security screening of the passenger for this flight passed."""
    if prefetched := _preflight(booking):
        return prefetched.screening.problem or None
    return selectors.screening_status(booking.user, booking.flight).problem or None


PREFLIGHT_GATES = (training_complete, waiver_of_claims_signed, security_screening_passed)
for _gate in PREFLIGHT_GATES:
    _gate.prefetch = _prefetch_preflight
