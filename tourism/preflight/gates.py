"""The pre-flight manifest gates, registered in flights.registry.manifest_gates by PreflightConfig.ready().

Each takes the booking (with `.user`, the passenger, and `.flight`) and `now=`, and returns a sentence
naming exactly what is missing, or None when it holds. The readiness check of the tourism app asks
them again for every manifested passenger (they belong to the Manifest position).
"""

from __future__ import annotations

from tourism.preflight import selectors


def training_complete(booking, **context) -> str | None:
    """14 CFR 460.51: every required module signed off before the flight date and current on it, the
    emergency module among them, and the itinerary's training hours reached."""
    return selectors.training_status(booking.user, booking.flight).message


def waiver_of_claims_signed(booking, **context) -> str | None:
    """14 CFR 460.49: the passenger's reciprocal waiver of claims for this flight, on the current text."""
    return selectors.waiver_status(booking.user, booking.flight).problem or None


def security_screening_passed(booking, **context) -> str | None:
    """14 CFR 460.53: the newest security screening of the passenger for this flight passed."""
    return selectors.screening_status(booking.user, booking.flight).problem or None


PREFLIGHT_GATES = (training_complete, waiver_of_claims_signed, security_screening_passed)
