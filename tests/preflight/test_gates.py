"""The three pre-flight manifest gates: each one's pass, and each failure named exactly."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from flights import registry
from tests.flights.factories import ItineraryFactory, OrbitalItineraryFactory, VehicleFactory
from tests.preflight import factories as f
from tourism import services as booking_services
from tourism.exceptions import ManifestGateFailed
from tourism.preflight import gates, selectors
from tourism.preflight.models import SecurityScreening, TrainingModule
from tourism.preflight.waiver import WAIVER_TEXT_VERSION

pytestmark = pytest.mark.django_db


def flight_day(booking):
    return selectors.flight_date(booking.flight)


def test_the_app_registers_its_three_gates():
    names = [getattr(g, "__name__", "") for g in registry.manifest_gates._guards]
    assert {"training_complete", "waiver_of_claims_signed", "security_screening_passed"} <= set(names)


# --- Training ------------------------------------------------------------------------------------------


def test_training_passes_when_every_module_is_signed_off_and_the_hours_reached(booking, instructor):
    f.train_fully(booking, by=instructor)
    assert gates.training_complete(booking, now=timezone.now()) is None


def test_training_names_the_emergency_module_not_signed_off_and_the_hours(booking, instructor):
    itinerary = booking.flight.itinerary
    itinerary.training_hours = 8
    itinerary.save(update_fields=["training_hours"])
    f.emergency_module(itinerary, hours="5")
    briefing = f.TrainingModuleFactory(itinerary=itinerary, name="Flight briefing", hours=Decimal("3"))
    f.sign_off(booking, briefing, by=instructor)
    assert gates.training_complete(booking, now=timezone.now()) == (
        "Training incomplete: Emergency egress (460.51) not signed off; 3 of 8 training hours done."
    )


def test_training_refuses_an_itinerary_without_an_emergency_module(booking, instructor):
    module = f.TrainingModuleFactory(itinerary=booking.flight.itinerary, name="Flight briefing", hours=Decimal("14"))
    f.sign_off(booking, module, by=instructor)
    assert gates.training_complete(booking, now=timezone.now()) == (
        f"Training incomplete: no 14 CFR 460.51 emergency training module is set up for {booking.flight.itinerary.name}."
    )


def test_training_hours_short_though_every_module_is_signed_off(booking, instructor):
    [emergency, rehearsal] = f.syllabus(booking.flight.itinerary)
    f.sign_off(booking, emergency, by=instructor)
    f.sign_off(booking, rehearsal, by=instructor, hours=Decimal("7.5"))
    assert gates.training_complete(booking, now=timezone.now()) == (
        "Training incomplete: 11.5 of 14 training hours done."
    )


def test_regime_modules_count_for_every_itinerary_of_that_regime(booking, instructor):
    regime_wide = f.emergency_module(regime="suborbital", name="Suborbital emergency training", hours="14")
    f.emergency_module(regime="orbital", name="Orbital emergency training")  # not for this itinerary
    f.sign_off(booking, regime_wide, by=instructor)
    assert gates.training_complete(booking, now=timezone.now()) is None


def test_retired_modules_are_no_longer_required(booking, instructor):
    f.train_fully(booking, by=instructor)
    TrainingModule.objects.create(itinerary=booking.flight.itinerary, name="Old drill", hours=2, is_active=False)
    assert gates.training_complete(booking, now=timezone.now()) is None


def test_training_completed_on_the_flight_date_does_not_count(booking, instructor):
    [emergency, rehearsal] = f.syllabus(booking.flight.itinerary)
    f.sign_off(booking, emergency, by=instructor)
    launch_day = flight_day(booking)
    f.sign_off(booking, rehearsal, by=instructor, completed_on=launch_day, now=booking.flight.launch_at + dt.timedelta(days=1))
    assert gates.training_complete(booking, now=timezone.now()) == (
        f"Training incomplete: Mission rehearsal signed off on {launch_day:%Y-%m-%d}, not before the flight date "
        f"{launch_day:%Y-%m-%d}; 4 of 14 training hours done."
    )


def test_training_must_still_be_current_on_the_flight_date(booking, instructor):
    [emergency, rehearsal] = f.syllabus(booking.flight.itinerary)
    emergency.valid_for_days = 30
    emergency.save(update_fields=["valid_for_days"])
    done, late = flight_day(booking) - dt.timedelta(days=31), booking.flight.launch_at
    f.sign_off(booking, emergency, by=instructor, completed_on=done, now=late)
    f.sign_off(booking, rehearsal, by=instructor)
    assert gates.training_complete(booking, now=timezone.now()) == (
        f"Training incomplete: Emergency egress (460.51) lapsed on {done + dt.timedelta(days=30):%Y-%m-%d}, before "
        f"the flight date {flight_day(booking):%Y-%m-%d} (current for 30 days); 10 of 14 training hours done."
    )
    # Recurrent training within the 30 days makes it current again.
    f.sign_off(booking, emergency, by=instructor, completed_on=flight_day(booking) - dt.timedelta(days=2), now=late)
    assert gates.training_complete(booking, now=timezone.now()) is None


def test_training_carries_over_to_another_flight_of_the_itinerary(booking, instructor, operations):
    from tests.tourism.factories import bookable_flight

    f.train_fully(booking, by=instructor)
    later = bookable_flight(code="NS-42", itinerary=booking.flight.itinerary, vehicle=booking.flight.vehicle,
                            launch_at=booking.flight.launch_at + dt.timedelta(days=10))
    moved = booking_services.booking_transfer(booking=booking, to_flight=later, by=operations, reason="Later date")
    assert gates.training_complete(moved, now=timezone.now()) is None
    # The waiver names the flight, though: it is signed again for the new one.
    assert gates.waiver_of_claims_signed(moved, now=timezone.now()) == (
        "Waiver of claims (14 CFR 460.49) not signed for flight NS-42."
    )


def test_orbital_training_needs_the_orbital_modules(pax, operations, instructor):
    from tests.tourism.factories import bookable_flight, reserved_booking

    flight = bookable_flight(code="AX-9", itinerary=OrbitalItineraryFactory(training_hours=40),
                             vehicle=VehicleFactory(model__regime="orbital"))
    booking = reserved_booking(flight, user=pax, by=operations)
    f.emergency_module(regime="suborbital", name="Suborbital emergency training")
    assert gates.training_complete(booking, now=timezone.now()) == (
        f"Training incomplete: no 14 CFR 460.51 emergency training module is set up for {flight.itinerary.name}; "
        "0 of 40 training hours done."
    )


# --- Waiver of claims ----------------------------------------------------------------------------------


def test_waiver_passes_once_signed(booking):
    f.sign_waiver(booking)
    assert gates.waiver_of_claims_signed(booking, now=timezone.now()) is None


def test_waiver_missing_is_named(booking):
    assert gates.waiver_of_claims_signed(booking, now=timezone.now()) == (
        "Waiver of claims (14 CFR 460.49) not signed for flight NS-41."
    )


def test_waiver_on_an_older_text_version_must_be_signed_again(booking, monkeypatch):
    f.sign_waiver(booking)
    monkeypatch.setattr(selectors, "WAIVER_TEXT_VERSION", WAIVER_TEXT_VERSION + 1)
    assert gates.waiver_of_claims_signed(booking, now=timezone.now()) == (
        f"Waiver of claims (14 CFR 460.49) for flight NS-41 was signed on text version {WAIVER_TEXT_VERSION}; "
        f"version {WAIVER_TEXT_VERSION + 1} must be signed."
    )


# --- Security screening --------------------------------------------------------------------------------


def test_screening_passes_once_passed(booking, instructor):
    f.screen(booking, by=instructor)
    assert gates.security_screening_passed(booking, now=timezone.now()) is None


def test_screening_missing_is_named(booking):
    assert gates.security_screening_passed(booking, now=timezone.now()) == (
        "Security screening (14 CFR 460.53) not recorded for flight NS-41."
    )


def test_failed_screening_blocks_with_its_note_until_a_newer_one_passes(booking, instructor):
    at = timezone.now().replace(microsecond=0)
    f.screen(booking, by=instructor, result=SecurityScreening.Result.FAILED, note="Folding knife in hand luggage.",
             now=at)
    assert gates.security_screening_passed(booking, now=at) == (
        f"Security screening (14 CFR 460.53) for flight NS-41 failed on {at:%Y-%m-%d %H:%M} UTC: "
        "Folding knife in hand luggage."
    )
    f.screen(booking, by=instructor, now=at + dt.timedelta(hours=1))
    assert gates.security_screening_passed(booking, now=at) is None


# --- Together, through the booking's manifest --------------------------------------------------------


def test_manifest_refusal_lists_each_missing_pre_flight_record(booking, operations, instructor):
    from tests.tourism.factories import pay_balance

    pay_balance(booking, by=operations)
    with pytest.raises(ManifestGateFailed) as refused:
        booking_services.booking_manifest(booking=booking, by=operations)
    message = refused.value.message
    assert "Training incomplete: no 14 CFR 460.51 emergency training module" in message
    assert "Waiver of claims (14 CFR 460.49) not signed for flight NS-41." in message
    assert "Security screening (14 CFR 460.53) not recorded for flight NS-41." in message
    f.preflight_complete(booking, by=instructor)
    assert booking_services.booking_manifest(booking=booking, by=operations).status == "manifested"


def test_unrelated_itinerary_modules_do_not_count(booking, instructor):
    other = ItineraryFactory()
    f.emergency_module(other, hours="14")
    f.train_fully(booking, by=instructor)
    assert gates.training_complete(booking, now=timezone.now()) is None
