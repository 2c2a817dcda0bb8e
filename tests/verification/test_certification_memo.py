"""The booking and scheduling decisions' certification answer (selectors.vehicle_certification_answer): computed
in full like vehicle_certification_get and kept under PostgreSQL's fingerprint of the evidence, one query while
no row of it changed. Each part of the evidence, changed behind the services' back, must reach the next answer.

Transactional tests: an answer is kept only when computed in a snapshot of its own, outside a transaction."""

import threading

import pytest
from django.db import connection, connections, transaction

from flights import registry
from flights.exceptions import DomainError
from flights.models import Flight, Vehicle, VehicleModel
from tests.conftest import require_postgres
from tests.flights.factories import FlightFactory, VehicleModelFactory
from tests.verification.factories import certified_vehicle, record_in_review, sign, signed_record
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

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres():
    require_postgres()  # the fingerprint is a PostgreSQL function; elsewhere every answer is computed


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




def test_an_unchanged_answer_costs_one_query_inside_the_holds_transaction(vehicle, operations, directors,
                                                                           django_assert_num_queries):
    certified_vehicle(ops=operations, directors=directors, vehicle=vehicle)
    flight = FlightFactory(vehicle=vehicle, code="NS-80")
    registry.booking_guards.prefetch([flight])  # what a hold does before it locks the flight
    with transaction.atomic(), django_assert_num_queries(1):
        registry.booking_guards.enforce(flight)
    with django_assert_num_queries(0):
        registry.booking_guards.prefetch([flight])  # kept: nothing to prepare


def test_inside_a_transaction_a_changed_fingerprint_is_computed_in_full_and_nothing_is_kept(
    vehicle, operations, directors, django_assert_num_queries
):
    certified_vehicle(ops=operations, directors=directors, vehicle=vehicle)
    assert selectors.vehicle_certification_answer(vehicle).certified_for_passengers
    SignOff.objects.filter(record__vehicle=vehicle).update(comment="Edited afterwards")
    with transaction.atomic():
        assert not selectors.vehicle_certification_answer(vehicle).certified_for_passengers
    assert vehicle.pk not in selectors._answers  # the stale answer is dropped, none kept in its place
    selectors.certification_answers_prepare([vehicle.pk])  # the next hold prepares it in a snapshot of its own
    with transaction.atomic(), django_assert_num_queries(1):
        assert not selectors.vehicle_certification_answer(vehicle).certified_for_passengers


def test_the_answer_is_of_the_vehicle_and_model_as_stored_not_the_callers_copy(vehicle, operations, directors):
    """A hold locks its flight with the vehicle and model loaded; a stricter model committed after that load must
    not be judged (and kept) with the old requirement."""
    certified_vehicle(ops=operations, directors=directors, vehicle=vehicle)
    stale = Flight.objects.select_related("vehicle__model").get(pk=FlightFactory(vehicle=vehicle, code="NS-81").pk)
    VehicleModel.objects.filter(pk=vehicle.model_id).update(required_crewed_flights=5)
    with pytest.raises(DomainError, match="1 of 5 crewed verification flights count"):
        registry.booking_guards.enforce(stale)
    assert not selectors.vehicle_certification_answer(Vehicle.objects.get(pk=vehicle.pk)).certified_for_passengers


def _committed_elsewhere(change) -> None:
    """`change` in another connection, committed before this returns (a concurrent transaction)."""
    def run():
        try:
            change()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()


def test_evidence_put_right_and_tampered_again_while_its_answer_is_computed_is_never_judged_certified(
    vehicle, operations, directors, monkeypatch
):
    """Tampered evidence is put right while its answer is computed, and tampered again exactly as before: the
    fingerprints before and after agree, yet the rows read between them were the good ones. The answer is
    computed in one snapshot with its fingerprint, so it is the tampered rows' answer."""
    certified_vehicle(ops=operations, directors=directors, vehicle=vehicle)
    record = VerificationFlight.objects.filter(vehicle=vehicle).order_by("pk").first()

    def set_summary(text):
        VerificationFlight.objects.filter(pk=record.pk).update(summary=text)

    set_summary("Tampered")
    computed = selectors.vehicle_certification_get

    def put_right_meanwhile(*args, **kwargs):
        _committed_elsewhere(lambda: set_summary(record.summary))
        answer = computed(*args, **kwargs)
        _committed_elsewhere(lambda: set_summary("Tampered"))
        return answer

    monkeypatch.setattr(selectors, "vehicle_certification_get", put_right_meanwhile)
    assert not selectors.vehicle_certification_answer(vehicle).certified_for_passengers
    monkeypatch.setattr(selectors, "vehicle_certification_get", computed)
    assert not selectors.vehicle_certification_answer(vehicle).certified_for_passengers
    with pytest.raises(DomainError, match="cannot take bookings"):
        registry.booking_guards.enforce(FlightFactory(vehicle=vehicle, code="NS-82"))


def test_without_the_fingerprint_function_every_answer_is_computed_and_bookings_still_answer(
    vehicle, operations, directors, caplog
):
    """Code deployed before its migration: logged once, then every answer computed in full; never a 500."""
    from importlib import import_module

    function = import_module("verification.migrations.0007_evidence_fingerprint_lookups").FUNCTION
    certified_vehicle(ops=operations, directors=directors, vehicle=vehicle)
    flight = FlightFactory(vehicle=vehicle, code="NS-83")
    with connection.cursor() as cursor:
        cursor.execute("DROP FUNCTION verification_evidence_fingerprint(bigint)")
    try:
        registry.booking_guards.prefetch([flight])
        assert "every certification answer is computed in full" in caplog.text
        with transaction.atomic():
            registry.booking_guards.enforce(flight)  # computed in full: certified
        SignOff.objects.filter(record__vehicle=vehicle).update(comment="Edited afterwards")
        with transaction.atomic(), pytest.raises(DomainError, match="cannot take bookings"):
            registry.booking_guards.enforce(flight)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(function)


def test_the_fingerprint_looks_up_flights_and_links_by_id_and_hashes_what_it_hashed_before(vehicle, operations, directors):
    """Migration 0007 rewrote two subqueries for speed: on a vehicle with records, a mishap with a corrective action
    and a first sign-off linked to another vehicle's, it gives 0006's fingerprint exactly, and a changed flight or
    link still changes it."""
    from importlib import import_module

    previous = import_module("verification.migrations.0006_evidence_fingerprint_links").FUNCTION
    certified_vehicle(ops=operations, directors=directors)  # the other vehicle, whose last sign-off is linked
    certified_vehicle(ops=operations, directors=directors, vehicle=vehicle)
    _declare_mishap(vehicle, operations, directors)
    services.corrective_action_add(mishap=Mishap.objects.get(vehicle=vehicle), by=operations, description="Redesign")

    def both() -> tuple[str, str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT verification_evidence_fingerprint(%s), fingerprint_0006(%s)", [vehicle.pk] * 2)
            return cursor.fetchone()

    with connection.cursor() as cursor:
        cursor.execute(previous.replace("verification_evidence_fingerprint(bigint)", "fingerprint_0006(bigint)"))
    try:
        now, before = both()
        assert now == before
        Flight.objects.filter(pk=_record(vehicle).flight_id).update(code="RENAMED-2")
        first = SignOff.objects.filter(record__vehicle=vehicle).order_by("sequence").first()
        after_flight, before_flight = both()
        assert after_flight == before_flight != now
        SignOff.objects.filter(sequence=first.sequence - 1).update(signoff_hash="e" * 64)
        after_link, before_link = both()
        assert after_link == before_link != after_flight
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP FUNCTION fingerprint_0006(bigint)")
