"""A mishap grounds the vehicle; it returns to service only after every corrective action is closed and
an uncrewed return-to-flight verification flight is signed off. Certification follows the same rule."""

import pytest

from flights import services as flight_services
from flights.exceptions import DomainError, InvalidInput, InvalidTransition, VehicleNotAvailable
from flights.models import Flight, Vehicle
from tests.flights.factories import FlightFactory, VehicleFactory, VehicleModelFactory
from tests.verification.factories import certified_vehicle, sign, signed_record
from verification import selectors, services
from verification.exceptions import MishapRefused, NotPermitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def vehicle(operations, directors):
    model = VehicleModelFactory(required_uncrewed_flights=1, required_crewed_flights=1)
    return certified_vehicle(ops=operations, directors=directors, vehicle=VehicleFactory(model=model))


@pytest.fixture
def mishap(vehicle, operations, directors):
    record = signed_record(by=operations, directors=directors, vehicle=vehicle)
    return services.mishap_declare(flight=record.flight, by=operations, description="Booster lost at max-Q")


def test_declaring_a_mishap_grounds_the_vehicle_through_the_flights_service(vehicle, mishap, operations):
    vehicle.refresh_from_db()
    assert vehicle.status == Vehicle.Status.GROUNDED
    change = vehicle.status_changes.last()
    assert change.reason == f"Mishap on flight {mishap.flight.code}: Booster lost at max-Q"
    assert change.changed_by == operations
    assert mishap.occurred_at == mishap.flight.launched_at


def test_mishap_refusals(vehicle, mishap, operations, passenger):
    with pytest.raises(MishapRefused, match=f"A mishap is already declared on flight {mishap.flight.code}"):
        services.mishap_declare(flight=mishap.flight, by=operations, description="again")
    with pytest.raises(MishapRefused, match="is draft: a mishap is declared on a flight that was scheduled or flown"):
        services.mishap_declare(flight=FlightFactory(), by=operations, description="x")
    with pytest.raises(InvalidInput, match="Give a description of the mishap"):
        services.mishap_declare(flight=mishap.flight, by=operations, description=" ")
    with pytest.raises(NotPermitted, match="Only operations staff or flight directors can declare mishaps: pat is neither"):
        services.mishap_declare(flight=mishap.flight, by=passenger, description="x")


def test_a_mishap_on_an_already_grounded_vehicle_keeps_it_grounded(vehicle, operations, directors):
    record = signed_record(by=operations, directors=directors, vehicle=vehicle)
    flight_services.vehicle_ground(vehicle=vehicle, reason="Hail damage", by=operations)
    services.mishap_declare(flight=record.flight, by=operations, description="Hard landing")
    vehicle.refresh_from_db()
    assert (vehicle.status, vehicle.status_reason) == ("grounded", "Hail damage")
    with pytest.raises(DomainError, match="cannot return to service"):
        flight_services.vehicle_return_to_service(vehicle=vehicle, reason="fixed", by=operations)


def test_corrective_actions_close_with_a_note_once(mishap, operations):
    action = services.corrective_action_add(mishap=mishap, by=operations, description="Redesign the nozzle")
    with pytest.raises(InvalidInput, match="Give a closure note"):
        services.corrective_action_close(corrective_action=action, by=operations, reason="")
    services.corrective_action_close(corrective_action=action, by=operations, reason="Qualified by test")
    action.refresh_from_db()
    assert (action.status, action.closed_by, action.closure_note) == ("closed", operations, "Qualified by test")
    with pytest.raises(InvalidTransition, match="Cannot close corrective action .* it is closed"):
        services.corrective_action_close(corrective_action=action, by=operations, reason="again")


