"""Every guard of the launch chain, one test each that fails when that one guard is removed.

The suite's conftest switches the two registry launch guards (computed window, all-GO poll) off for
tests that fly a flight only to build a record; the tests here either keep them (`launch_guards`) or
show that the poll checks the liftoff second itself, with the registry switch off too. `make mutate`
runs mutmut over the guard modules against this file and its neighbours (see the README).
"""

import datetime as dt

import pytest

from flights import poll, services
from flights.exceptions import DomainError, NotAllowed
from flights.models import (
    Flight,
    GoNoGoPoll,
    LaunchWindow,
    PollVote,
    Position,
    PositionAssignment,
    Verdict,
    WeatherReport,
    WindowClosure,
)
from tests.flights.conftest import LAUNCH, NOW

pytestmark = [pytest.mark.django_db]

# Both readings of "no switch turned off": the registry guards kept (`launch_guards`), and the default
# test configuration, where they are unregistered: the poll checks the actual second either way.
BOTH_SWITCH_STATES = pytest.mark.parametrize(
    "guards", [pytest.param("kept", marks=pytest.mark.launch_guards), pytest.param("registry_off")]
)


def close_span(flight, starts_at, ends_at, *, norad_id=25544, name="ISS (ZARYA)"):
    window = flight.launch_windows.get(opens_at__lte=starts_at, closes_at__gte=ends_at)
    return WindowClosure.objects.create(
        window=window, starts_at=starts_at, ends_at=ends_at, norad_id=norad_id, object_name=name,
        object_class=WindowClosure.ObjectClass.INHABITABLE, min_distance_km=150.0,
        closest_approach_at=starts_at + (ends_at - starts_at) / 2,
    )


def all_go_poll(flight, director, people, *, at):
    the_poll = poll.poll_open(flight=flight, by=director, now=NOW)
    for position, person in people.items():
        poll.poll_vote(poll=the_poll, position=position, vote=Verdict.GO, by=person, now=NOW)
    WeatherReport.objects.create(spaceport=flight.spaceport, valid_at=at - dt.timedelta(minutes=5), wind_kt=9)
    return the_poll


# --- The actual liftoff second ----------------------------------------------------------------------


@BOTH_SWITCH_STATES
def test_liftoff_recorded_at_a_second_inside_a_closure_is_refused(guards, launch_day, director, crew_of_positions):
    """The board is all GO for the planned 15:00:00; the click comes at 15:03:00, inside a closure."""
    close_span(launch_day, LAUNCH + dt.timedelta(minutes=2), LAUNCH + dt.timedelta(minutes=4))
    click = LAUNCH + dt.timedelta(minutes=3)
    the_poll = all_go_poll(launch_day, director, crew_of_positions, at=click)
    with pytest.raises(poll.PollRefused, match="Launch refused") as refused:
        poll.poll_declare_launch(poll=the_poll, by=director, at=click, now=click)
    assert "Liftoff at 15:03:00 UTC: Collision-avoidance closure 15:02:00-15:04:00 UTC by 25544 ISS (ZARYA)" in (
        refused.value.message
    )
    assert refused.value.code == "launch_refused"
    launch_day.refresh_from_db()
    the_poll.refresh_from_db()
    assert launch_day.status == Flight.Status.SCHEDULED and launch_day.launched_at is None
    assert the_poll.status == GoNoGoPoll.Status.OPEN  # nothing half-done: the director may declare again
    clear = LAUNCH + dt.timedelta(minutes=4, seconds=1)
    handled = clear + dt.timedelta(seconds=2)  # the request is handled two seconds after the click
    flight = poll.poll_declare_launch(poll=the_poll, by=director, at=clear, now=handled)
    assert flight.status == Flight.Status.LAUNCHED and flight.launched_at == clear
    # The record: GO at the time it was declared, ready then liftoff, both by the director.
    the_poll.refresh_from_db()
    assert (the_poll.status, the_poll.closed_at) == (GoNoGoPoll.Status.GO, handled)
    changes = list(flight.status_changes.order_by("pk").values_list("to_status", "reason", "changed_by", "changed_at"))
    assert changes[-2:] == [(Flight.Status.READY, "All positions GO", director.pk, handled),
                            (Flight.Status.LAUNCHED, "Liftoff", director.pk, handled)]
    report = flight.readiness_reports.order_by("created_at").last()
    assert (report.trigger, report.created_at, report.all_go) == (f"GO declared by {director.get_username()}", handled, True)


