"""Certification derived from evidence, across the thresholds, and what it refuses in flights."""

import pytest

from flights import registry
from flights import services as flight_services
from flights.exceptions import DomainError
from flights.models import Flight
from tests.flights.factories import FlightFactory, VehicleFactory, VehicleModelFactory
from tests.verification.factories import certified_vehicle, past, planned_record, record_in_review, sign, signed_record
from verification import selectors, services

pytestmark = pytest.mark.django_db


def state(vehicle) -> str:
    return selectors.vehicle_certification_get(vehicle).state


def test_uncrewed_threshold_n_minus_one_and_n(vehicle, operations, directors):
    assert state(vehicle) == "uncertified"
    signed_record(by=operations, directors=directors, vehicle=vehicle)
    certification = selectors.vehicle_certification_get(vehicle)
    assert (certification.state, certification.uncrewed_counted) == ("uncertified", 1)
    assert certification.shortfall == ["1 of 2 uncrewed verification flights count", "0 of 1 crewed verification flights count"]
    signed_record(by=operations, directors=directors, vehicle=vehicle)
    certification = selectors.vehicle_certification_get(vehicle)
    assert (certification.state, certification.state_label) == ("uncrewed_phase_complete", "Uncrewed phase complete")
    assert certification.uncrewed_phase_complete and not certification.certified_for_passengers


def test_crewed_threshold_n_minus_one_and_n(operations, directors):
    vehicle = VehicleFactory(model=VehicleModelFactory(required_uncrewed_flights=1, required_crewed_flights=2))
    certified_vehicle(ops=operations, directors=directors, vehicle=vehicle, crewed=1)
    certification = selectors.vehicle_certification_get(vehicle)
    assert (certification.state, certification.crewed_counted) == ("uncrewed_phase_complete", 1)
    signed_record(by=operations, directors=directors, vehicle=vehicle, crewed=True)
    certification = selectors.vehicle_certification_get(vehicle)
    assert certification.certified_for_passengers and certification.state_label == "Certified for passengers"
    assert [item.record.kind for item in certification.evidence] == ["uncrewed", "crewed", "crewed"]
    assert all(item.counts for item in certification.evidence)


def test_only_signed_off_records_count(vehicle, operations, directors):
    record_in_review(by=operations, vehicle=vehicle)
    planned_record(vehicle=vehicle)
    rejected = record_in_review(by=operations, vehicle=vehicle)
    sign(rejected, directors[0], decision="reject", comment="No")
    certification = selectors.vehicle_certification_get(vehicle)
    assert certification.uncrewed_counted == 0
    reasons = [item.reasons[0] for item in certification.evidence]
    assert sorted(reasons) == ["not signed off (it is in review)", "not signed off (it is planned)",
                               "not signed off (it is rejected)"]


def test_a_failed_objective_disqualifies(vehicle, operations, directors):
    signed_record(by=operations, directors=directors, vehicle=vehicle, objectives=("pass", "fail"))
    (item,) = selectors.vehicle_certification_get(vehicle).evidence
    assert not item.counts and item.reasons == ["objective 2 failed"]


def test_a_partial_objective_needs_a_written_flight_rationale(vehicle, operations, directors):
    signed_record(by=operations, directors=directors, vehicle=vehicle, objectives=("partial",))
    signed_record(by=operations, directors=directors, vehicle=vehicle,
                  objectives=(("partial", "Within 2% of the limit; flight rules add margin"),))
    without, with_rationale = selectors.vehicle_certification_get(vehicle).evidence
    assert without.reasons == ["objective 1 is partial without a written flight rationale"]
    assert with_rationale.counts


def test_an_open_serious_anomaly_anywhere_on_the_vehicle_blocks(vehicle, operations, directors):
    certified_vehicle(ops=operations, directors=directors, vehicle=vehicle)
    assert state(vehicle) == "certified_for_passengers"
    record_in_review(by=operations, vehicle=vehicle, anomalies=[dict(severity="critical", title="Valve leak")])
    certification = selectors.vehicle_certification_get(vehicle)
    assert certification.state == "uncertified"
    assert f"Critical anomaly “Valve leak” on {certification.evidence[-1].record.flight.code} is open" in certification.blockers
    assert certification.evidence[-1].reasons == ["not signed off (it is in review)", "critical anomaly “Valve leak” is open"]


@pytest.mark.parametrize("anomaly", [
    dict(severity="critical", disposition="closed", corrective_actions="Valve replaced"),
    dict(severity="catastrophic", disposition="accepted", flight_rationale="Abort system proven on this flight"),
    dict(severity="major"),
    dict(severity="minor"),
])
def test_closed_accepted_or_lesser_anomalies_do_not_block(vehicle, operations, directors, anomaly):
    certified_vehicle(ops=operations, directors=directors, vehicle=vehicle)
    signed_record(by=operations, directors=directors, vehicle=vehicle, anomalies=[anomaly])
    assert state(vehicle) == "certified_for_passengers"


def test_a_crewed_flight_before_the_uncrewed_phase_does_not_count(vehicle, operations, directors):
    signed_record(by=operations, directors=directors, vehicle=vehicle)
    early = signed_record(by=operations, directors=directors, vehicle=vehicle, crewed=True)
    signed_record(by=operations, directors=directors, vehicle=vehicle)
    certification = selectors.vehicle_certification_get(vehicle)
    item = next(e for e in certification.evidence if e.record == early)
    assert item.reasons == ["flown before the uncrewed phase was complete"]
    assert certification.state == "uncrewed_phase_complete"


