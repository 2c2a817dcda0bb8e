"""The booking app's own manifest gates, registered in `flights.registry.manifest_gates`.

Each takes the booking (and `now=`) and returns what still blocks it, or None. Medical clearance,
training, the waiver of claims and security screening register theirs from their own apps.

Each gate also has a `prefetch(bookings, **context)`: asked about a whole manifest, the gates load what
they need for every booking in a fixed number of queries (see `GuardRegistry.prefetch`), keep it on the
bookings, and read it from there; asked about one booking, they query as they need.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Sum, prefetch_related_objects

from flights.exceptions import DomainError
from flights.formats import moment_text, money_text
from flights.registry import manifest_gates
from tourism import selectors
from tourism.disclosure import ConsentState, consent_state, disclosure_build
from tourism.models import Booking, PassengerProfile


def _profile(booking: Booking) -> PassengerProfile | None:
    """The passenger's profile, from the booking's user when it was loaded with it."""
    try:
        return booking.user.passenger_profile
    except ObjectDoesNotExist:
        return None


def _prefetch_profiles(bookings, **context) -> None:
    prefetch_related_objects(bookings, "user__passenger_profile")


def _prefetch_amounts_paid(bookings, **context) -> None:
    missing = [booking for booking in bookings if getattr(booking, "amount_paid", None) is None]
    if missing:
        paid = dict(
            selectors.booking_annotate_paid(Booking.objects.filter(pk__in=[b.pk for b in missing]))
            .values_list("pk", "amount_paid")
        )
        for booking in missing:
            booking.amount_paid = paid.get(booking.pk, Decimal("0.00"))


def balance_paid(booking: Booking, *, now=None, **context) -> str | None:
    outstanding = selectors.booking_balance_outstanding(booking)
    if outstanding > 0:
        due = moment_text(booking.balance_due_at, booking.flight.spaceport.timezone)
        overdue = now is not None and booking.balance_due_at is not None and booking.balance_due_at < now
        return (
            f"Balance unpaid: {money_text(outstanding, booking.currency)} of {money_text(booking.price, booking.currency)} "
            f"is outstanding ({'overdue: it was due' if overdue else 'due'} {due})."
        )
    return None


def _prefetch_disclosures(bookings, **context) -> None:
    """The disclosure is built once per vehicle, not once per passenger."""
    built: dict[int, object] = {}
    for booking in bookings:
        vehicle = booking.flight.vehicle
        if vehicle.pk not in built:
            try:
                built[vehicle.pk] = disclosure_build(vehicle)
            except DomainError as exc:
                built[vehicle.pk] = exc
        booking._prefetched_disclosure = built[vehicle.pk]


def consent_current(booking: Booking, **context) -> str | None:
    disclosure = getattr(booking, "_prefetched_disclosure", None)
    try:
        if isinstance(disclosure, DomainError):
            raise disclosure
        state = consent_state(signature=booking.consent, vehicle=booking.flight.vehicle, disclosure=disclosure)
    except DomainError as exc:
        return f"Informed consent cannot be checked: {exc.message}"
    if state.status == ConsentState.CURRENT:
        return None
    return "Informed consent is not current: " + " ".join(state.reasons)


def passenger_within_vehicle_limits(booking: Booking, **context) -> str | None:
    from tourism.services.bookings import eligibility_problems

    profile = _profile(booking)
    if profile is None:
        return "The passenger has no passenger profile (mass, height, date of birth)."
    problems = eligibility_problems(profile, booking.flight)
    return " ".join(problems) or None


def _manifested_masses(flight) -> dict[int, Decimal]:
    return dict(
        PassengerProfile.objects.filter(user__bookings__flight=flight, user__bookings__status=Booking.Status.MANIFESTED)
        .values_list("user_id", "mass_kg")
    )


def _prefetch_manifested_masses(bookings, **context) -> None:
    masses: dict[int, dict[int, Decimal]] = {}
    for booking in bookings:
        if booking.flight_id not in masses:
            masses[booking.flight_id] = _manifested_masses(booking.flight_id)
        booking._prefetched_manifested_masses = masses[booking.flight_id]
    _prefetch_profiles(bookings)


def cabin_mass_within_budget(booking: Booking, **context) -> str | None:
    """The manifest's total passenger mass stays within the vehicle model's cabin budget."""
    model = booking.flight.vehicle.model
    masses = getattr(booking, "_prefetched_manifested_masses", None)
    if masses is not None:
        others = sum((mass for user_id, mass in masses.items() if user_id != booking.user_id), Decimal(0))
    else:
        others = (
            PassengerProfile.objects.filter(
                user__bookings__flight=booking.flight, user__bookings__status=Booking.Status.MANIFESTED
            )
            .exclude(user_id=booking.user_id)
            .aggregate(total=Sum("mass_kg"))["total"]
            or 0
        )
    profile = _profile(booking)
    if profile is None:
        return None  # reported by passenger_within_vehicle_limits
    if others + profile.mass_kg > model.cabin_mass_budget_kg:
        return (
            f"Cabin mass over budget: the manifest would carry {others + profile.mass_kg} kg of passengers and "
            f"{model} takes at most {model.cabin_mass_budget_kg} kg."
        )
    return None


balance_paid.label, balance_paid.prefetch = "Balance paid", _prefetch_amounts_paid
consent_current.label, consent_current.prefetch = "Informed consent", _prefetch_disclosures
passenger_within_vehicle_limits.label = "Age, mass and height"
passenger_within_vehicle_limits.prefetch = _prefetch_profiles
cabin_mass_within_budget.label, cabin_mass_within_budget.prefetch = "Cabin mass", _prefetch_manifested_masses

TOURISM_GATES = (balance_paid, consent_current, passenger_within_vehicle_limits, cabin_mass_within_budget)


def register_gates() -> None:
    for gate in TOURISM_GATES:
        manifest_gates.register(gate)