@pytest.mark.launch_guards
def test_a_closure_includes_its_first_and_its_last_second(launch_day, director):
    services.flight_mark_ready(flight=launch_day, by=director)
    go_poll_row(launch_day, director, closed_at=LAUNCH - dt.timedelta(minutes=10))
    close_span(launch_day, LAUNCH + dt.timedelta(minutes=2), LAUNCH + dt.timedelta(minutes=4))
    for second in (LAUNCH + dt.timedelta(minutes=2), LAUNCH + dt.timedelta(minutes=4)):
        with pytest.raises(DomainError) as refused:
            services.flight_launch(flight=launch_day, by=director, at=second)
        assert refused.value.message == (
            "Collision-avoidance closure 15:02:00-15:04:00 UTC by 25544 ISS (ZARYA) (Inhabitable (200 km)).")
    assert services.flight_launch(flight=launch_day, by=director, at=LAUNCH + dt.timedelta(minutes=1, seconds=59))


@pytest.mark.launch_guards
def test_a_window_without_a_closure_computation_time_refuses_liftoff(launch_day, director):
    """Closures whose computation time is unknown cannot be shown to be current: liftoff is refused, saying so."""
    services.flight_mark_ready(flight=launch_day, by=director)
    go_poll_row(launch_day, director, closed_at=LAUNCH - dt.timedelta(minutes=10))
    launch_day.launch_windows.update(closures_computed_at=None)
    with pytest.raises(DomainError) as refused:
        services.flight_launch(flight=launch_day, by=director, at=LAUNCH)
    assert refused.value.message == (
        "Collision-avoidance closures are not current (the window has no closure computation time): recompute them.")


@pytest.mark.launch_guards
def test_closures_computed_exactly_12_h_before_the_window_opens_are_current(launch_day, director):
    services.flight_mark_ready(flight=launch_day, by=director)
    go_poll_row(launch_day, director, closed_at=LAUNCH - dt.timedelta(minutes=10))
    window = launch_day.launch_windows.get(opens_at__lte=LAUNCH, closes_at__gte=LAUNCH)
    LaunchWindow.objects.filter(pk=window.pk).update(closures_computed_at=window.opens_at - dt.timedelta(hours=12))
    assert services.flight_launch(flight=launch_day, by=director, at=LAUNCH).status == Flight.Status.LAUNCHED


@BOTH_SWITCH_STATES
def test_liftoff_second_outside_every_window_is_refused(guards, launch_day, director, crew_of_positions):
    window = launch_day.launch_windows.get(opens_at__lte=LAUNCH, closes_at__gte=LAUNCH)
    late = window.closes_at + dt.timedelta(seconds=1)
    the_poll = all_go_poll(launch_day, director, crew_of_positions, at=LAUNCH)
    with pytest.raises(poll.PollRefused, match=f"Liftoff at {late:%H:%M:%S} UTC: The launch time .* is outside every"):
        poll.poll_declare_launch(poll=the_poll, by=director, at=late, now=late)


@BOTH_SWITCH_STATES
def test_liftoff_with_closures_no_longer_current_is_refused(guards, launch_day, director, crew_of_positions):
    the_poll = all_go_poll(launch_day, director, crew_of_positions, at=LAUNCH)
    window = launch_day.launch_windows.get(opens_at__lte=LAUNCH, closes_at__gte=LAUNCH)
    LaunchWindow.objects.filter(pk=window.pk).update(closures_computed_at=window.opens_at - dt.timedelta(hours=13))
    with pytest.raises(poll.PollRefused, match="closures are not current"):
        poll.poll_declare_launch(poll=the_poll, by=director, at=LAUNCH, now=LAUNCH)