def test_evidence_is_judged_in_the_order_flown_not_the_order_entered(operations, directors):
    """A crewed flight entered before the earlier uncrewed one it followed still counts."""
    vehicle = VehicleFactory(model=VehicleModelFactory(required_uncrewed_flights=1, required_crewed_flights=1))
    crewed = signed_record(by=operations, directors=directors, vehicle=vehicle, crewed=True, launched_days_ago=10)
    uncrewed = signed_record(by=operations, directors=directors, vehicle=vehicle, launched_days_ago=20)
    certification = selectors.vehicle_certification_get(vehicle)
    assert [item.record for item in certification.evidence] == [uncrewed, crewed]
    assert certification.state == "certified_for_passengers"


def test_a_record_not_yet_flown_is_listed_last_without_changing_the_answer(vehicle, operations, directors):
    certified_vehicle(ops=operations, directors=directors, vehicle=vehicle)
    unflown = FlightFactory(vehicle=vehicle, itinerary=None, purpose=Flight.Purpose.UNCREWED_VERIFICATION)
    record = services.verification_record_create(flight=unflown, by=operations)
    assert record.launched_at is None
    certification = selectors.vehicle_certification_get(vehicle)
    assert certification.state == "certified_for_passengers"
    assert certification.evidence[-1].record == record and not certification.evidence[-1].counts


def test_a_crewed_flight_launched_with_the_last_required_uncrewed_one_does_not_count(vehicle, operations, directors):
    """The crewed flight must launch after the uncrewed phase is complete: the same second is not after."""
    signed_record(by=operations, directors=directors, vehicle=vehicle, launched_days_ago=30)
    second = past(20)
    signed_record(by=operations, directors=directors, vehicle=vehicle, launch_at=second)
    crewed = signed_record(by=operations, directors=directors, vehicle=vehicle, crewed=True, launch_at=second)
    certification = selectors.vehicle_certification_get(vehicle)
    assert next(e for e in certification.evidence if e.record == crewed).reasons == [
        "flown before the uncrewed phase was complete"]
    assert certification.state == "uncrewed_phase_complete"


def test_a_model_requiring_no_flights_still_needs_one(operations, directors):
    vehicle = VehicleFactory(model=VehicleModelFactory(required_uncrewed_flights=0, required_crewed_flights=0))
    certification = selectors.vehicle_certification_get(vehicle)
    assert certification.state == "uncrewed_phase_complete"
    assert certification.shortfall == ["no verification flight counts yet (14 CFR 460.17 needs at least one)"]
    signed_record(by=operations, directors=directors, vehicle=vehicle)
    assert state(vehicle) == "certified_for_passengers"


def test_certification_query_count_does_not_grow_with_evidence(vehicle, operations, directors, django_assert_num_queries):
    certified_vehicle(ops=operations, directors=directors, vehicle=vehicle)
    with django_assert_num_queries(8):
        selectors.vehicle_certification_get(vehicle)
    certified_vehicle(ops=operations, directors=directors, vehicle=vehicle)
    with django_assert_num_queries(8):
        selectors.vehicle_certification_get(vehicle)


# --- What certification refuses in flights -----------------------------------------------------------


def test_commercial_flight_cannot_be_scheduled_on_an_uncertified_vehicle(vehicle, operations, directors):
    flight = FlightFactory(code="NS-50", vehicle=vehicle)
    with pytest.raises(DomainError, match=(
        rf"Cannot schedule commercial flight NS-50: vehicle {vehicle.name} \({vehicle.serial}\) is not certified for "
        r"passengers \(uncertified: 0 of 2 uncrewed verification flights count; 0 of 1 crewed")) as refused:
        flight_services.flight_schedule(flight=flight, by=operations)
    assert refused.value.code == "flight_not_schedulable"
    certified_vehicle(ops=operations, directors=directors, vehicle=vehicle)
    assert flight_services.flight_schedule(flight=flight, by=operations).status == "scheduled"


def test_crewed_verification_needs_the_uncrewed_phase(vehicle, operations, directors):
    flight = FlightFactory(code="NS-CV1", vehicle=vehicle, itinerary=None, purpose=Flight.Purpose.CREWED_VERIFICATION)
    signed_record(by=operations, directors=directors, vehicle=vehicle)
    with pytest.raises(DomainError, match=(
        r"Cannot schedule crewed verification flight NS-CV1: vehicle .* has not completed its uncrewed phase "
        r"\(1 of 2 uncrewed verification flights count")):
        flight_services.flight_schedule(flight=flight, by=operations)
    signed_record(by=operations, directors=directors, vehicle=vehicle)
    assert flight_services.flight_schedule(flight=flight, by=operations).status == "scheduled"


def test_uncrewed_verification_flights_are_always_schedulable(vehicle, operations):
    flight = FlightFactory(vehicle=vehicle, itinerary=None, purpose=Flight.Purpose.UNCREWED_VERIFICATION)
    assert flight_services.flight_schedule(flight=flight, by=operations).status == "scheduled"


def test_booking_is_refused_on_an_uncertified_vehicle(vehicle, operations, directors):
    flight = FlightFactory(code="NS-60", vehicle=vehicle)
    with pytest.raises(DomainError, match=(
        r"Flight NS-60 cannot take bookings: vehicle .* is not certified for passengers")) as refused:
        registry.booking_guards.enforce(flight)
    assert refused.value.code == "flight_not_bookable"
    booking = type("Booking", (), {"flight": flight})()  # the booking app passes its booking
    assert registry.booking_guards.refusals(booking)
    certified_vehicle(ops=operations, directors=directors, vehicle=vehicle)
    registry.booking_guards.enforce(flight)
    assert registry.booking_guards.refusals(booking) == []
