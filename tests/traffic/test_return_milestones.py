"""The Traffic position at an orbital flight's return steps (issue 13 acceptance): NO-GO before the TCA of an
open red event until a manoeuvre or shelter decision is signed (a monitor decision leaves it NO-GO), GO again
after the TCA; a yellow event is WAIVABLE and the director's signed decision is its waiver.

The flight lifts off through the launch service, so liftoff plans its return from the itinerary's duration
and each step is run as the beat sweep's task runs it (`milestone_run` at its due time).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from flights import countdown, returns, services
from flights.models import Flight, Notification, Position, PositionAssignment, Regime, Verdict
from flights.readiness import findings_of
from flights.traffic import services as traffic
from flights.traffic.models import ProtectedObject
from tests.flights.factories import FlightFactory, OrbitalItineraryFactory, VehicleFactory
from tests.orbits.data import requires_data
from tests.traffic.conftest import RED_HBR, TERRA_TCA, YELLOW_HBR, cdm_text, screened_on_orbit
from tests.traffic.test_services import decide

pytestmark = [requires_data, pytest.mark.django_db]
LIFTOFF = TERRA_TCA - dt.timedelta(days=3)


@pytest.fixture
def returning(director, operations):
    """In orbit since three days before TERRA's TCA, landing 30 min after it: undocking and the deorbit burn
    come due before the TCA, the landing after. Its vehicle is registered as TERRA's catalog number."""
    return flight_in_orbit(director, operations, stay=dt.timedelta(days=3, minutes=30))


def flight_in_orbit(director, operations, *, stay):
    vehicle = VehicleFactory(model__regime=Regime.ORBITAL, model__name="Crew capsule", model__passenger_seats=4)
    flight = FlightFactory(
        code="ORB-2",
        itinerary=OrbitalItineraryFactory(duration=stay),
        vehicle=vehicle,
        flight_director=director,
        launch_at=LIFTOFF,
        status=Flight.Status.READY,
    )
    PositionAssignment.objects.create(flight=flight, position=Position.TRAFFIC, person=operations)
    flight = services.flight_launch(flight=flight, by=operations, at=LIFTOFF, now=LIFTOFF)
    ProtectedObject.objects.create(
        flight=flight,
        kind=ProtectedObject.Kind.VEHICLE,
        designator="25994",
        name="Capsule ORB-2",
        created_at=timezone.now(),
    )
    return flight


def screened_before(flight, due_at):
    """Our own on-orbit screening ran an hour before the step (readiness asks for a current run)."""
    screened_on_orbit(*flight.protected_objects.all(), at=due_at - dt.timedelta(hours=1))


def step(flight, key):
    return flight.milestones.get(key=key)


def run(flight, key):
    """Run the step at its due time, as the sweep's task does, after a current on-orbit screening; its Traffic
    findings."""
    screened_before(flight, step(flight, key).due_at)
    milestone = countdown.milestone_run(milestone_id=step(flight, key).pk, now=step(flight, key).due_at)
    return [f for f in findings_of(milestone.report) if f.position == Position.TRAFFIC]


def red_event(message_id="RET-R1"):
    return traffic.cdm_import(
        text=cdm_text(message_id=message_id), hbr_m=RED_HBR, now=TERRA_TCA - dt.timedelta(days=1)
    ).event


def test_the_return_steps_fall_around_the_tca(returning):
    landing = TERRA_TCA + dt.timedelta(minutes=30)
    assert returning.landing_planned_at == landing
    assert step(returning, "undocking").due_at == landing - dt.timedelta(hours=12) < TERRA_TCA
    assert step(returning, "deorbit-burn").due_at == landing - dt.timedelta(minutes=50) < TERRA_TCA
    assert step(returning, "landing").due_at > TERRA_TCA


def test_red_holds_each_step_before_tca_a_monitor_decision_does_not_clear_it_and_after_tca_it_is_go(
    returning, director, operations, password
):
    event = red_event()
    [finding] = run(returning, "undocking")
    assert finding.verdict == Verdict.NO_GO and "no decision is recorded" in finding.message
    assert "RED conjunction Capsule ORB-2" in finding.message
    mail = Notification.objects.get(
        recipient=operations.email, subject="ORB-2 Undocking: Traffic (collision avoidance) is NO-GO"
    )
    assert "a red event needs a debris avoidance manoeuvre or shelter in place" in mail.body
    decide(event, director, password, kind="monitor", now=step(returning, "undocking").due_at + dt.timedelta(hours=1))
    [finding] = run(returning, "deorbit-burn")
    assert finding.verdict == Verdict.NO_GO and "only a monitor decision is recorded" in finding.message
    assert not step(returning, "deorbit-burn").report.all_go
    [finding] = run(returning, "landing")  # after the TCA: the event holds nothing any more
    assert finding.verdict == Verdict.GO


@pytest.mark.parametrize("kind", ["manoeuvre", "shelter"])
def test_a_manoeuvre_or_shelter_decision_makes_the_next_step_go(returning, director, password, kind):
    decide(red_event(f"RET-{kind}"), director, password, kind=kind, now=TERRA_TCA - dt.timedelta(hours=20))
    [finding] = run(returning, "undocking")
    assert finding.verdict == Verdict.GO and finding.message.startswith("RED conjunction")
    assert not Notification.objects.filter(subject__contains="Traffic (collision avoidance) is NO-GO").exists()


def test_yellow_is_waivable_and_the_decision_is_the_waiver_when_the_moved_return_runs_again(
    returning, director, operations, password
):
    event = traffic.cdm_import(
        text=cdm_text(message_id="RET-Y1"), hbr_m=YELLOW_HBR, now=TERRA_TCA - dt.timedelta(days=1)
    ).event
    [finding] = run(returning, "undocking")
    assert finding.verdict == Verdict.WAIVABLE and "the flight director's decision is needed" in finding.message
    decided_at = step(returning, "undocking").due_at + dt.timedelta(minutes=10)
    decide(event, director, password, kind="monitor", now=decided_at)
    # The stay is extended by an hour: the undocking, still ahead at the new time, runs again.
    returns.flight_return_replan(
        flight=returning,
        landing_at=returning.landing_planned_at + dt.timedelta(hours=1),
        by=operations,
        reason="Recovery ship repositioning",
        now=decided_at,
    )
    assert step(returning, "undocking").status == "pending"
    [finding] = run(returning, "undocking")
    assert finding.verdict == Verdict.GO
    assert finding.waived_by == "Dana Tester" and finding.waiver_reason.startswith("Keep monitoring")


def test_an_event_after_the_planned_landing_holds_no_return_step(director, operations):
    early = flight_in_orbit(director, operations, stay=dt.timedelta(days=3) - dt.timedelta(hours=2))
    red_event("RET-LATE")
    [finding] = run(early, "deorbit-burn")
    assert finding.verdict == Verdict.GO and "after the planned landing" in finding.message
