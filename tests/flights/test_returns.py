"""An orbital flight's return: undocking (where it docks), deorbit burn and landing, planned at liftoff from
the itinerary's duration, moved when operations change the stay, each run by the countdown sweep with the
RETURN-phase readiness checks."""

import datetime as dt

import pytest
from django.urls import reverse

from flights import countdown, readiness, returns, services
from flights.exceptions import InvalidInput, InvalidTransition
from flights.models import CountdownMilestone, FlightReturnChange, Notification, Position, PositionAssignment
from tests.flights.factories import OrbitalItineraryFactory, VehicleFactory, scheduled_flight
from tests.twofactor import log_in

pytestmark = pytest.mark.django_db
LIFTOFF = dt.datetime(2030, 3, 1, 12, 0, tzinfo=dt.UTC)
LANDING = LIFTOFF + dt.timedelta(days=10)


def orbital_flight(director, code="AX-20", **itinerary):
    vehicle = VehicleFactory(model__regime="orbital", model__name=f"Crew capsule {code}")
    flight = scheduled_flight(
        code=code,
        vehicle=vehicle,
        itinerary=OrbitalItineraryFactory(**itinerary),
        launch_at=LIFTOFF,
        flight_director=director,
    )
    return flight


def launched(flight, by):
    services.flight_mark_ready(flight=flight, by=by, now=LIFTOFF - dt.timedelta(hours=1))
    return services.flight_launch(flight=flight, by=by, at=LIFTOFF, now=LIFTOFF)


@pytest.fixture
def in_flight(director, operations, crew_of_positions):
    flight = orbital_flight(director)
    for position, person in crew_of_positions.items():
        PositionAssignment.objects.create(flight=flight, position=position, person=person)
    return launched(flight, operations)


def steps(flight):
    return {m.key: m for m in flight.milestones.filter(phase=CountdownMilestone.Phase.RETURN)}


def test_liftoff_plans_the_return_from_the_itinerarys_duration(director, operations):
    flight = orbital_flight(director)
    assert flight.milestones.filter(phase="launch").count() == 7 and not steps(flight)
    flight = launched(flight, operations)
    assert flight.landing_planned_at == LANDING
    plan = steps(flight)
    assert list(plan) == ["undocking", "deorbit-burn", "landing"]
    assert plan["undocking"].due_at == LANDING - dt.timedelta(hours=12)
    assert plan["deorbit-burn"].due_at == LANDING - dt.timedelta(minutes=50)
    assert plan["landing"].due_at == LANDING
    assert all(m.runs_checks and m.status == "pending" for m in plan.values())
    # The countdown that never ran will not: it was for the launch that happened.
    assert set(flight.milestones.filter(phase="launch").values_list("status", flat=True)) == {"skipped"}


def test_a_free_flyer_has_no_undocking_and_a_suborbital_hop_no_return(director, operations):
    free_flyer = launched(orbital_flight(director, code="AX-22", target_norad_id=None), operations)
    assert list(steps(free_flyer)) == ["deorbit-burn", "landing"]
    hop = launched(scheduled_flight(launch_at=LIFTOFF + dt.timedelta(days=3)), operations)
    assert hop.landing_planned_at is None and not steps(hop)


def test_the_sweep_claims_due_return_steps_while_in_flight_and_none_after_landing(
    in_flight, operations, django_capture_on_commit_callbacks
):
    undocking = steps(in_flight)["undocking"]
    assert countdown.countdown_sweep(now=undocking.due_at - dt.timedelta(seconds=1)) == []
    with django_capture_on_commit_callbacks(execute=True):  # the eager task runs the claimed step
        assert countdown.countdown_sweep(now=undocking.due_at) == [undocking.pk]
    undocking.refresh_from_db()
    assert undocking.status == "done" and undocking.report is not None
    assert countdown.countdown_sweep(now=undocking.due_at + dt.timedelta(minutes=1)) == []  # twice: nothing
    services.flight_land(
        flight=in_flight, by=operations, at=LANDING - dt.timedelta(hours=2), now=LANDING - dt.timedelta(hours=2)
    )
    assert {m.key: m.status for m in steps(in_flight).values()} == {
        "undocking": "done",
        "deorbit-burn": "skipped",
        "landing": "skipped",
    }
    assert countdown.countdown_sweep(now=LANDING + dt.timedelta(hours=1)) == []


