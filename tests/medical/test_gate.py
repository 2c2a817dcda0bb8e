"""The manifest gate: each condition that keeps a passenger off a flight, named in the refusal.

Bookings are built by another app, so the gate is asked with a stand-in booking: anything with
`.user` (the passenger) and `.flight`.
"""

import datetime as dt
import types
from decimal import Decimal

import pytest

from flights import registry
from flights.exceptions import DomainError
from flights.formats import moment_text
from tests.flights.factories import (
    FlightFactory,
    ItineraryFactory,
    OrbitalItineraryFactory,
    SpaceportFactory,
    VehicleFactory,
    VehicleModelFactory,
    scheduled_flight,
)
from tests.medical import factories as f
from tourism.medical import gates, selectors, services
from tourism.medical.models import MedicalExamination

pytestmark = pytest.mark.django_db
BOTH_EXAMS = (MedicalExamination.Kind.PHYSICAL, MedicalExamination.Kind.MENTAL_HEALTH)


def booking(user, flight):
    return types.SimpleNamespace(user=user, flight=flight)


def certify(passenger, flight, *, hours_before=2):
    moment = flight.launch_at - dt.timedelta(hours=hours_before)
    services.self_certification_record(passenger=passenger, flight=flight, now=moment)
    return moment


def suborbital_flight(peak_g="5.5", **kwargs):
    return scheduled_flight(itinerary=ItineraryFactory(peak_g=Decimal(peak_g)), **kwargs)


def orbital_flight():
    model = VehicleModelFactory(regime="orbital", manufacturer="SpaceX")
    return scheduled_flight(itinerary=OrbitalItineraryFactory(peak_g=Decimal("4.0")), vehicle=VehicleFactory(model=model))


def codes(user, flight, now):
    return [refusal.code for refusal in selectors.clearance_check(user, flight, now=now)]


def test_gate_is_registered_with_flights():
    assert gates.medical_manifest_gate in registry.manifest_gates._guards


def test_a_cleared_and_certified_passenger_passes(passenger, surgeon, only_the_medical_gate):
    f.decided(passenger, surgeon)
    flight = suborbital_flight()
    now = certify(passenger, flight)
    assert gates.medical_manifest_gate(booking(passenger, flight), now=now) is None
    registry.manifest_gates.enforce(booking(passenger, flight), now=now)  # nothing raised


def test_no_clearance(passenger):
    flight = suborbital_flight()
    message = gates.medical_manifest_gate(booking(passenger, flight), now=flight.launch_at - dt.timedelta(hours=1))
    assert message == (
        "Medical: Pat Tester has no medical clearance. Submit the medical questionnaire for a flight surgeon's review."
    )


@pytest.mark.parametrize("status", ["draft", "submitted", "under_review", "information_requested"])
def test_not_yet_decided(passenger, surgeon, status):
    f.in_status(status, passenger, surgeon)
    flight = suborbital_flight()
    message = gates.medical_manifest_gate(booking(passenger, flight), now=flight.launch_at - dt.timedelta(hours=1))
    label = {"draft": "draft", "submitted": "submitted", "under_review": "under review",
             "information_requested": "more information requested"}[status]
    assert message == f"Medical: Pat Tester's medical questionnaire is {label} and not yet decided by a flight surgeon."


def test_not_cleared(passenger, surgeon):
    clearance = f.decided(passenger, surgeon, outcome="not_cleared")
    flight = suborbital_flight()
    message = gates.medical_manifest_gate(booking(passenger, flight), now=flight.launch_at)
    assert message == f"Medical: Pat Tester was not cleared by the flight surgeon on {clearance.decided_at:%Y-%m-%d}."


def test_a_renewal_in_progress_does_not_hide_the_standing_clearance(passenger, surgeon):
    f.decided(passenger, surgeon)
    f.submitted(passenger)
    flight = suborbital_flight()
    now = certify(passenger, flight)
    assert selectors.clearance_check(passenger, flight, now=now) == []