def test_the_whole_return_to_flight(vehicle, mishap, operations, directors):
    # Grounded and uncertified: every earlier flight waits for the return to flight.
    certification = selectors.vehicle_certification_get(vehicle)
    assert certification.state == "uncertified"
    assert certification.blockers == [
        f"Mishap on flight {mishap.flight.code} ({mishap.occurred_at:%Y-%m-%d}): no corrective actions recorded yet; "
        "no uncrewed return-to-flight verification flight signed off since."
    ]
    assert {tuple(item.reasons) for item in certification.evidence} == {
        ("flown before a mishap whose return-to-flight conditions are not met",)}
    with pytest.raises(DomainError, match=rf"Vehicle .* cannot return to service: Mishap on flight {mishap.flight.code}"):
        flight_services.vehicle_return_to_service(vehicle=vehicle, reason="Investigation done", by=operations)

    # With an open corrective action, nothing flies, not even the return-to-flight flight.
    action = services.corrective_action_add(mishap=mishap, by=operations, description="Redesign the nozzle")
    rtf = FlightFactory(code="RTF-1", vehicle=vehicle, itinerary=None, purpose=Flight.Purpose.UNCREWED_VERIFICATION)
    with pytest.raises(VehicleNotAvailable, match="is grounded"):
        flight_services.flight_schedule(flight=rtf, by=operations)
    with pytest.raises(DomainError, match="1 of 1 corrective actions still open"):
        flight_services.vehicle_return_to_service(vehicle=vehicle, reason="Investigation done", by=operations)

    # Actions closed: the uncrewed return-to-flight flight may be scheduled on the grounded vehicle; nothing else.
    services.corrective_action_close(corrective_action=action, by=operations, reason="Qualified by test")
    assert flight_services.flight_schedule(flight=rtf, by=operations).status == "scheduled"
    assert flight_services.flight_mark_ready(flight=rtf, by=operations).status == "ready"
    for purpose, itinerary in ((Flight.Purpose.COMMERCIAL, True), (Flight.Purpose.CREWED_VERIFICATION, False)):
        other = FlightFactory(vehicle=vehicle, purpose=purpose, **({} if itinerary else {"itinerary": None}))
        with pytest.raises(VehicleNotAvailable, match="is grounded"):
            flight_services.flight_schedule(flight=other, by=operations)
    with pytest.raises(DomainError, match="no uncrewed return-to-flight verification flight signed off since"):
        flight_services.vehicle_return_to_service(vehicle=vehicle, reason="Investigation done", by=operations)

    # The return-to-flight flight flies and is signed off: back in service, and certified again with the
    # evidence from before the mishap counting once more.
    Flight.objects.filter(pk=rtf.pk).update(status=Flight.Status.COMPLETED, launched_at=rtf.launch_at,
                                            landed_at=rtf.launch_at)
    record = services.verification_record_create(flight=rtf, by=operations)
    _complete_and_sign(record, operations, directors)
    flight_services.vehicle_return_to_service(vehicle=vehicle, reason="Return to flight signed off", by=operations)
    vehicle.refresh_from_db()
    assert vehicle.status == Vehicle.Status.ACTIVE
    certification = selectors.vehicle_certification_get(vehicle)
    assert certification.state == "certified_for_passengers" and certification.mishaps[0].resolved
    assert certification.mishaps[0].summary.endswith(": resolved.")


def test_a_flight_before_the_mishap_is_no_return_to_flight(vehicle, mishap, operations, directors):
    action = services.corrective_action_add(mishap=mishap, by=operations, description="Fix")
    services.corrective_action_close(corrective_action=action, by=operations, reason="Done")
    assert not selectors.vehicle_certification_get(vehicle).mishaps[0].resolved
    with pytest.raises(DomainError, match="no uncrewed return-to-flight verification flight signed off since"):
        flight_services.vehicle_return_to_service(vehicle=vehicle, reason="x", by=operations)


def test_a_flight_launched_at_the_mishap_s_second_is_no_return_to_flight(vehicle, mishap, operations, directors):
    action = services.corrective_action_add(mishap=mishap, by=operations, description="Fix")
    services.corrective_action_close(corrective_action=action, by=operations, reason="Done")
    signed_record(by=operations, directors=directors, vehicle=vehicle, launch_at=mishap.occurred_at)
    state = selectors.vehicle_certification_get(vehicle).mishaps[0]
    assert not state.resolved and state.problems == ["no uncrewed return-to-flight verification flight signed off since"]


def test_a_crewed_flight_after_the_mishap_is_no_return_to_flight(vehicle, mishap, operations, directors):
    action = services.corrective_action_add(mishap=mishap, by=operations, description="Fix")
    services.corrective_action_close(corrective_action=action, by=operations, reason="Done")
    signed_record(by=operations, directors=directors, vehicle=vehicle, crewed=True)
    assert "no uncrewed return-to-flight" in selectors.vehicle_certification_get(vehicle).blockers[0]


def _complete_and_sign(record, operations, directors):
    services.verification_record_update(record=record, by=operations, apogee_km="107", peak_g_ascent="3",
                                        peak_g_entry="5")
    objective = services.objective_add(record=record, by=operations, description="Nozzle holds",
                                       success_criterion="Below limit")
    services.objective_update(objective=objective, by=operations, measured_result="80 K below", result="pass")
    services.occupant_add(record=record, by=operations, name="Mannequin", role="Test dummy", is_test_dummy=True)
    services.verification_mark_flown(record=record, by=operations)
    services.verification_submit_for_review(record=record, by=operations)
    sign(record, directors[0])