def test_a_return_step_runs_the_return_checks_and_tells_each_no_go_position(
    in_flight, crew_of_positions, django_capture_on_commit_callbacks
):
    burn = steps(in_flight)["deorbit-burn"]
    with django_capture_on_commit_callbacks(execute=True):
        countdown.milestone_run(milestone_id=burn.pk, now=burn.due_at)
    burn.refresh_from_db()
    report = burn.report
    assert report.trigger == "Deorbit burn (landing-0:50:00)" and not report.all_go
    findings = readiness.findings_of(report)
    keys = {f.key for f in findings}
    # The return is judged, not the launch: no launch window, pad weather or range hours.
    assert "positions.assigned" in keys and not keys & {
        "range.window",
        "weather.brief",
        "range.hours",
        "vehicle.status",
    }
    # Fail closed: no catalog number registered for the vehicle in orbit, so its conjunctions are not assessed.
    [traffic] = [f for f in findings if f.position == Position.TRAFFIC]
    assert traffic.verdict == "no_go" and "no catalog number" in traffic.message
    [mail] = Notification.objects.filter(recipient=crew_of_positions[Position.TRAFFIC].email)
    assert mail.subject == "AX-20 Deorbit burn: Traffic (collision avoidance) is NO-GO"
    assert f"landing {LANDING:%Y-%m-%d %H:%M} UTC" in mail.body


def test_extending_the_stay_moves_the_return_and_runs_again_what_is_still_ahead(
    in_flight, operations, crew_of_positions
):
    undocking = steps(in_flight)["undocking"]
    countdown.milestone_run(milestone_id=undocking.pk, now=undocking.due_at)
    later = LANDING + dt.timedelta(days=2)
    flight = returns.flight_return_replan(
        flight=in_flight,
        landing_at=later,
        by=operations,
        reason="Splashdown weather off Florida",
        now=undocking.due_at + dt.timedelta(hours=1),
    )
    assert flight.landing_planned_at == later
    plan = steps(flight)
    assert plan["undocking"].due_at == later - dt.timedelta(hours=12) and plan["undocking"].status == "pending"
    assert plan["landing"].due_at == later
    change = FlightReturnChange.objects.get(flight=flight)
    assert (change.from_landing_at, change.to_landing_at, change.changed_by) == (LANDING, later, operations)
    told = Notification.objects.filter(dedupe_key__startswith=f"return:{change.pk}:")
    everyone = {p.email for p in crew_of_positions.values()}
    assert set(told.values_list("recipient", flat=True)) == everyone and told.count() == len(everyone)
    assert "Splashdown weather off Florida" in told.first().body and "Undocking:" in told.first().body


def test_moving_the_return_refuses_with_reasons(in_flight, director, operations):
    now = LIFTOFF + dt.timedelta(days=1)

    def replan(flight=in_flight, landing_at=LANDING + dt.timedelta(days=1), reason="Extended stay"):
        return returns.flight_return_replan(flight=flight, landing_at=landing_at, by=operations, reason=reason, now=now)

    with pytest.raises(InvalidInput, match="Give the reason the return moves"):
        replan(reason=" ")
    with pytest.raises(InvalidInput, match="with its time zone"):
        replan(landing_at=dt.datetime(2030, 3, 12, 12, 0))
    with pytest.raises(InvalidInput, match="is in the past"):
        replan(landing_at=now - dt.timedelta(minutes=1))
    with pytest.raises(InvalidInput, match="A stay lasts at most 210 days from liftoff"):
        replan(landing_at=LIFTOFF + dt.timedelta(days=211))
    with pytest.raises(InvalidInput, match="already plans to land at"):
        replan(landing_at=LANDING)
    waiting = orbital_flight(director, code="AX-21")
    with pytest.raises(
        InvalidTransition,
        match="AX-21: it is scheduled; only an orbital flight in flight .* Reschedule its launch instead",
    ):
        replan(flight=waiting)
    assert not FlightReturnChange.objects.exists() and steps(in_flight)["landing"].due_at == LANDING


