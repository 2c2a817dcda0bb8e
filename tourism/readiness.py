"""The tourism app's readiness checks (discovered by flights through autodiscover_modules("readiness")).

For every manifested passenger every manifest gate is asked again for the flight as it stands (its
current launch time): medical refusals belong to the Medical position, the rest to Manifest. The manifest's
total mass is held against the vehicle model's cabin budget, and passengers still only reserved on
launch eve are named (the flight director may waive them: they simply do not fly).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flights.models import Flight, Position
from flights.readiness import Finding, check, go, no_go, waivable
from flights.registry import manifest_gates
from tourism import selectors
from tourism.models import Booking

RESERVED_WARNING = dt.timedelta(hours=24)


def is_medical(gate) -> bool:
    return getattr(gate, "__module__", "").startswith("tourism.medical")


def gate_name(gate) -> str:
    return getattr(gate, "__name__", type(gate).__name__)


def gate_label(gate) -> str:
    """What people call the gate: its `label`, or its name in words."""
    return getattr(gate, "label", None) or gate_name(gate).replace("_", " ").strip().capitalize()


def passenger_name(booking: Booking) -> str:
    profile = getattr(booking.user, "passenger_profile", None)
    return (profile.legal_name if profile else "") or booking.user.get_full_name() or booking.user.get_username()


@dataclass(frozen=True)
class GateResult:
    name: str
    medical: bool
    refusal: str | None
    label: str = ""

    @property
    def passed(self) -> bool:
        return not self.refusal


def booking_gate_results(booking: Booking, *, now: dt.datetime) -> list[GateResult]:
    """Each registered manifest gate's answer for this booking, for its flight's current launch time."""
    return [
        GateResult(gate_name(gate), is_medical(gate), gate(booking, now=now), gate_label(gate))
        for gate in list(manifest_gates._guards)
    ]


def bookings_gate_results(bookings, *, now: dt.datetime) -> dict[int, list[GateResult]]:
    """`booking_gate_results` for many bookings, each gate loading its data for all of them first
    (`manifest_gates.prefetch`), so the cost does not grow with the passengers."""
    bookings = list(bookings)
    manifest_gates.prefetch(bookings, now=now)
    return {booking.pk: booking_gate_results(booking, now=now) for booking in bookings}


def manifest_bookings(flight: Flight, *, statuses=(Booking.Status.MANIFESTED,)) -> list[Booking]:
    """The flight's bookings in `statuses`, by seat, loaded for asking every manifest gate: passenger and
    profile, consent with its document and vehicle (not its long text), and the amount paid."""
    bookings = list(
        selectors.booking_annotate_paid(Booking.objects.filter(flight=flight, status__in=statuses))
        .select_related("user__passenger_profile", "consent__document", "consent__vehicle")
        .defer("consent__disclosure_text")  # long; the material facts are what a stale consent names
        .order_by("seat_number")
    )
    for booking in bookings:
        booking.flight = flight  # the flight as the caller loaded it (vehicle, model, itinerary)
    return bookings


def manifest_mass(bookings) -> float:
    return sum((b.user.passenger_profile.mass_kg for b in bookings if hasattr(b.user, "passenger_profile")), 0)


@check("tourism.manifest")
def manifest_gates_hold(flight: Flight, *, now) -> list[Finding]:
    if flight.purpose != Flight.Purpose.COMMERCIAL:
        return []
    bookings = manifest_bookings(flight)
    findings: list[Finding] = []
    all_results = bookings_gate_results(bookings, now=now)
    for booking in bookings:
        who = f"{passenger_name(booking)} (seat {booking.seat_number})"
        results = all_results[booking.pk]
        for result in results:
            if result.refusal:
                findings.append(no_go(
                    f"manifest.booking.{booking.pk}.{result.name}",
                    Position.MEDICAL if result.medical else Position.MANIFEST,
                    f"{who}: {result.refusal}",
                ))
        if not any(r.refusal for r in results if not r.medical):
            findings.append(go(f"manifest.booking.{booking.pk}", Position.MANIFEST, f"{who}: every manifest gate holds."))
        if any(r.medical for r in results) and not any(r.refusal for r in results if r.medical):
            findings.append(go(f"manifest.booking.{booking.pk}.medical", Position.MEDICAL,
                               f"{who}: medically cleared for this flight."))
    if not bookings:
        findings.append(go("manifest.passengers", Position.MANIFEST, f"No passenger is manifested on {flight.code} yet."))
    return findings


@check("tourism.cabin_mass")
def cabin_mass(flight: Flight, *, now) -> list[Finding]:
    if flight.purpose != Flight.Purpose.COMMERCIAL:
        return []
    model = flight.vehicle.model
    bookings = manifest_bookings(flight)
    total = manifest_mass(bookings)
    budget = model.cabin_mass_budget_kg
    figures = f"{total:.1f} kg of passengers on {len(bookings)} seats against {model}'s cabin budget of {budget:.1f} kg"
    if total > budget:
        return [no_go("manifest.cabin_mass", Position.MANIFEST,
                      f"Manifest over the cabin mass budget: {figures} ({total - budget:.1f} kg over).")]
    return [go("manifest.cabin_mass", Position.MANIFEST, f"Manifest within the cabin mass budget: {figures}.")]


@check("tourism.reserved")
def reserved_on_launch_eve(flight: Flight, *, now) -> list[Finding]:
    if flight.purpose != Flight.Purpose.COMMERCIAL or flight.launch_at - now > RESERVED_WARNING:
        return []
    reserved = manifest_bookings(flight, statuses=(Booking.Status.RESERVED, Booking.Status.AWAITING_CONSENT))
    if not reserved:
        return [go("manifest.reserved", Position.MANIFEST, "No passenger is left only reserved.")]
    names = ", ".join(f"{passenger_name(b)} (seat {b.seat_number})" for b in reserved)
    return [waivable("manifest.reserved", Position.MANIFEST,
                     f"{len(reserved)} booking(s) still only reserved, not manifested, within 24 h of launch: {names}. "
                     "They do not fly unless manifested.")]