def test_not_valid_on_the_flight_date(passenger, surgeon):
    spaceport = SpaceportFactory(code="ksc", timezone="America/New_York")
    flight = suborbital_flight(vehicle=VehicleFactory(home_spaceport=spaceport))
    # Launch at 01:30 UTC is the evening before in Florida: the flight date is that local day.
    launch = (flight.launch_at + dt.timedelta(days=1)).replace(hour=1, minute=30)
    type(flight).objects.filter(pk=flight.pk).update(launch_at=launch)
    flight.refresh_from_db()
    local_day = selectors.flight_local_date(flight)
    assert local_day == launch.date() - dt.timedelta(days=1)
    f.decided(passenger, surgeon, valid_until=local_day - dt.timedelta(days=1))
    now = certify(passenger, flight)
    refusals = selectors.clearance_check(passenger, flight, now=now)
    assert [r.code for r in refusals] == ["clearance_not_valid_on_flight_date"]
    last_day = local_day - dt.timedelta(days=1)
    label = f"flight {flight.code} ({flight.itinerary.name})"
    assert refusals[0].message == (
        f"Medical: Pat Tester's clearance expired after {last_day:%Y-%m-%d}, but {label} launches on {local_day:%Y-%m-%d}."
    )
    # Asked weeks ahead (when booking, say), the same fact reads as a validity that ends too soon.
    early = selectors.clearance_check(passenger, flight, now=flight.launch_at - dt.timedelta(days=30))
    assert early[0].message == (
        f"Medical: Pat Tester's clearance is valid only until {last_day:%Y-%m-%d}, but {label} launches on {local_day:%Y-%m-%d}."
    )


def test_valid_through_the_local_flight_date_passes(passenger, surgeon):
    flight = suborbital_flight()
    f.decided(passenger, surgeon, valid_until=selectors.flight_local_date(flight))
    assert codes(passenger, flight, certify(passenger, flight)) == []


def test_expired_clearance(passenger, surgeon):
    flight = suborbital_flight()
    now = flight.launch_at - dt.timedelta(hours=2)
    clearance = f.decided(passenger, surgeon, valid_until=(flight.launch_at - dt.timedelta(days=3)).date())
    services.clearance_expire_due(now=now)
    clearance.refresh_from_db()
    assert clearance.status == "expired"
    refusals = selectors.clearance_check(passenger, flight, now=now)
    assert [r.code for r in refusals] == ["clearance_not_valid_on_flight_date", "self_certification_missing"]
    assert f"clearance expired after {clearance.valid_until:%Y-%m-%d}" in refusals[0].message


def test_regime_restriction(passenger, surgeon):
    f.restricted(passenger, surgeon, allowed_regimes=["suborbital"], max_g=None, examinations=BOTH_EXAMS)
    flight = orbital_flight()
    refusals = selectors.clearance_check(passenger, flight, now=flight.launch_at - dt.timedelta(days=3))
    assert refusals[0].code == "regime_restricted"
    assert refusals[0].message == (
        f"Medical: Pat Tester's clearance is restricted to suborbital flights; "
        f"flight {flight.code} ({flight.itinerary.name}) is orbital."
    )


def test_max_g_below_the_itinerary_peak(passenger, surgeon):
    f.restricted(passenger, surgeon, allowed_regimes=["suborbital", "orbital"], max_g="4")
    flight = suborbital_flight(peak_g="5.5")
    now = certify(passenger, flight)
    message = gates.medical_manifest_gate(booking(passenger, flight), now=now)
    assert message == (
        f"Medical: Pat Tester's clearance allows at most 4.0 g; flight {flight.code} ({flight.itinerary.name}) peaks at 5.5 g."
    )
    gentle = suborbital_flight(peak_g="3.5")
    assert codes(passenger, gentle, certify(passenger, gentle)) == []


@pytest.mark.parametrize(
    "exams,expected",
    [
        ((), ["physical_examination_missing", "mental_health_evaluation_missing"]),
        ((MedicalExamination.Kind.PHYSICAL,), ["mental_health_evaluation_missing"]),
        ((MedicalExamination.Kind.MENTAL_HEALTH,), ["physical_examination_missing"]),
        (BOTH_EXAMS, []),
    ],
)
def test_orbital_needs_a_physical_exam_and_a_mental_health_evaluation(passenger, surgeon, exams, expected):
    f.decided(passenger, surgeon, examinations=exams)
    flight = orbital_flight()
    assert codes(passenger, flight, certify(passenger, flight)) == expected


def test_messages_for_missing_examinations(passenger, surgeon):
    f.decided(passenger, surgeon)
    flight = orbital_flight()
    messages = [r.message for r in selectors.clearance_check(passenger, flight, now=certify(passenger, flight))]
    label = f"flight {flight.code} ({flight.itinerary.name})"
    assert messages == [
        f"Medical: Pat Tester has no satisfactory physical examination on record, which {label} requires.",
        f"Medical: Pat Tester has no satisfactory mental-health evaluation on record, which orbital {label} requires.",
    ]


def test_an_unsatisfactory_examination_does_not_count(passenger, surgeon):
    clearance = f.under_review(passenger, surgeon)
    for kind in BOTH_EXAMS:
        services.examination_record(
            clearance=clearance, by=surgeon, kind=kind, performed_on=dt.date.today(), outcome="unsatisfactory",
            findings="Not today.",
        )
    services.clearance_decide(clearance=clearance, by=surgeon, outcome="cleared", reasons="Fit for suborbital.")
    flight = orbital_flight()
    assert codes(passenger, flight, certify(passenger, flight)) == [
        "physical_examination_missing", "mental_health_evaluation_missing",
    ]


