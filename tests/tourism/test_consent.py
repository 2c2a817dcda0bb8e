"""Informed consent (14 CFR 460.45): the disclosure from live records, the signature, staleness."""

import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from flights import services as flight_services
from flights.disclosure import DisclosureSection
from flights.exceptions import InvalidTransition
from flights.registry import disclosure_sections
from tests.conftest import PASSWORD
from tests.flights.factories import VehicleFactory, scheduled_flight
from tests.tourism.factories import IndustrySafetyRecordFactory, sign
from tourism import services
from tourism.disclosure import consent_state, disclosure_build
from tourism.exceptions import (
    ConsentSignatureInvalid,
    ConsentUnavailable,
    DisclosureChanged,
    HoldExpired,
)
from tourism.models import ConsentSignature

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(pax, flight):
    return services.booking_hold(flight=flight, user=pax)


def test_disclosure_names_the_vehicle_and_every_required_part(flight, operations):
    vehicle = flight.vehicle
    vehicle.flights_before_tracking = 15
    vehicle.save()
    flight_services.vehicle_ground(vehicle=vehicle, reason="Booster failure on NS-23", by=operations)
    flight_services.vehicle_return_to_service(vehicle=vehicle, reason="21 corrective actions closed", by=operations)
    text = disclosure_build(vehicle).text
    assert f"Vehicle: {vehicle.name}, serial {vehicle.serial}" in text
    assert "Known hazards and risks\n- Death or serious injury." in text
    assert "There are hazards that are not known" in text
    assert "has not certified the launch vehicle" in text
    assert "Flights flown: 15 (15 before this record was kept, 0 since)." in text
    assert "Booster failure on NS-23" in text and "Returned to service on" in text
    assert "Safety record of all crewed vehicles flown" in text and "Columbia (2003, 7 died)." in text
    # Sections in order: hazards, certification, the vehicle's record, the industry record.
    assert text.index("Known hazards") < text.index("No government") < text.index("operator's record") < text.index(
        "Safety record of all crewed"
    )


def test_flights_flown_since_tracking_are_listed(flight, operations):
    flown = scheduled_flight(vehicle=flight.vehicle, itinerary=flight.itinerary, launch_at=flight.launch_at - dt.timedelta(days=30))
    flight_services.flight_mark_ready(flight=flown, by=operations)
    flight_services.flight_launch(flight=flown, by=operations, at=flown.launch_at, now=flown.launch_at)
    text = disclosure_build(flight.vehicle).text
    assert f"Flight {flown.code} launched {flown.launch_at:%Y-%m-%d}." in text
    assert "Flights flown: 1 (0 before this record was kept, 1 since)." in text


def test_other_apps_add_sections_through_the_registry(flight):
    def verification(vehicle):
        return DisclosureSection(
            title="Verification flights", lines=["NS-15 uncrewed, signed off."], material_facts=["anomaly A-7"], order=40
        )

    disclosure_sections.register(verification)
    try:
        disclosure = disclosure_build(flight.vehicle)
    finally:
        disclosure_sections.unregister(verification)
    assert "Verification flights\n- NS-15 uncrewed, signed off." in disclosure.text
    assert disclosure.text.index("operator's record") < disclosure.text.index("Verification flights")
    assert "anomaly A-7" in disclosure.material_facts


def test_sign_keeps_the_exact_text_shown_and_its_sha256(held, pax):
    shown = disclosure_build(held.flight.vehicle)
    signature = services.consent_sign(
        booking=held, user=pax, typed_name="  pat q.  TESTER ", password=PASSWORD, disclosure_sha256=shown.sha256,
        ip_address="192.0.2.7",
    )
    assert signature.disclosure_text == shown.text
    assert signature.disclosure_sha256 == hashlib.sha256(shown.text.encode()).hexdigest()
    assert signature.typed_name == "pat q. TESTER"
    assert (signature.vehicle, signature.document.version, signature.ip_address) == (held.flight.vehicle, 1, "192.0.2.7")
    held.refresh_from_db()
    assert held.consent == signature and held.status == "held"  # reserved only when the deposit arrives


@pytest.mark.parametrize(
    "typed_name,password,field",
    [("Somebody Else", PASSWORD, "legal_name"), ("Pat Q. Tester", "wrong-password", "password"), ("", "", "legal_name")],
)
def test_wrong_name_or_password_is_refused(held, pax, typed_name, password, field):
    with pytest.raises(ConsentSignatureInvalid, match="The signature was not accepted") as caught:
        services.consent_sign(booking=held, user=pax, typed_name=typed_name, password=password)
    assert field in caught.value.fields
    assert caught.value.status_code == 400
    assert not ConsentSignature.objects.exists()


