"""Certification derived from evidence, across the thresholds, and what it refuses in flights."""

import pytest

from flights import registry
from flights import services as flight_services
from flights.exceptions import DomainError
from flights.models import Flight, Vehicle, VehicleModel
from tests.conftest import require_postgres
from tests.flights.factories import FlightFactory, VehicleFactory, VehicleModelFactory
from tests.verification.factories import certified_vehicle, planned_record, record_in_review, sign, signed_record
from verification import selectors, services
from verification.models import (
    Anomaly,
    Attachment,
    CorrectiveAction,
    Mishap,
    Occupant,
    SignOff,
    TestObjective,
    VerificationFlight,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def vehicle():
    return VehicleFactory(model=VehicleModelFactory(required_uncrewed_flights=2, required_crewed_flights=1))


@pytest.fixture
def directors(director, other_director):
    return [director, other_director]


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


# --- The decisions' answer, memoised on a fingerprint of the evidence -----------------------------------
# Booking and scheduling ask selectors.vehicle_certification_answer: computed in full like
# vehicle_certification_get, and asked again while no row of the evidence changed, one query. Each part of the
# evidence, changed behind the services' back, must reach the next answer.


def _record(vehicle) -> VerificationFlight:
    return VerificationFlight.objects.filter(vehicle=vehicle).order_by("pk").first()


def _declare_mishap(vehicle, operations, directors):
    services.mishap_declare(flight=_record(vehicle).flight, by=operations, description="Hard landing")


def _insert_a_mishap(vehicle, operations, directors):
    flight = _record(vehicle).flight  # bulk_create: the row alone, without the grounding the service does
    Mishap.objects.bulk_create([Mishap(flight=flight, vehicle=vehicle, occurred_at=flight.launched_at,
                                       description="Hard landing", declared_by=operations)])


def _reopen_corrective_action(vehicle, operations, directors):
    CorrectiveAction.objects.filter(mishap__vehicle=vehicle).update(
        status=CorrectiveAction.Status.OPEN, closed_at=None, closed_by=None, closure_note=""
    )


def _raise_the_models_requirement(vehicle, operations, directors):
    VehicleModel.objects.filter(pk=vehicle.model_id).update(required_uncrewed_flights=5)


def _move_the_vehicle_to_a_stricter_model(vehicle, operations, directors):
    Vehicle.objects.filter(pk=vehicle.pk).update(model=VehicleModelFactory(required_uncrewed_flights=5))


def _add_an_attachment(vehicle, operations, directors):
    Attachment.objects.bulk_create([Attachment(  # bulk_create: past the model's save, as raw SQL would be
        record=_record(vehicle), title="Telemetry", file="verification/x.csv", original_name="x.csv",
        sha256="0" * 64, size_bytes=1, uploaded_by=operations,
    )])


def _edit_the_minor_anomaly(vehicle, operations, directors):
    Anomaly.objects.filter(record__vehicle=vehicle).update(severity="critical", description="A parachute never opened.")


TAMPERING = {
    "the record": lambda v, *_: VerificationFlight.objects.filter(pk=_record(v).pk).update(summary="Rewritten"),
    "the record's status": lambda v, *_: VerificationFlight.objects.filter(pk=_record(v).pk).update(status="in_review"),
    "the record's flight": lambda v, *_: Flight.objects.filter(pk=_record(v).flight_id).update(code="RENAMED-1"),
    "an occupant": lambda v, *_: Occupant.objects.filter(record=_record(v)).update(name="Someone else"),
    "an objective": lambda v, *_: TestObjective.objects.filter(record=_record(v)).update(measured_result="Missed"),
    "an anomaly": _edit_the_minor_anomaly,
    "an attachment": _add_an_attachment,
    "a sign-off": lambda v, *_: SignOff.objects.filter(record=_record(v)).update(comment="Edited afterwards"),
    "a mishap": _insert_a_mishap,
    "a mishap declared": _declare_mishap,
    "the model": _raise_the_models_requirement,
    "the vehicle's model": _move_the_vehicle_to_a_stricter_model,
    "the vehicle's serial": lambda v, *_: Vehicle.objects.filter(pk=v.pk).update(serial="V-RENAMED"),
}


@pytest.mark.parametrize("change", TAMPERING.values(), ids=TAMPERING.keys())
def test_any_change_to_the_evidence_reaches_the_next_answer(vehicle, operations, directors, change):
    certified_vehicle(ops=operations, directors=directors, vehicle=vehicle)
    signed_record(by=operations, directors=directors, vehicle=vehicle, anomalies=[dict(severity="minor")])
    flight = FlightFactory(code="NS-70", vehicle=vehicle)
    assert selectors.vehicle_certification_answer(vehicle).certified_for_passengers
    registry.booking_guards.enforce(flight)  # asked twice: the second answer is the memoised one

    change(vehicle, operations, directors)
    vehicle.refresh_from_db()
    answer, derived = selectors.vehicle_certification_answer(vehicle), selectors.vehicle_certification_get(vehicle)
    assert not answer.certified_for_passengers
    assert (answer.state, list(answer.shortfall)) == (derived.state, derived.shortfall)
    with pytest.raises(DomainError, match="Flight NS-70 cannot take bookings"):
        registry.booking_guards.enforce(flight)


def test_a_changed_link_to_another_vehicles_sign_off_reaches_the_answer(vehicle, operations, directors):
    """The chain runs through every record: this vehicle's first sign-off follows another vehicle's last."""
    other = certified_vehicle(ops=operations, directors=directors)
    certified_vehicle(ops=operations, directors=directors, vehicle=vehicle)
    assert selectors.vehicle_certification_answer(vehicle).certified_for_passengers
    first = SignOff.objects.filter(record__vehicle=vehicle).order_by("sequence").first()
    link = SignOff.objects.get(sequence=first.sequence - 1)
    assert link.record.vehicle_id == other.pk
    SignOff.objects.filter(pk=link.pk).update(signoff_hash="f" * 64)
    answer, derived = selectors.vehicle_certification_answer(vehicle), selectors.vehicle_certification_get(vehicle)
    assert not answer.certified_for_passengers and list(answer.shortfall) == derived.shortfall
    assert "the sign-off chain is broken before this signature" in derived.evidence[0].reasons[0]


def test_a_reopened_corrective_action_reaches_the_answer(vehicle, operations, directors):
    certified_vehicle(ops=operations, directors=directors, vehicle=vehicle)
    _declare_mishap(vehicle, operations, directors)
    mishap = Mishap.objects.get(vehicle=vehicle)
    action = services.corrective_action_add(mishap=mishap, by=operations, description="Redesign the skid")
    services.corrective_action_close(corrective_action=action, by=operations, reason="Qualified by test")
    signed_record(by=operations, directors=directors, vehicle=vehicle)  # the return to flight, after the mishap
    assert selectors.vehicle_certification_answer(vehicle).certified_for_passengers

    _reopen_corrective_action(vehicle, operations, directors)
    answer = selectors.vehicle_certification_answer(vehicle)
    assert not answer.certified_for_passengers
    assert any("1 of 1 corrective actions still open" in words for words in answer.shortfall)


def test_other_signing_keys_reach_the_answer(vehicle, operations, directors, settings):
    certified_vehicle(ops=operations, directors=directors, vehicle=vehicle)
    assert selectors.vehicle_certification_answer(vehicle).certified_for_passengers
    settings.SIGNOFF_KEYS = [("other", b"k" * 32)]  # a deployment that does not hold the key these were sealed with
    assert not selectors.vehicle_certification_answer(vehicle).certified_for_passengers


def test_an_uncertified_answer_gives_way_when_the_evidence_certifies(vehicle, operations, directors):
    signed_record(by=operations, directors=directors, vehicle=vehicle)
    record = record_in_review(by=operations, vehicle=vehicle)
    crewed = record_in_review(by=operations, vehicle=vehicle, crewed=True)
    assert selectors.vehicle_certification_answer(vehicle).shortfall == (
        "1 of 2 uncrewed verification flights count", "0 of 1 crewed verification flights count",
    )
    sign(record, directors[0])
    assert selectors.vehicle_certification_answer(vehicle).state == "uncrewed_phase_complete"
    sign(crewed, *directors)
    assert selectors.vehicle_certification_answer(vehicle).certified_for_passengers


@pytest.mark.postgres  # the fingerprint is PostgreSQL's; elsewhere every answer is computed
def test_an_unchanged_answer_costs_one_query(vehicle, operations, directors, django_assert_num_queries):
    require_postgres()
    certified_vehicle(ops=operations, directors=directors, vehicle=vehicle)
    with django_assert_num_queries(8 + 2):  # computed in full, between two fingerprints
        first = selectors.vehicle_certification_answer(vehicle)
    with django_assert_num_queries(1):
        assert selectors.vehicle_certification_answer(vehicle) == first
    with django_assert_num_queries(1):
        registry.booking_guards.enforce(FlightFactory.build(vehicle=vehicle, code="NS-80"))


@pytest.mark.postgres  # the fingerprint is PostgreSQL's; elsewhere every answer is computed
def test_an_answer_computed_while_the_evidence_changed_is_not_kept(vehicle, operations, directors, monkeypatch):
    """Tampered evidence (uncertified) is put right while its answer is computed (certified), then tampered
    again exactly as before: that answer was not the tampered rows' and must not be given for them."""
    require_postgres()
    certified_vehicle(ops=operations, directors=directors, vehicle=vehicle)
    record = _record(vehicle)

    def set_summary(text):
        VerificationFlight.objects.filter(pk=record.pk).update(summary=text)

    set_summary("Tampered")
    computed = selectors.vehicle_certification_get

    def put_right_meanwhile(*args, **kwargs):
        set_summary(record.summary)  # a commit between the fingerprint and the rows read
        return computed(*args, **kwargs)

    monkeypatch.setattr(selectors, "vehicle_certification_get", put_right_meanwhile)
    assert selectors.vehicle_certification_answer(vehicle).certified_for_passengers  # the rows it read
    monkeypatch.setattr(selectors, "vehicle_certification_get", computed)
    set_summary("Tampered")
    assert not selectors.vehicle_certification_answer(vehicle).certified_for_passengers