def test_a_suborbital_itinerary_may_require_a_physical_exam(passenger, surgeon):
    f.decided(passenger, surgeon)
    flight = scheduled_flight(itinerary=ItineraryFactory(physical_exam_required=True))
    assert codes(passenger, flight, certify(passenger, flight)) == ["physical_examination_missing"]


def test_self_certification_in_the_last_24_hours(passenger, surgeon):
    f.decided(passenger, surgeon)
    flight = suborbital_flight()
    refusals = selectors.clearance_check(passenger, flight, now=flight.launch_at - dt.timedelta(hours=30))
    opens = flight.launch_at - dt.timedelta(hours=24)
    assert [r.message for r in refusals] == [
        f"Medical: Pat Tester has not certified “no change in my health” in the 24 hours before "
        f"flight {flight.code} ({flight.itinerary.name}) launches (it opens {moment_text(opens, flight.spaceport.timezone)})."
    ]
    certified_at = certify(passenger, flight, hours_before=23)
    assert codes(passenger, flight, certified_at) == []
    # A certification for another flight does not count for this one.
    other = suborbital_flight()
    assert codes(passenger, other, other.launch_at - dt.timedelta(hours=1)) == ["self_certification_missing"]


def test_a_slipped_launch_needs_a_fresh_self_certification(passenger, surgeon, operations):
    from flights import services as flight_services

    f.decided(passenger, surgeon)
    flight = suborbital_flight()
    certify(passenger, flight, hours_before=5)
    flight_services.flight_scrub(flight=flight, reason="Upper-level winds", by=operations)
    new_launch = flight.launch_at + dt.timedelta(days=3)
    flight = flight_services.flight_schedule(flight=flight, by=operations, launch_at=new_launch)
    assert codes(passenger, flight, new_launch - dt.timedelta(hours=1)) == ["self_certification_missing"]


def test_a_newer_decision_makes_an_earlier_certification_stale(passenger, surgeon):
    f.decided(passenger, surgeon)
    flight = suborbital_flight()
    now = certify(passenger, flight)
    f.decided(passenger, surgeon)  # re-screened: the certification referred to the old clearance
    assert codes(passenger, flight, now) == ["self_certification_missing"]


def test_several_failures_are_all_named(passenger, surgeon):
    f.restricted(passenger, surgeon, allowed_regimes=["suborbital"], max_g="3", valid_until=dt.date.today())
    flight = orbital_flight()
    assert codes(passenger, flight, flight.launch_at - dt.timedelta(days=2)) == [
        "clearance_not_valid_on_flight_date", "regime_restricted", "peak_g_exceeds_limit",
        "physical_examination_missing", "mental_health_evaluation_missing", "self_certification_missing",
    ]


def test_flights_without_an_itinerary_use_the_vehicle_model(passenger, surgeon):
    f.restricted(passenger, surgeon, allowed_regimes=["suborbital"], max_g="5")
    flight = FlightFactory(itinerary=None, purpose="crewed_verification")  # New Shepard-like: 3 / 5.5 g
    refusals = selectors.clearance_check(passenger, flight, now=flight.launch_at - dt.timedelta(days=2))
    assert refusals[0].code == "peak_g_exceeds_limit"
    assert refusals[0].message.endswith(f"flight {flight.code} peaks at 5.5 g.")


@pytest.fixture
def only_the_medical_gate(monkeypatch):
    """The stand-in booking carries only `.user` and `.flight`: keep the other apps' gates out."""
    monkeypatch.setattr(registry.manifest_gates, "_guards", [gates.medical_manifest_gate])


def test_registry_enforcement_raises_with_the_gate_message(passenger, only_the_medical_gate):
    flight = suborbital_flight()
    with pytest.raises(DomainError, match="Medical: Pat Tester has no medical clearance") as excinfo:
        registry.manifest_gates.enforce(booking(passenger, flight), now=flight.launch_at)
    assert excinfo.value.code == "manifest_gate_failed"


def test_the_check_costs_the_same_few_queries_however_long_the_record(passenger, surgeon, django_assert_max_num_queries):
    f.decided(passenger, surgeon, examinations=BOTH_EXAMS)
    flight = FlightFactory._meta.model.objects.select_related("itinerary", "spaceport", "vehicle__model").get(
        pk=orbital_flight().pk
    )
    with django_assert_max_num_queries(3):
        selectors.clearance_check(passenger, flight, now=flight.launch_at)
