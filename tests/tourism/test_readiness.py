"""The tourism readiness checks: every manifested passenger's gates asked again for the flight as it
stands, the manifest's mass against the cabin budget, passengers left only reserved on launch eve."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from flights import registry
from flights import services as flight_services
from flights.models import Flight, Position, Verdict
from tests.flights.factories import VehicleFactory
from tests.tourism.factories import bookable_flight, passenger_with_profile, pay_balance, reserved_booking
from tourism import readiness, services

pytestmark = pytest.mark.django_db


def manifested(flight, operations, **profile):
    booking = reserved_booking(flight, user=passenger_with_profile(**profile))
    pay_balance(booking, by=operations)
    return services.booking_manifest(booking=booking, by=operations)


def by_key(findings):
    return {f.key: f for f in findings}


def name(booking):
    return booking.user.passenger_profile.legal_name


def test_every_gate_holds_go_for_manifest(flight, operations):
    booking = manifested(flight, operations)
    findings = by_key(readiness.manifest_gates_hold(flight, now=timezone.now()))
    assert list(findings) == [f"manifest.booking.{booking.pk}"]
    finding = findings[f"manifest.booking.{booking.pk}"]
    assert (finding.verdict, finding.position) == (Verdict.GO, Position.MANIFEST)
    assert finding.message == f"{name(booking)} (seat {booking.seat_number}): every manifest gate holds."


def test_no_passenger_manifested_is_go_with_a_note(flight):
    [finding] = readiness.manifest_gates_hold(flight, now=timezone.now())
    assert finding.verdict == Verdict.GO
    assert finding.message == f"No passenger is manifested on {flight.code} yet."


def test_a_gate_that_no_longer_holds_is_no_go_naming_passenger_and_seat(flight, operations):
    booking = manifested(flight, operations)
    flight_services.vehicle_ground(vehicle=flight.vehicle, reason="Parachute anomaly on NS-40", by=operations)
    flight.refresh_from_db()
    findings = by_key(readiness.manifest_gates_hold(flight, now=timezone.now()))
    finding = findings[f"manifest.booking.{booking.pk}.consent_current"]
    assert (finding.verdict, finding.position) == (Verdict.NO_GO, Position.MANIFEST)
    assert finding.message.startswith(
        f"{name(booking)} (seat {booking.seat_number}): Informed consent is not current: The vehicle's safety record changed"
    )
    assert f"manifest.booking.{booking.pk}" not in findings


def test_mass_outside_vehicle_limits_is_no_go(flight, operations):
    booking = manifested(flight, operations)
    services.passenger_profile_save(user=booking.user, mass_kg=Decimal("120"))
    finding = by_key(readiness.manifest_gates_hold(flight, now=timezone.now()))[
        f"manifest.booking.{booking.pk}.passenger_within_vehicle_limits"
    ]
    assert finding.verdict == Verdict.NO_GO
    assert "your profile gives 120" in finding.message


def test_medical_refusals_belong_to_the_medical_position(flight, operations, monkeypatch):
    from tourism.medical.gates import medical_manifest_gate

    booking = manifested(flight, operations)
    monkeypatch.setattr(registry.manifest_gates, "_guards", [*registry.manifest_gates._guards, medical_manifest_gate])
    findings = by_key(readiness.manifest_gates_hold(flight, now=timezone.now()))
    finding = findings[f"manifest.booking.{booking.pk}.medical_manifest_gate"]
    assert (finding.verdict, finding.position) == (Verdict.NO_GO, Position.MEDICAL)
    assert finding.message.startswith(f"{name(booking)} (seat {booking.seat_number}): ")
    assert findings[f"manifest.booking.{booking.pk}"].verdict == Verdict.GO  # the rest of the gates hold


def test_cabin_mass_go_and_no_go_with_the_figures(operations):
    vehicle = VehicleFactory(model__cabin_mass_budget_kg=Decimal("180"), model__passenger_seats=3)
    flight = bookable_flight(vehicle=vehicle)
    first = manifested(flight, operations, mass_kg=Decimal("85"))
    manifested(flight, operations, mass_kg=Decimal("90"))
    [finding] = readiness.cabin_mass(flight, now=timezone.now())
    assert finding.verdict == Verdict.GO
    assert finding.message == (
        f"Manifest within the cabin mass budget: 175.0 kg of passengers on 2 seats against {vehicle.model}'s "
        "cabin budget of 180.0 kg."
    )
    services.passenger_profile_save(user=first.user, mass_kg=Decimal("99"))
    [finding] = readiness.cabin_mass(flight, now=timezone.now())
    assert (finding.verdict, finding.position) == (Verdict.NO_GO, Position.MANIFEST)
    assert finding.message == (
        f"Manifest over the cabin mass budget: 189.0 kg of passengers on 2 seats against {vehicle.model}'s "
        "cabin budget of 180.0 kg (9.0 kg over)."
    )


def test_reserved_bookings_within_24_h_are_waivable_naming_them(flight, operations):
    booking = reserved_booking(flight)
    manifested(flight, operations)
    early = flight.launch_at - dt.timedelta(hours=25)
    assert readiness.reserved_on_launch_eve(flight, now=early) == []
    [finding] = readiness.reserved_on_launch_eve(flight, now=flight.launch_at - dt.timedelta(hours=23))
    assert (finding.verdict, finding.position, finding.key) == (Verdict.WAIVABLE, Position.MANIFEST, "manifest.reserved")
    assert finding.message == (
        f"1 booking(s) still only reserved, not manifested, within 24 h of launch: {name(booking)} "
        f"(seat {booking.seat_number}). They do not fly unless manifested."
    )
    services.booking_manifest(booking=(pay_balance(booking, by=operations) and booking), by=operations)
    [finding] = readiness.reserved_on_launch_eve(flight, now=flight.launch_at - dt.timedelta(hours=23))
    assert finding.verdict == Verdict.GO


def test_verification_flights_have_no_manifest(operations):
    flight = bookable_flight(itinerary=None, purpose=Flight.Purpose.UNCREWED_VERIFICATION)
    now = timezone.now()
    assert readiness.manifest_gates_hold(flight, now=now) == []
    assert readiness.cabin_mass(flight, now=now) == []
    assert readiness.reserved_on_launch_eve(flight, now=flight.launch_at) == []


def test_bookings_are_the_medical_apps_source_of_upcoming_flights(flight, operations):
    from tourism.medical.registry import passenger_flights

    booking = reserved_booking(flight)
    other = bookable_flight(launch_at=flight.launch_at + dt.timedelta(days=10))
    cancelled = reserved_booking(other, user=booking.user)
    services.booking_cancel(booking=cancelled, by=operations, reason="Changed plans")
    assert passenger_flights.upcoming([booking.user_id], now=timezone.now()) == {booking.user_id: [flight]}


def test_the_cabin_mass_gate_weighs_this_flights_manifest_only(operations):
    """Each manifested passenger's cabin-mass gate adds the others manifested on the same flight: not those
    only reserved on it, nor those manifested on another flight."""
    vehicle = VehicleFactory(model__cabin_mass_budget_kg=Decimal("180"), model__passenger_seats=3)
    flight = bookable_flight(vehicle=vehicle)
    first = manifested(flight, operations, mass_kg=Decimal("85"))
    second = manifested(flight, operations, mass_kg=Decimal("90"))
    reserved_booking(flight, user=passenger_with_profile(mass_kg=Decimal("100")))  # reserved, not manifested
    manifested(bookable_flight(vehicle=VehicleFactory(model=vehicle.model)), operations, mass_kg=Decimal("100"))

    def cabin_gates():
        loaded = Flight.objects.select_related("vehicle__model", "spaceport").get(pk=flight.pk)  # as readiness loads it
        findings = by_key(readiness.manifest_gates_hold(loaded, now=timezone.now()))
        return {b.pk: findings.get(f"manifest.booking.{b.pk}.cabin_mass_within_budget") for b in (first, second)}

    assert cabin_gates() == {first.pk: None, second.pk: None}  # 175 kg of 180: every gate holds
    type(vehicle.model).objects.filter(pk=vehicle.model.pk).update(cabin_mass_budget_kg=Decimal("170"))
    gates = cabin_gates()
    assert all(f is not None and f.verdict == Verdict.NO_GO for f in gates.values()), gates


def test_the_balance_gate_names_the_amount_and_the_due_time_at_the_spaceport(flight):
    from flights.formats import moment_text
    from tourism import gates

    booking = reserved_booking(flight, user=passenger_with_profile())
    due = moment_text(booking.balance_due_at, flight.spaceport.timezone)
    assert "UTC" in due and due != moment_text(booking.balance_due_at)  # local time first, then UTC
    before = gates.balance_paid(booking, now=booking.balance_due_at - dt.timedelta(days=1))
    assert before == f"Balance unpaid: 300,000.00 USD of 450,000.00 USD is outstanding (due {due})."
    after = gates.balance_paid(booking, now=booking.balance_due_at + dt.timedelta(seconds=1))
    assert after == f"Balance unpaid: 300,000.00 USD of 450,000.00 USD is outstanding (overdue: it was due {due})."
    assert gates.balance_paid(booking) == before  # without a time to judge by, never called overdue


def test_fifty_cents_outstanding_is_still_an_unpaid_balance(flight, operations):
    from tourism import gates, selectors

    booking = reserved_booking(flight, user=passenger_with_profile())
    outstanding = booking.price - selectors.booking_amount_paid(booking)
    services.payment_record(booking=booking, kind="balance", amount=outstanding - Decimal("0.50"),
                            reference="BANK-BAL-SHORT", by=operations)
    booking.refresh_from_db()
    assert gates.balance_paid(booking).startswith("Balance unpaid: 0.50 USD of 450,000.00 USD is outstanding")


def test_a_manifest_exactly_at_the_cabin_budget_flies(operations):
    vehicle = VehicleFactory(model__cabin_mass_budget_kg=Decimal("180"), model__passenger_seats=3)
    flight = bookable_flight(vehicle=vehicle)
    first = manifested(flight, operations, mass_kg=Decimal("90"))
    manifested(flight, operations, mass_kg=Decimal("90"))  # 180 kg of 180: manifested
    loaded = Flight.objects.select_related("vehicle__model", "spaceport").get(pk=flight.pk)
    assert not [f for f in readiness.manifest_gates_hold(loaded, now=timezone.now()) if not f.is_go]
    from tourism import gates

    first = type(first).objects.select_related("flight__vehicle__model", "user__passenger_profile").get(pk=first.pk)
    assert gates.cabin_mass_within_budget(first) is None  # asked alone, a manifested passenger counts once
    alone = bookable_flight(vehicle=VehicleFactory(model__cabin_mass_budget_kg=Decimal("95"), model__passenger_seats=1))
    assert manifested(alone, operations, mass_kg=Decimal("95")).status == "manifested"