@BOTH_SWITCH_STATES
def test_a_poll_for_an_earlier_launch_time_cannot_declare_go(guards, launch_day, director, crew_of_positions):
    the_poll = all_go_poll(launch_day, director, crew_of_positions, at=LAUNCH)
    moved = LAUNCH + dt.timedelta(minutes=20)
    Flight.objects.filter(pk=launch_day.pk).update(launch_at=moved)
    with pytest.raises(poll.PollRefused) as refused:
        poll.poll_declare_launch(poll=the_poll, by=director, at=moved, now=moved)
    assert refused.value.message == (
        "This poll was for the attempt at 2030-06-12 15:00:00 UTC; flight NS-70 is now planned for "
        "2030-06-12 15:20:00 UTC. Open a new poll."
    )
    assert refused.value.code == "launch_refused"
    launch_day.refresh_from_db()
    assert launch_day.status == Flight.Status.SCHEDULED


def test_the_poll_refuses_with_every_reason_an_unheld_position_among_them(launch_day, director, crew_of_positions):
    the_poll = all_go_poll(launch_day, director, crew_of_positions, at=LAUNCH)
    PositionAssignment.objects.filter(flight=launch_day, position=Position.RANGE).delete()
    PollVote.objects.filter(poll=the_poll, position=Position.WEATHER).delete()
    with pytest.raises(poll.PollRefused) as refused:
        poll.poll_declare_launch(poll=the_poll, by=director, at=LAUNCH, now=LAUNCH)
    assert refused.value.message == (
        "Launch refused. Flight Director: No one holds: Range. Range: no one holds the position. "
        "Weather: has not answered."
    )


def test_only_a_flight_director_declares_go_any_flight_director(
    launch_day, director, other_director, crew_of_positions
):
    the_poll = all_go_poll(launch_day, director, crew_of_positions, at=LAUNCH)
    with pytest.raises(NotAllowed, match=r"^Only the flight director declares GO for launch\.$"):
        poll.poll_declare_launch(poll=the_poll, by=crew_of_positions["range"], at=LAUNCH, now=LAUNCH)
    # Another flight director (not the one assigned to this flight) may declare it.
    flight = poll.poll_declare_launch(poll=the_poll, by=other_director, at=LAUNCH, now=LAUNCH)
    assert flight.status == Flight.Status.LAUNCHED
    with pytest.raises(DomainError, match=r"^Cannot declare GO on Go/No-Go poll NS-70 poll .*: it is go for launch\."):
        poll.poll_declare_launch(poll=the_poll, by=director, at=LAUNCH, now=LAUNCH)


def test_the_board_shows_a_position_go_only_when_its_answer_and_its_checks_are_go(
    launch_day, director, crew_of_positions
):
    the_poll = all_go_poll(launch_day, director, crew_of_positions, at=LAUNCH)
    poll.poll_vote(poll=the_poll, position="range", vote=Verdict.NO_GO, comment="Boat in the box",
                   by=crew_of_positions["range"], now=NOW)
    WeatherReport.objects.all().delete()  # the weather check has nothing to go on: NO-GO
    board = {row["position"]: row for row in poll.poll_board(the_poll, now=LAUNCH - dt.timedelta(minutes=30))}
    assert set(board) == set(Position.values)
    assert (board["range"]["automated_go"], board["range"]["go"]) == (True, False)
    assert (board["weather"]["automated_go"], board["weather"]["go"]) == (False, False)
    assert board["weather"]["vote"].vote == Verdict.GO and board["weather"]["holder"] == crew_of_positions["weather"]
    assert (board["vehicle"]["automated_go"], board["vehicle"]["go"]) == (True, True)
    assert board["vehicle"]["label"] == Position.VEHICLE.label


