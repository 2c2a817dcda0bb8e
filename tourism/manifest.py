"""The printable launch-day manifest of a flight: who flies, in which seat, with what mass, and whether
every manifest gate holds for each of them, against the vehicle model's cabin mass budget.

A read for operations, flight directors and flight surgeons (`flights.roles.may_read_launch_manifest`),
shared by the portal page and the API. Each gate loads its data for the whole manifest at once
(`manifest_gates.prefetch`), so the cost does not grow with the passengers. Medical gates show only
whether they hold and their refusal, which names status, validity and restrictions, never the record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from flights.models import Flight
from flights.registry import manifest_gates
from tourism.models import Booking
from tourism.readiness import (
    GateResult,
    bookings_gate_results,
    gate_label,
    gate_name,
    is_medical,
    manifest_bookings,
    passenger_name,
)


@dataclass(frozen=True)
class GateColumn:
    name: str
    label: str
    medical: bool


@dataclass(frozen=True)
class ManifestRow:
    booking: Booking
    legal_name: str
    mass_kg: Decimal | None
    height_cm: int | None
    gates: list[GateResult]

    @property
    def seat_number(self) -> int:
        return self.booking.seat_number

    @property
    def all_gates_hold(self) -> bool:
        return all(gate.passed for gate in self.gates)


@dataclass(frozen=True)
class LaunchManifest:
    flight: Flight
    generated_at: dt.datetime
    gate_columns: list[GateColumn]
    manifested: list[ManifestRow]
    reserved: list[ManifestRow]

    @property
    def cabin_mass_budget_kg(self) -> Decimal:
        return self.flight.vehicle.model.cabin_mass_budget_kg

    @property
    def total_mass_kg(self) -> Decimal:
        """The manifested passengers' mass: what the cabin carries if they fly."""
        return sum((row.mass_kg or Decimal(0) for row in self.manifested), Decimal("0.0"))

    @property
    def margin_kg(self) -> Decimal:
        """What is left of the cabin budget; negative when over."""
        return self.cabin_mass_budget_kg - self.total_mass_kg

    @property
    def over_by_kg(self) -> Decimal:
        return max(-self.margin_kg, Decimal("0.0"))

    @property
    def within_budget(self) -> bool:
        return self.margin_kg >= 0

    @property
    def mass_with_reserved_kg(self) -> Decimal:
        return self.total_mass_kg + sum((row.mass_kg or Decimal(0) for row in self.reserved), Decimal("0.0"))


def flight_for_manifest() -> QuerySet[Flight]:
    return Flight.objects.select_related("vehicle__model", "spaceport", "itinerary", "flight_director")


def launch_manifest(flight: Flight, *, now: dt.datetime | None = None) -> LaunchManifest:
    """The manifest of `flight` (loaded with `flight_for_manifest`) as it stands at `now`."""
    now = now or timezone.now()
    bookings = manifest_bookings(
        flight, statuses=(Booking.Status.MANIFESTED, Booking.Status.RESERVED, Booking.Status.AWAITING_CONSENT)
    )
    results = bookings_gate_results(bookings, now=now)
    rows = {Booking.Status.MANIFESTED: [], Booking.Status.RESERVED: []}
    for booking in bookings:
        profile = getattr(booking.user, "passenger_profile", None)
        # Awaiting consent after a transfer: listed with the reserved, its consent gate NO-GO.
        rows[Booking.Status.MANIFESTED if booking.status == Booking.Status.MANIFESTED else Booking.Status.RESERVED].append(ManifestRow(
            booking=booking,
            legal_name=passenger_name(booking),
            mass_kg=profile.mass_kg if profile else None,
            height_cm=profile.height_cm if profile else None,
            gates=results[booking.pk],
        ))
    columns = [GateColumn(gate_name(g), gate_label(g), is_medical(g)) for g in list(manifest_gates._guards)]
    return LaunchManifest(
        flight=flight, generated_at=now, gate_columns=columns,
        manifested=rows[Booking.Status.MANIFESTED], reserved=rows[Booking.Status.RESERVED],
    )