def test_a_check_names_only_phases_that_exist():
    with pytest.raises(ValueError, match="phases must be among"):
        readiness.check("docking", phases=("docking",))


def test_operations_move_the_return_in_admin(client, in_flight, operations):
    log_in(client, operations)
    url = reverse("admin:flights_flight_changelist")
    page = client.post(url, {"action": "move_return", "_selected_action": [in_flight.pk]}).content.decode()
    assert "Move the return of flight AX-20" in page and "Deorbit burn" in page
    form = {
        "action": "move_return",
        "_selected_action": [in_flight.pk],
        "apply": "1",
        "reason": "",
        "landing_at": "2030-03-13T09:30:00",
    }
    page = client.post(url, form).content.decode()
    assert "This field is required" in page and not FlightReturnChange.objects.exists()
    # The real clock is years before 2030: the new time is ahead and inside 210 days of liftoff.
    page = client.post(url, {**form, "reason": "Extended by two days"}, follow=True).content.decode()
    assert "AX-20 now plans to land at 2030-03-13 09:30:00 UTC" in page
    assert steps(in_flight)["landing"].due_at == dt.datetime(2030, 3, 13, 9, 30, tzinfo=dt.UTC)
    page = client.get(in_flight.get_absolute_url()).content.decode()
    assert 'id="return-milestones"' in page and "Deorbit burn" in page


def test_the_api_shows_liftoff_and_the_planned_landing_and_takes_neither(client, in_flight, operations):
    url = f"/api/v1/flights/{in_flight.pk}/"
    body = client.get(url).json()
    assert body["launched_at"] == in_flight.launched_at.isoformat().replace("+00:00", "Z")
    assert body["landing_planned_at"] == LANDING.isoformat().replace("+00:00", "Z")
    assert body["landed_at"] is None
    moved = returns.flight_return_replan(flight=in_flight, landing_at=LANDING + dt.timedelta(days=1), by=operations,
                                         reason="Splashdown weather", now=in_flight.launched_at + dt.timedelta(hours=1))
    assert client.get(url).json()["landing_planned_at"] == moved.landing_planned_at.isoformat().replace("+00:00", "Z")


def test_in_flight_the_board_leads_with_the_return_readiness_and_the_director_waives_there(
    client, in_flight, director, crew_of_positions
):
    """Once the flight is up, the launch poll is history: the board shows the return's findings as they stand,
    and a WAIVABLE one gets its Waive form for the director, as the launch poll's do."""
    PositionAssignment.objects.filter(flight=in_flight, position=Position.RECOVERY).delete()
    board = reverse("flights:poll-board", args=[in_flight.pk])
    log_in(client, crew_of_positions[Position.TRAFFIC])
    page = client.get(board).content.decode()
    assert "Return readiness now" in page and "No one holds: Recovery." in page
    assert "no catalog number" in page  # the NO-GO stands beside it, with no form
    assert 'value="positions.assigned"' not in page  # only a director waives

    log_in(client, director)
    page = client.get(board).content.decode()
    assert page.count('class="waiver"') == 1 and 'value="positions.assigned"' in page
    response = client.post(reverse("flights:waiver-grant", args=[in_flight.pk]),
                           {"check_key": "positions.assigned", "reason": "Recovery ship crewed by the navy"}, follow=True)
    page = response.content.decode()
    assert "Waiver recorded." in page
    assert "No one holds: Recovery. (waived by" in page and "Recovery ship crewed by the navy" in page
    assert 'class="waiver"' not in page
    partial = client.get(reverse("flights:poll-board-partial", args=[in_flight.pk])).content.decode()
    assert "Return readiness now" in partial and "(waived by" in partial