# --- The registry guards on flight_launch (kept on) -----------------------------------------------------


def go_poll_row(flight, director, *, closed_at):
    return GoNoGoPoll.objects.create(flight=flight, opened_by=director, opened_at=closed_at, closed_at=closed_at,
                                     status=GoNoGoPoll.Status.GO, launch_at=flight.launch_at)


@pytest.mark.launch_guards
def test_flight_launch_checks_the_liftoff_second_against_closures(launch_day, director):
    services.flight_mark_ready(flight=launch_day, by=director)
    go_poll_row(launch_day, director, closed_at=LAUNCH - dt.timedelta(minutes=10))
    close_span(launch_day, LAUNCH + dt.timedelta(minutes=2), LAUNCH + dt.timedelta(minutes=4))
    with pytest.raises(DomainError, match="Collision-avoidance closure 15:02:00-15:04:00") as refused:
        services.flight_launch(flight=launch_day, by=director, at=LAUNCH + dt.timedelta(minutes=3))
    assert refused.value.code == "launch_refused"
    assert services.flight_launch(flight=launch_day, by=director, at=LAUNCH).status == Flight.Status.LAUNCHED


@pytest.mark.launch_guards
def test_flight_launch_without_computed_windows_is_refused(launch_day, director):
    services.flight_mark_ready(flight=launch_day, by=director)
    go_poll_row(launch_day, director, closed_at=LAUNCH - dt.timedelta(minutes=10))
    launch_day.launch_windows.all().delete()
    with pytest.raises(DomainError, match="No launch windows have been computed"):
        services.flight_launch(flight=launch_day, by=director, at=LAUNCH)


@pytest.mark.launch_guards
def test_flight_launch_after_the_launch_time_moved_needs_new_closures(launch_day, director):
    services.flight_mark_ready(flight=launch_day, by=director)
    moved = LAUNCH + dt.timedelta(minutes=20)
    Flight.objects.filter(pk=launch_day.pk).update(launch_at=moved)
    launch_day.refresh_from_db()
    go_poll_row(launch_day, director, closed_at=moved - dt.timedelta(minutes=10))
    with pytest.raises(DomainError, match="launch time changed after the windows were computed"):
        services.flight_launch(flight=launch_day, by=director, at=moved)


@pytest.mark.launch_guards
def test_a_lapsed_go_poll_does_not_authorise_liftoff(launch_day, director):
    services.flight_mark_ready(flight=launch_day, by=director)
    go_poll_row(launch_day, director, closed_at=LAUNCH - poll.POLL_VALID_FOR - dt.timedelta(seconds=1))
    with pytest.raises(DomainError, match="has lapsed"):
        services.flight_launch(flight=launch_day, by=director, at=LAUNCH)
    go_poll_row(launch_day, director, closed_at=LAUNCH - poll.POLL_VALID_FOR)
    assert services.flight_launch(flight=launch_day, by=director, at=LAUNCH).status == Flight.Status.LAUNCHED


@pytest.mark.launch_guards
def test_a_go_poll_for_another_attempt_does_not_authorise_liftoff(launch_day, director):
    services.flight_mark_ready(flight=launch_day, by=director)
    old = go_poll_row(launch_day, director, closed_at=LAUNCH - dt.timedelta(minutes=10))
    GoNoGoPoll.objects.filter(pk=old.pk).update(launch_at=LAUNCH - dt.timedelta(days=1))
    with pytest.raises(DomainError, match="has no all-GO poll for this launch attempt"):
        services.flight_launch(flight=launch_day, by=director, at=LAUNCH)


