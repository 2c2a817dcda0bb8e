"""The verification readiness check: certified for passengers (commercial), at the right stage
(verification flights), never on a grounded vehicle without a return-to-flight permit."""

import pytest
from django.utils import timezone

from flights import services as flight_services
from flights.models import Flight, Position, Verdict
from flights.readiness import registry
from tests.flights.factories import FlightFactory, VehicleFactory, VehicleModelFactory
from tests.verification.factories import certified_vehicle, signed_record
from verification import services
from verification.readiness import vehicle_certification

pytestmark = pytest.mark.django_db


@pytest.fixture
def model():
    return VehicleModelFactory(required_uncrewed_flights=1, required_crewed_flights=1)


def only_finding(flight):
    findings = vehicle_certification(flight, now=timezone.now())
    assert len(findings) == 1
    finding = findings[0]
    assert finding.key == "verification.certification"
    assert finding.position == Position.VERIFICATION
    return finding


def test_the_check_is_discovered():
    assert registry._checks["verification"] is vehicle_certification


def test_commercial_flight_on_an_uncertified_vehicle_is_no_go(model):
    flight = FlightFactory(vehicle=VehicleFactory(model=model))
    finding = only_finding(flight)
    assert finding.verdict == Verdict.NO_GO
    assert finding.message == (
        f"Vehicle {flight.vehicle} is not certified for passengers (uncertified: "
        "0 of 1 uncrewed verification flights count; 0 of 1 crewed verification flights count)."
    )


def test_commercial_flight_on_a_certified_vehicle_is_go(model, operations, directors):
    vehicle = certified_vehicle(ops=operations, directors=directors, vehicle=VehicleFactory(model=model))
    finding = only_finding(FlightFactory(vehicle=vehicle))
    assert finding.verdict == Verdict.GO
    assert finding.message == f"Vehicle {vehicle} is certified for passengers."


def test_crewed_verification_flight_needs_the_uncrewed_phase(model, operations, directors):
    vehicle = VehicleFactory(model=model)
    crewed = FlightFactory(vehicle=vehicle, itinerary=None, purpose=Flight.Purpose.CREWED_VERIFICATION)
    finding = only_finding(crewed)
    assert finding.verdict == Verdict.NO_GO
    assert finding.message == (
        f"Vehicle {vehicle} has not completed its uncrewed phase: 0 of 1 uncrewed verification flights count; "
        "0 of 1 crewed verification flights count."
    )
    signed_record(by=operations, directors=directors, vehicle=vehicle)
    finding = only_finding(crewed)
    assert finding.verdict == Verdict.GO
    assert finding.message == f"Vehicle {vehicle} has completed its uncrewed phase: a crewed verification flight may fly."


def test_uncrewed_verification_flight_is_go_at_any_stage(model):
    vehicle = VehicleFactory(model=model)
    finding = only_finding(FlightFactory(vehicle=vehicle, itinerary=None, purpose=Flight.Purpose.UNCREWED_VERIFICATION))
    assert finding.verdict == Verdict.GO
    assert finding.message == f"Uncrewed verification flight on {vehicle} (uncertified)."


def test_uncrewed_flight_on_a_grounded_vehicle_needs_a_return_to_flight_permit(model, operations, directors):
    vehicle = certified_vehicle(ops=operations, directors=directors, vehicle=VehicleFactory(model=model))
    record = signed_record(by=operations, directors=directors, vehicle=vehicle)
    mishap = services.mishap_declare(flight=record.flight, by=operations, description="Booster lost at max-Q")
    vehicle.refresh_from_db()
    rtf = FlightFactory(vehicle=vehicle, itinerary=None, purpose=Flight.Purpose.UNCREWED_VERIFICATION)
    finding = only_finding(rtf)
    assert finding.verdict == Verdict.NO_GO
    assert finding.message.startswith(
        f"Vehicle {vehicle} is grounded and this uncrewed flight is no permitted return-to-flight flight: "
        "every corrective action of its mishaps must be closed first (Mishap on flight "
    )
    action = services.corrective_action_add(mishap=mishap, by=operations, description="Redesign the nozzle")
    assert only_finding(rtf).verdict == Verdict.NO_GO
    services.corrective_action_close(corrective_action=action, by=operations, reason="Qualified by test")
    assert only_finding(rtf).verdict == Verdict.GO


def test_grounded_without_a_mishap_is_no_go(model, operations):
    vehicle = VehicleFactory(model=model)
    flight_services.vehicle_ground(vehicle=vehicle, reason="Cracked heat shield tile", by=operations)
    vehicle.refresh_from_db()
    finding = only_finding(FlightFactory(vehicle=vehicle, itinerary=None, purpose=Flight.Purpose.UNCREWED_VERIFICATION))
    assert finding.verdict == Verdict.NO_GO
    assert finding.message.endswith("must be closed first (Cracked heat shield tile).")
