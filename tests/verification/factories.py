"""Verification records built the way people build them: rows while planned, then the services.

`record_in_review`, `signed_record` and `certified_vehicle` give evidence that is real (hashes, chain,
two directors where needed), so the certification rules are exercised, never stubbed.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import factory
from django.utils import timezone

from flights.models import Flight
from tests.conftest import PASSWORD
from tests.flights.factories import FlightFactory, VehicleFactory
from verification import services
from verification.models import Anomaly, Occupant, TestObjective, VerificationFlight

_days = itertools.count()


def past(days_ago: float) -> dt.datetime:
    return (timezone.now() - dt.timedelta(days=days_ago)).replace(microsecond=0)


class VerificationFlightFlownFactory(FlightFactory):
    """A verification flight (flights.Flight) that has flown and landed."""

    itinerary = None
    purpose = Flight.Purpose.UNCREWED_VERIFICATION
    status = Flight.Status.COMPLETED
    launch_at = factory.LazyFunction(lambda: past(1000 - next(_days) / 24))  # each one an hour after the last
    launched_at = factory.SelfAttribute("launch_at")
    landed_at = factory.LazyAttribute(lambda o: o.launch_at + dt.timedelta(minutes=10))


class RecordFactory(factory.django.DjangoModelFactory):
    """A planned verification record with its achieved profile filled in."""

    class Meta:
        model = VerificationFlight

    flight = factory.SubFactory(VerificationFlightFlownFactory)
    vehicle = factory.SelfAttribute("flight.vehicle")
    kind = factory.LazyAttribute(lambda o: VerificationFlight.KIND_FOR_PURPOSE[o.flight.purpose])
    created_by = factory.SubFactory("tests.verification.factories.UserFactory")
    summary = "Verification flight"
    launched_at = factory.SelfAttribute("flight.launched_at")
    landed_at = factory.SelfAttribute("flight.landed_at")
    apogee_km = Decimal("107.00")
    peak_g_ascent = Decimal("3.0")
    peak_g_entry = Decimal("5.5")
    landing_distance_m = Decimal("250.0")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "auth.User"

    username = factory.Sequence(lambda n: f"user{n}")


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TestObjective

    record = factory.SubFactory(RecordFactory)
    sequence = factory.Sequence(lambda n: n + 1)
    description = "Capsule lands within 1 km of target"
    success_criterion = "Landing distance at most 1,000 m"
    measured_result = "Landed 250 m from target"
    result = TestObjective.Result.PASS


class AnomalyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Anomaly

    record = factory.SubFactory(RecordFactory)
    title = factory.Sequence(lambda n: f"Anomaly {n}")
    severity = "minor"
    description = "A parachute opened late."
    disposition = Anomaly.Disposition.OPEN


class OccupantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Occupant

    record = factory.SubFactory(RecordFactory)
    name = factory.Sequence(lambda n: f"Crew member {n}")
    role = "Commander"
    is_test_dummy = False


def planned_record(*, vehicle=None, crewed: bool = False, launched_days_ago: float | None = None,
                   objectives=("pass",), anomalies=(), **flight_kwargs) -> VerificationFlight:
    """A complete planned record: objectives with results, crew (or a dummy), the given anomalies."""
    purpose = Flight.Purpose.CREWED_VERIFICATION if crewed else Flight.Purpose.UNCREWED_VERIFICATION
    if vehicle is not None:
        flight_kwargs["vehicle"] = vehicle
    if launched_days_ago is not None:
        flight_kwargs["launch_at"] = past(launched_days_ago)
    record = RecordFactory(flight=VerificationFlightFlownFactory(purpose=purpose, **flight_kwargs))
    for sequence, result in enumerate(objectives, start=1):
        rationale = ""
        if isinstance(result, tuple):
            result, rationale = result
        ObjectiveFactory(record=record, sequence=sequence, result=result, flight_rationale=rationale,
                         measured_result="" if result == "pending" else "As measured")
    for anomaly in anomalies:
        AnomalyFactory(record=record, **anomaly)
    OccupantFactory(record=record, is_test_dummy=not crewed,
                    role="Commander" if crewed else "Instrumented test dummy")
    return record


def record_in_review(*, by, **kwargs) -> VerificationFlight:
    record = planned_record(**kwargs)
    services.verification_mark_flown(record=record, by=by)
    services.verification_submit_for_review(record=record, by=by)
    record.refresh_from_db()
    return record


def sign(record, *directors, decision: str = "approve", comment: str = "", password: str = PASSWORD):
    signoffs = [
        services.verification_sign_off(record=record, signer=director, password=password, decision=decision,
                                       meaning="Objectives met; safe to proceed.", comment=comment)
        for director in directors
    ]
    record.refresh_from_db()
    return signoffs


def signed_record(*, by, directors, **kwargs) -> VerificationFlight:
    record = record_in_review(by=by, **kwargs)
    needed = 2 if kwargs.get("crewed") or any(a.get("severity") in ("critical", "catastrophic")
                                              for a in kwargs.get("anomalies", ())) else 1
    sign(record, *directors[:needed])
    assert record.status == VerificationFlight.Status.SIGNED_OFF
    return record


def certified_vehicle(*, ops, directors, vehicle=None, uncrewed: int | None = None, crewed: int | None = None):
    """A vehicle certified for passengers by real evidence: its model's uncrewed flights, then crewed."""
    vehicle = vehicle or VehicleFactory()
    uncrewed = vehicle.model.required_uncrewed_flights if uncrewed is None else uncrewed
    crewed = vehicle.model.required_crewed_flights if crewed is None else crewed
    for _ in range(uncrewed):
        signed_record(by=ops, directors=directors, vehicle=vehicle)
    for _ in range(crewed):
        signed_record(by=ops, directors=directors, vehicle=vehicle, crewed=True)
    return vehicle