@pytest.mark.launch_guards
def test_only_an_all_go_poll_authorises_liftoff_not_an_open_or_scrubbed_one(launch_day, director):
    """Polls of this very attempt that did not end GO: one still collecting answers, one scrubbed ten
    minutes ago. Neither lets the flight lift off."""
    services.flight_mark_ready(flight=launch_day, by=director)
    GoNoGoPoll.objects.create(flight=launch_day, opened_by=director, opened_at=LAUNCH - dt.timedelta(minutes=30),
                              closed_at=LAUNCH - dt.timedelta(minutes=10), status=GoNoGoPoll.Status.SCRUBBED,
                              scrub_reason="Boat in the box", launch_at=launch_day.launch_at)
    GoNoGoPoll.objects.create(flight=launch_day, opened_by=director, opened_at=LAUNCH - dt.timedelta(minutes=5),
                              launch_at=launch_day.launch_at)
    with pytest.raises(DomainError, match="has no all-GO poll for this launch attempt"):
        services.flight_launch(flight=launch_day, by=director, at=LAUNCH)
    launch_day.refresh_from_db()
    assert launch_day.status == Flight.Status.READY and launch_day.launched_at is None


def test_a_vehicle_grounded_after_the_poll_does_not_lift_off(launch_day, director, operations):
    services.flight_mark_ready(flight=launch_day, by=director)
    services.vehicle_ground(vehicle=launch_day.vehicle, reason="Hydraulic leak on the pad", by=operations)
    with pytest.raises(DomainError, match="cannot launch: vehicle .* is grounded \\(Hydraulic leak on the pad\\)") as refused:
        services.flight_launch(flight=launch_day, by=director, at=LAUNCH)
    assert refused.value.code == "launch_refused"  # what the API answers, and what the portal keys its message on
    launch_day.refresh_from_db()
    assert launch_day.status == Flight.Status.READY


def test_liftoff_outside_the_flights_own_window_is_refused(launch_day, director):
    Flight.objects.filter(pk=launch_day.pk).update(window_open=LAUNCH - dt.timedelta(minutes=5),
                                                   window_close=LAUNCH + dt.timedelta(minutes=5))
    services.flight_mark_ready(flight=launch_day, by=director)
    for early_or_late in (dt.timedelta(minutes=-5, seconds=-1), dt.timedelta(minutes=5, seconds=1)):
        with pytest.raises(DomainError, match="outside its launch window 14:55:00-15:05:00 UTC") as refused:
            services.flight_launch(flight=launch_day, by=director, at=LAUNCH + early_or_late)
        assert refused.value.code == "launch_refused"
    assert services.flight_launch(flight=launch_day, by=director, at=LAUNCH + dt.timedelta(minutes=5)).launched_at


def test_liftoff_on_the_first_second_of_the_flights_window_is_allowed_and_recorded_as_the_directors(
    launch_day, director
):
    Flight.objects.filter(pk=launch_day.pk).update(window_open=LAUNCH - dt.timedelta(minutes=5),
                                                   window_close=LAUNCH + dt.timedelta(minutes=5))
    services.flight_mark_ready(flight=launch_day, by=director)
    flight = services.flight_launch(flight=launch_day, by=director, at=LAUNCH - dt.timedelta(minutes=5))
    assert flight.launched_at == LAUNCH - dt.timedelta(minutes=5)
    liftoff = flight.status_changes.get(to_status=Flight.Status.LAUNCHED)
    assert (liftoff.changed_by, liftoff.reason) == (director, "Liftoff")
    with pytest.raises(DomainError, match=f"Cannot launch flight {flight.code}: it is launched"):
        services.flight_launch(flight=flight, by=director, at=LAUNCH)


@pytest.mark.launch_guards
def test_the_poll_refuses_with_a_position_no_go_even_when_every_check_is_go(launch_day, director, crew_of_positions):
    the_poll = all_go_poll(launch_day, director, crew_of_positions, at=LAUNCH)
    range_officer = crew_of_positions["range"]
    poll.poll_vote(poll=the_poll, position="range", vote=Verdict.NO_GO, comment="Boat in the box", by=range_officer,
                   now=NOW)
    with pytest.raises(poll.PollRefused, match=r"Range: NO-GO \(Boat in the box\)"):
        poll.poll_declare_launch(poll=the_poll, by=director, at=LAUNCH, now=LAUNCH)
