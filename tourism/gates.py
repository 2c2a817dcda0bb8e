"""The booking app's own manifest gates, registered in `flights.registry.manifest_gates`.

Each takes the booking (and `now=`) and returns what still blocks it, or None. Medical clearance,
training, the waiver of claims and security screening register theirs from their own apps.
"""

from __future__ import annotations

from django.db.models import Sum

from flights.exceptions import DomainError
from flights.registry import manifest_gates
from tourism import selectors
from tourism.disclosure import ConsentState, consent_state
from tourism.models import Booking, PassengerProfile


def balance_paid(booking: Booking, **context) -> str | None:
    outstanding = selectors.booking_balance_outstanding(booking)
    if outstanding > 0:
        return (
            f"Balance unpaid: {outstanding:,.2f} {booking.currency} of {booking.price:,.2f} {booking.currency} is "
            f"outstanding (due {booking.balance_due_at:%Y-%m-%d})."
        )
    return None


def consent_current(booking: Booking, **context) -> str | None:
    try:
        state = consent_state(signature=booking.consent, vehicle=booking.flight.vehicle)
    except DomainError as exc:
        return f"Informed consent cannot be checked: {exc.message}"
    if state.status == ConsentState.CURRENT:
        return None
    return "Informed consent is not current: " + " ".join(state.reasons)


def passenger_within_vehicle_limits(booking: Booking, **context) -> str | None:
    from tourism.services.bookings import eligibility_problems

    profile = PassengerProfile.objects.filter(user_id=booking.user_id).first()
    if profile is None:
        return "The passenger has no passenger profile (mass, height, date of birth)."
    problems = eligibility_problems(profile, booking.flight)
    return " ".join(problems) or None


def cabin_mass_within_budget(booking: Booking, **context) -> str | None:
    """The manifest's total passenger mass stays within the vehicle model's cabin budget."""
    model = booking.flight.vehicle.model
    others = (
        PassengerProfile.objects.filter(
            user__bookings__flight=booking.flight, user__bookings__status=Booking.Status.MANIFESTED
        )
        .exclude(user_id=booking.user_id)
        .aggregate(total=Sum("mass_kg"))["total"]
        or 0
    )
    profile = PassengerProfile.objects.filter(user_id=booking.user_id).first()
    if profile is None:
        return None  # reported by passenger_within_vehicle_limits
    if others + profile.mass_kg > model.cabin_mass_budget_kg:
        return (
            f"Cabin mass over budget: the manifest would carry {others + profile.mass_kg} kg of passengers and "
            f"{model} takes at most {model.cabin_mass_budget_kg} kg."
        )
    return None


TOURISM_GATES = (balance_paid, consent_current, passenger_within_vehicle_limits, cabin_mass_within_budget)


def register_gates() -> None:
    for gate in TOURISM_GATES:
        manifest_gates.register(gate)