def test_only_the_passenger_signs(held, other_pax):
    with pytest.raises(ConsentSignatureInvalid, match="Only the passenger of a booking can sign"):
        services.consent_sign(booking=held, user=other_pax, typed_name="Quinn R. Tester", password=PASSWORD)


def test_a_disclosure_that_changed_while_read_is_refused(held, pax, operations):
    shown = disclosure_build(held.flight.vehicle)
    flight_services.vehicle_ground(vehicle=held.flight.vehicle, reason="Hard landing", by=operations)
    with pytest.raises(DisclosureChanged, match="The disclosure changed while you were reading it"):
        sign(held, disclosure_sha256=shown.sha256)


def test_consent_after_the_hold_lapsed_is_refused(held):
    with pytest.raises(HoldExpired, match="its hold lapsed at"):
        sign(held, now=held.hold_expires_at + dt.timedelta(seconds=1))


def test_signing_twice_is_refused_while_current(held):
    sign(held)
    with pytest.raises(InvalidTransition, match="already has current informed consent"):
        sign(held)


def test_no_consent_without_a_published_document(pax):
    flight = scheduled_flight(vehicle=VehicleFactory())
    IndustrySafetyRecordFactory()
    booking = services.booking_hold(flight=flight, user=pax)
    with pytest.raises(ConsentUnavailable, match="No informed consent document is published for vehicle"):
        sign(booking)


def test_no_consent_without_the_industry_record(flight, pax):
    from tourism.models import IndustrySafetyRecord

    IndustrySafetyRecord.objects.all().delete()
    booking = services.booking_hold(flight=flight, user=pax)
    with pytest.raises(ConsentUnavailable, match="The industry safety record has not been published"):
        sign(booking)


def test_cancelled_booking_cannot_be_signed(held, pax):
    services.booking_cancel(booking=held, by=pax)
    with pytest.raises(InvalidTransition, match="it is cancelled"):
        sign(held)


# --- Staleness --------------------------------------------------------------------------------------------


def test_a_new_grounding_makes_consent_stale_and_new_consent_fixes_it(held, operations):
    signature = sign(held)
    vehicle = held.flight.vehicle
    assert consent_state(signature=signature, vehicle=vehicle).is_current
    flight_services.vehicle_ground(vehicle=vehicle, reason="Parachute anomaly on NS-40", by=operations)
    state = consent_state(signature=signature, vehicle=vehicle)
    assert state.status == "stale"
    assert state.reasons == [
        f"The vehicle's safety record changed since you signed: {vehicle.serial} Grounded on "
        f"{timezone.now():%Y-%m-%d}: Parachute anomaly on NS-40."
    ]
    held.refresh_from_db()
    fresh = sign(held)
    assert consent_state(signature=fresh, vehicle=vehicle).is_current
    assert fresh.material_facts == [f"{vehicle.serial} Grounded on {timezone.now():%Y-%m-%d}: Parachute anomaly on NS-40"]


def test_flights_flown_and_the_industry_record_do_not_make_consent_stale(held, operations):
    signature = sign(held)
    IndustrySafetyRecordFactory(summary="Updated summary.", as_of=dt.date(2026, 6, 1))
    assert consent_state(signature=signature, vehicle=held.flight.vehicle).is_current


def test_a_new_document_version_makes_consent_stale(held, operations):
    signature = sign(held)
    services.consent_document_publish(vehicle=held.flight.vehicle, known_hazards="Revised hazards.", by=operations)
    state = consent_state(signature=signature, vehicle=held.flight.vehicle)
    assert state.reasons == ["Consent document version 2 replaced the version 1 you signed."]


def test_consent_for_another_vehicle_is_stale(held):
    signature = sign(held)
    other = VehicleFactory()
    state = consent_state(signature=signature, vehicle=other)
    assert state.status == "stale" and "the flight now uses" in state.reasons[0]


def test_missing_consent_state():
    state = consent_state(signature=None, vehicle=None)
    assert (state.status, state.reasons) == ("missing", ["Informed consent has not been signed for this booking."])


def test_document_versions_count_up_per_vehicle(operations):
    vehicle = VehicleFactory()
    versions = [
        services.consent_document_publish(vehicle=vehicle, known_hazards=f"Hazards v{i}", by=operations).version
        for i in range(3)
    ]
    assert versions == [1, 2, 3]
    with pytest.raises(Exception, match="must list the known hazards"):
        services.consent_document_publish(vehicle=vehicle, known_hazards="  ", by=operations)
