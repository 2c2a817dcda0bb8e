"""Launch readiness: each flights check's GO and NO-GO, waivers, the countdown, and the Go/No-Go poll."""

import datetime as dt

import pytest
from django.core import mail

from flights import countdown, poll, readiness, services
from flights.exceptions import DomainError, InvalidInput, NotAllowed
from flights.models import (
    CountdownMilestone,
    CrewMember,
    Flight,
    FlightCrew,
    GoNoGoPoll,
    MaintenanceRecord,
    Notification,
    Position,
    PositionAssignment,
    ReadinessReport,
    Verdict,
    WeatherReport,
)
from flights.signals import flight_rescheduled
from tests.flights.factories import FlightFactory, VehicleModelFactory
from tests.twofactor import log_in

pytestmark = [pytest.mark.django_db, pytest.mark.launch_guards]
from tests.flights.conftest import LAUNCH, NOW  # noqa: E402

QUERIES_FLIGHT_PAGE = 15  # the flight page costs the same with 1 readiness report or 50 (profile, vehicle card and times drawn once per change, config/fragments.py)


def findings(flight, now=NOW, position=None):
    result = readiness.flight_findings(flight, now=now)
    return [f for f in result if position is None or f.position == position]


def no_gos(flight, now=NOW):
    return [f.message for f in findings(flight, now) if not f.is_go]


def test_registry_holds_the_flights_checks():
    assert {"vehicle", "range", "windows", "weather", "crew", "positions"} <= set(readiness.registry.names())


def test_a_ready_flight_is_all_go(launch_day):
    assert no_gos(launch_day) == []
    report = readiness.readiness_report_create(flight=launch_day, trigger="test", now=NOW)
    assert report.all_go and report.launch_at == LAUNCH


def test_vehicle_grounded_and_maintenance_due(launch_day, operations):
    services.vehicle_ground(vehicle=launch_day.vehicle, reason="Parachute anomaly", by=operations)
    assert any("is grounded: Parachute anomaly" in m for m in no_gos(launch_day))
    services.vehicle_return_to_service(vehicle=launch_day.vehicle, reason="Fixed", by=operations)
    launch_day.vehicle.next_inspection_due = LAUNCH.date() - dt.timedelta(days=1)
    launch_day.vehicle.save(update_fields=["next_inspection_due"])
    assert any("Maintenance due" in m and "Inspection was due" in m for m in no_gos(launch_day))
    assert MaintenanceRecord.objects.count() == 0


def test_launch_outside_range_hours(launch_day):
    launch_day.spaceport.operating_hours_start = dt.time(10, 0)
    launch_day.spaceport.save()
    assert any("operates 10:00" in m and "09:00 is outside" in m for m in no_gos(launch_day))


def test_no_windows_and_outside_the_window(launch_day):
    launch_day.launch_windows.all().delete()
    assert any("No launch windows have been computed" in m for m in no_gos(launch_day))


@pytest.mark.parametrize(
    "weather,message",
    [
        ({"wind_kt": 31}, "sustained wind 31 kt exceeds"),
        ({"lightning_distance_nmi": 6, "lightning_age_min": 12}, "lightning 6 nmi away 12 min ago"),
        ({"anvil_distance_nmi": 8}, "attached anvil cloud 8 nmi"),
        ({"thick_cloud_layer": True}, "freezing cloud layer"),
        ({"field_mill_v_m": -2100}, "field mill -2100 V/m"),
    ],
)
def test_weather_no_go_criteria(launch_day, weather, message):
    WeatherReport.objects.create(spaceport=launch_day.spaceport, valid_at=NOW - dt.timedelta(minutes=2),
                                 **{"wind_kt": 5, **weather})
    weather_findings = findings(launch_day, position=Position.WEATHER)
    assert any(f.verdict == Verdict.NO_GO and message in f.message for f in weather_findings), weather_findings


def test_old_lightning_is_go_and_missing_weather_is_no_go(launch_day):
    WeatherReport.objects.create(spaceport=launch_day.spaceport, valid_at=NOW - dt.timedelta(minutes=1), wind_kt=5,
                                 lightning_distance_nmi=6, lightning_age_min=45)
    assert all(f.is_go for f in findings(launch_day, position=Position.WEATHER))
    WeatherReport.objects.all().delete()
    assert any("No current weather observation" in m for m in no_gos(launch_day))
    # Days before launch the forecast is not yet due.
    early = findings(launch_day, now=LAUNCH - dt.timedelta(days=3), position=Position.WEATHER)
    assert early[0].is_go and "assessed from 24 h" in early[0].message


def test_gusts_are_waivable_by_the_flight_director_only(launch_day, director, operations):
    WeatherReport.objects.create(spaceport=launch_day.spaceport, valid_at=NOW - dt.timedelta(minutes=1),
                                 wind_kt=10, gust_kt=40)
    gusts = [f for f in findings(launch_day) if f.key == "weather.gusts"]
    assert gusts[0].verdict == Verdict.WAIVABLE
    with pytest.raises(InvalidInput, match="needs a written reason"):
        readiness.waiver_grant(flight=launch_day, check_key="weather.gusts", reason=" ", by=director, now=NOW)
    with pytest.raises(DomainError, match="Only a flight director may waive"):
        readiness.waiver_grant(flight=launch_day, check_key="weather.gusts", reason="ok", by=operations, now=NOW)
    with pytest.raises(DomainError, match="not waivable"):
        WeatherReport.objects.create(spaceport=launch_day.spaceport, valid_at=NOW, wind_kt=50)
        readiness.waiver_grant(flight=launch_day, check_key="weather.wind", reason="ok", by=director, now=NOW)
    WeatherReport.objects.filter(wind_kt=50).delete()
    waiver = readiness.waiver_grant(flight=launch_day, check_key="weather.gusts",
                                    reason="Gusts are across the pad, within the capsule's tested envelope",
                                    by=director, now=NOW)
    gusts = [f for f in findings(launch_day) if f.key == "weather.gusts"][0]
    assert gusts.is_go and gusts.waived_by and "tested envelope" in gusts.waiver_reason
    assert waiver.launch_at == LAUNCH
    with pytest.raises(DomainError, match="already waived"):
        readiness.waiver_grant(flight=launch_day, check_key="weather.gusts", reason="again", by=director, now=NOW)


def test_crew_currency(launch_day):
    model = VehicleModelFactory(crew_seats=2, name="SpaceShipTwo")
    Flight.objects.filter(pk=launch_day.pk).update()
    launch_day.vehicle.model = model
    launch_day.vehicle.save()
    assert any("flies with crew; none is assigned" in m for m in no_gos(launch_day))
    pilot = CrewMember.objects.create(name="CJ Sturckow", role="pilot", medical_issued_on=dt.date(2029, 5, 20),
                                      recurrent_training_until=dt.date(2030, 6, 1))
    FlightCrew.objects.create(flight=launch_day, member=pilot, role="pilot")
    messages = no_gos(launch_day)
    assert any("medical of 2029-05-20 is not valid for a flight in June 2030" in m for m in messages)
    assert any("recurrent training lapsed on 2030-06-01" in m for m in messages)
    pilot.medical_issued_on = dt.date(2029, 6, 1)  # within the 12 calendar months before June 2030
    pilot.recurrent_training_until = dt.date(2031, 1, 1)
    pilot.save()
    assert [f for f in findings(launch_day) if f.key == "crew.current"][0].is_go


def test_missing_positions_are_waivable(launch_day):
    PositionAssignment.objects.filter(position=Position.RECOVERY).delete()
    finding = [f for f in findings(launch_day) if f.key == "positions.assigned"][0]
    assert finding.verdict == Verdict.WAIVABLE and finding.message == "No one holds: Recovery."


def test_a_check_that_crashes_reads_no_go(launch_day):
    @readiness.check("exploding")
    def exploding(flight, *, now):
        raise RuntimeError("telemetry feed down")

    try:
        assert any("The exploding check could not run: telemetry feed down" in m for m in no_gos(launch_day))
    finally:
        readiness.registry.unregister("exploding")


# --- Countdown ----------------------------------------------------------------------------------------


def test_scheduling_writes_milestones_and_a_slip_moves_them(operations):
    flight = FlightFactory(launch_at=LAUNCH)
    services.flight_schedule(flight=flight, by=operations, now=NOW - dt.timedelta(days=30))
    milestones = {m.key: m for m in flight.milestones.all()}
    assert set(milestones) == {"frr", "lrr", "manifest-freeze", "weather-brief", "go-for-propellant"}
    assert milestones["frr"].due_at == LAUNCH - dt.timedelta(days=6)
    assert milestones["go-for-propellant"].due_at == LAUNCH - dt.timedelta(minutes=45)
    services.flight_scrub(flight=flight, reason="Weather", by=operations, now=NOW - dt.timedelta(days=30))
    services.flight_schedule(flight=flight, by=operations, launch_at=LAUNCH + dt.timedelta(days=2),
                             now=NOW - dt.timedelta(days=30))
    assert flight.milestones.get(key="frr").due_at == LAUNCH + dt.timedelta(days=2) - dt.timedelta(days=6)
    assert flight.milestones.count() == 5
    services.flight_cancel(flight=flight, reason="Customer withdrew", by=operations)
    assert set(flight.milestones.values_list("status", flat=True)) == {"skipped"}


def test_sweep_claims_only_due_milestones_and_twice_changes_nothing(launch_day, django_capture_on_commit_callbacks):
    countdown.countdown_plan(flight=launch_day, now=NOW - dt.timedelta(days=10))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        claimed = countdown.countdown_sweep(now=LAUNCH - dt.timedelta(days=2))
    assert len(claimed) == 2 and len(callbacks) == 2  # frr and lrr are due; the rest are not
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert countdown.countdown_sweep(now=LAUNCH - dt.timedelta(days=2)) == []
    assert callbacks == []
    # A claim that never finished (its worker vanished) is dispatched again once stale.
    later = LAUNCH - dt.timedelta(days=2) + countdown.STALE_CLAIM + dt.timedelta(seconds=1)
    assert sorted(countdown.countdown_sweep(now=later)) == sorted(claimed)
    assert set(CountdownMilestone.objects.filter(pk__in=claimed).values_list("attempts", flat=True)) == {2}


def test_milestone_run_reports_and_emails_each_no_go_position_once(launch_day, django_capture_on_commit_callbacks,
                                                                    crew_of_positions):
    countdown.countdown_plan(flight=launch_day, now=NOW - dt.timedelta(days=10))
    WeatherReport.objects.create(spaceport=launch_day.spaceport, valid_at=NOW, wind_kt=35)
    milestone = launch_day.milestones.get(key="weather-brief")
    with django_capture_on_commit_callbacks(execute=True):
        countdown.milestone_run(milestone_id=milestone.pk, now=NOW)
    milestone.refresh_from_db()
    assert milestone.status == "done" and not milestone.report.all_go
    assert [m.to for m in mail.outbox] == [[crew_of_positions[Position.WEATHER].email]]
    assert "Weather is NO-GO" in mail.outbox[0].subject and "35 kt" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        countdown.milestone_run(milestone_id=milestone.pk, now=NOW)
    assert len(mail.outbox) == 1 and ReadinessReport.objects.filter(trigger__startswith="Weather brief").count() == 1
    assert Notification.objects.filter(sent_at__isnull=False).count() == 1


# --- Poll -----------------------------------------------------------------------------------------------


def vote_all(the_poll, people, except_position=None):
    for position, person in people.items():
        if position != except_position:
            poll.poll_vote(poll=the_poll, position=position, vote=Verdict.GO, by=person, now=NOW)


def test_poll_goes_to_launch_when_all_go(launch_day, director, crew_of_positions):
    the_poll = poll.poll_open(flight=launch_day, by=director, now=NOW)
    vote_all(the_poll, crew_of_positions)
    WeatherReport.objects.create(spaceport=launch_day.spaceport, valid_at=LAUNCH - dt.timedelta(minutes=5), wind_kt=9)
    flight = poll.poll_declare_launch(poll=the_poll, by=director, at=LAUNCH, now=LAUNCH)
    assert flight.status == "launched" and flight.launched_at == LAUNCH
    the_poll.refresh_from_db()
    assert the_poll.status == "go"
    assert launch_day.readiness_reports.filter(trigger__startswith="GO declared").get().all_go


def test_declare_refuses_with_every_reason(launch_day, director, crew_of_positions):
    the_poll = poll.poll_open(flight=launch_day, by=director, now=NOW)
    vote_all(the_poll, crew_of_positions, except_position=Position.RECOVERY)
    poll.poll_vote(poll=the_poll, position=Position.RANGE, vote=Verdict.NO_GO, comment="Boat in the hazard area",
                   by=crew_of_positions[Position.RANGE], now=NOW)
    WeatherReport.objects.create(spaceport=launch_day.spaceport, valid_at=NOW, wind_kt=35)
    with pytest.raises(poll.PollRefused, match="Launch refused") as excinfo:
        poll.poll_declare_launch(poll=the_poll, by=director, at=LAUNCH, now=NOW)
    message = excinfo.value.message
    assert "Recovery: has not answered." in message
    assert "Range: NO-GO (Boat in the hazard area)." in message
    assert "Weather:" in message and "35 kt" in message
    launch_day.refresh_from_db()
    assert launch_day.status == "scheduled"


def test_poll_refusals(launch_day, director, crew_of_positions, operations):
    with pytest.raises(NotAllowed, match="Only the flight director opens"):
        poll.poll_open(flight=launch_day, by=operations, now=NOW)
    the_poll = poll.poll_open(flight=launch_day, by=director, now=NOW)
    with pytest.raises(poll.PollRefused, match="already open"):
        poll.poll_open(flight=launch_day, by=director, now=NOW)
    with pytest.raises(NotAllowed, match="does not hold the Weather position"):
        poll.poll_vote(poll=the_poll, position=Position.WEATHER, vote=Verdict.GO, by=crew_of_positions[Position.RANGE])
    with pytest.raises(InvalidInput, match="Say why the position is NO-GO"):
        poll.poll_vote(poll=the_poll, position=Position.RANGE, vote=Verdict.NO_GO, by=crew_of_positions[Position.RANGE])
    with pytest.raises(InvalidInput, match="not a position"):
        poll.poll_vote(poll=the_poll, position="catering", vote=Verdict.GO, by=director)
    with pytest.raises(NotAllowed, match="Only the flight director declares"):
        poll.poll_declare_launch(poll=the_poll, by=operations, now=NOW)


def test_launch_without_a_go_poll_is_refused(launch_day, director):
    services.flight_mark_ready(flight=launch_day, by=director)
    with pytest.raises(DomainError, match="has no all-GO poll for this launch attempt"):
        services.flight_launch(flight=launch_day, by=director, at=LAUNCH)


def test_scrub_recycles_to_the_next_clear_window_and_tells_listeners(launch_day, director):
    heard = []

    def listener(sender, flight, old_launch_at, reason, **kwargs):
        heard.append((flight.launch_at, old_launch_at, reason))

    flight_rescheduled.connect(listener)
    try:
        the_poll = poll.poll_open(flight=launch_day, by=director, now=NOW)
        flight = poll.poll_scrub(poll=the_poll, by=director, reason="Gusts above limits", now=NOW)
    finally:
        flight_rescheduled.disconnect(listener)
    assert flight.status == "scheduled" and flight.scrub_count == 1
    next_window = launch_day.launch_windows.order_by("opens_at")[1]
    assert flight.launch_at >= LAUNCH + poll.RECYCLE_MARGIN and next_window.contains(flight.launch_at) or (
        launch_day.launch_windows.first().contains(flight.launch_at)
    )
    assert heard == [(flight.launch_at, LAUNCH, "Gusts above limits")]
    the_poll.refresh_from_db()
    assert the_poll.status == "scrubbed" and the_poll.scrub_reason == "Gusts above limits"
    with pytest.raises(DomainError, match="Cannot scrub"):
        poll.poll_scrub(poll=the_poll, by=director, reason="again", now=NOW)


def test_scrub_without_any_window_left_stays_scrubbed(launch_day, director):
    launch_day.launch_windows.all().delete()
    the_poll = poll.poll_open(flight=launch_day, by=director, now=NOW)
    flight = poll.poll_scrub(poll=the_poll, by=director, reason="Vehicle issue", now=NOW)
    assert flight.status == "scrubbed"
    with pytest.raises(InvalidInput, match="reason for the scrub"):
        poll.poll_scrub(poll=GoNoGoPoll.objects.get(), by=director, reason="")


def test_flight_page_shows_readiness_to_the_launch_team_only(client, launch_day, passenger, operations):
    WeatherReport.objects.create(spaceport=launch_day.spaceport, valid_at=NOW, wind_kt=44)
    readiness.readiness_report_create(flight=launch_day, trigger="Weather brief", now=NOW)
    log_in(client, passenger)
    page = client.get(launch_day.get_absolute_url()).content.decode()
    # Readiness is the launch team's: a passenger sees the public page only (issue 14).
    assert 'id="readiness"' not in page and "44 kt" not in page and "Go/No-Go board" not in page
    assert client.get(f"/flights/{launch_day.pk}/poll/").status_code == 403
    log_in(client, operations)
    page = client.get(launch_day.get_absolute_url()).content.decode()
    assert "not all GO" in page and "44 kt" in page and "Go/No-Go board" in page
    assert client.get(f"/flights/{launch_day.pk}/poll/").status_code == 200


def test_flight_page_lists_the_readiness_history_newest_first_in_flat_queries(client, launch_day, operations):
    from tests.querycounts import assert_flat_queries

    WeatherReport.objects.create(spaceport=launch_day.spaceport, valid_at=NOW, wind_kt=44)
    for minutes, trigger in ((3, "Flight readiness review"), (2, "Launch readiness review"), (1, "Weather brief")):
        readiness.readiness_report_create(flight=launch_day, trigger=trigger, now=NOW + dt.timedelta(minutes=3 - minutes))
    log_in(client, operations)
    page = client.get(launch_day.get_absolute_url()).content.decode()
    history = page[page.index('id="readiness-history"'):]
    positions = [history.index(t) for t in ("Weather brief", "Launch readiness review", "Flight readiness review")]
    assert positions == sorted(positions), "newest report first"
    assert history.count("44 kt") == 3  # each report keeps its own findings

    def add_reports(count):
        for _ in range(count):
            readiness.readiness_report_create(flight=launch_day, trigger="Manual", now=NOW)

    assert_flat_queries(lambda: client.get(launch_day.get_absolute_url()), add_reports, expected=QUERIES_FLIGHT_PAGE)


def by_key(flight, now=NOW):
    return {f.key: f for f in findings(flight, now)}


def test_vehicle_findings_belong_to_the_vehicle_position_with_their_keys(launch_day, operations):
    vehicle = launch_day.vehicle
    ok = by_key(launch_day)["vehicle.status"]
    assert (ok.position, ok.verdict, ok.message) == (
        Position.VEHICLE, Verdict.GO, f"Vehicle {vehicle} is active and inside its inspection limits.")
    services.vehicle_ground(vehicle=vehicle, reason="Parachute anomaly", by=operations)
    grounded = by_key(launch_day)["vehicle.status"]
    assert (grounded.position, grounded.verdict, grounded.message) == (
        Position.VEHICLE, Verdict.NO_GO, f"Vehicle {vehicle} is grounded: Parachute anomaly")
    services.vehicle_return_to_service(vehicle=vehicle, reason="Fixed", by=operations)
    vehicle.next_inspection_due = LAUNCH.date() - dt.timedelta(days=1)
    vehicle.save(update_fields=["next_inspection_due"])
    due = by_key(launch_day)
    assert "vehicle.status" not in due
    assert (due["vehicle.maintenance"].position, due["vehicle.maintenance"].verdict) == (Position.VEHICLE, Verdict.NO_GO)
    assert due["vehicle.maintenance"].message.startswith(f"Maintenance due on {vehicle}: Inspection was due")


def test_window_and_closure_findings_say_which_position_and_how_current(launch_day):
    window = launch_day.launch_windows.get(opens_at__lte=LAUNCH, closes_at__gte=LAUNCH)
    found = by_key(launch_day)
    assert (found["range.window"].position, found["range.window"].verdict, found["range.window"].message) == (
        Position.RANGE, Verdict.GO, "The launch time is inside a computed launch window.")
    assert (found["traffic.closures"].position, found["traffic.closures"].message) == (
        Position.TRAFFIC, "Clear of every collision-avoidance closure (current).")
    # Closures 13 h old at window open: before the 3 h deadline a GO that says they need refreshing...
    launch_day.launch_windows.update(closures_computed_at=window.opens_at - dt.timedelta(hours=13))
    early = by_key(launch_day, now=window.opens_at - dt.timedelta(hours=5))["traffic.closures"]
    assert (early.verdict, early.message) == (
        Verdict.GO, "Clear of every collision-avoidance closure (to be refreshed within 12 h of the window).")
    # ...from the deadline on, judged at the time asked about (not the wall clock), a NO-GO saying why.
    late = by_key(launch_day, now=window.opens_at - dt.timedelta(hours=3))["traffic.closures"]
    assert (late.position, late.verdict) == (Position.TRAFFIC, Verdict.NO_GO)
    assert late.message.startswith("Collision-avoidance closures are not current (closures would be 13.0 h old")
    launch_day.launch_windows.all().delete()
    missing = by_key(launch_day)["range.window"]
    assert (missing.position, missing.verdict) == (Position.RANGE, Verdict.NO_GO)
    assert missing.message == f"No launch windows have been computed for {launch_day}."


def test_a_waiver_covers_one_flight_and_one_launch_time(launch_day, director, operations):
    WeatherReport.objects.create(spaceport=launch_day.spaceport, valid_at=NOW - dt.timedelta(minutes=1),
                                 wind_kt=10, gust_kt=40)
    gusts = by_key(launch_day)["weather.gusts"]
    director.first_name, director.last_name = "Gene", "Kranz"
    director.save(update_fields=["first_name", "last_name"])
    readiness.waiver_grant(flight=launch_day, check_key="weather.gusts", reason="Across the pad", by=director, now=NOW)
    waived = by_key(launch_day)["weather.gusts"]
    assert (waived.verdict, waived.position, waived.message) == (Verdict.GO, Position.WEATHER, gusts.message)
    assert (waived.waived_by, waived.waiver_reason) == ("Gene Kranz", "Across the pad")
    # Another flight at the same time from the same spaceport does not inherit the waiver.
    twin = FlightFactory(code="NS-71", vehicle=launch_day.vehicle, spaceport=launch_day.spaceport, launch_at=LAUNCH)
    assert by_key(twin)["weather.gusts"].verdict == Verdict.WAIVABLE
    # A new launch time is a new attempt: the waiver stays with the old one.
    Flight.objects.filter(pk=launch_day.pk).update(launch_at=LAUNCH + dt.timedelta(minutes=10))
    WeatherReport.objects.create(spaceport=launch_day.spaceport, valid_at=NOW + dt.timedelta(minutes=9),
                                 wind_kt=10, gust_kt=40)
    assert by_key(launch_day, now=NOW + dt.timedelta(minutes=10))["weather.gusts"].verdict == Verdict.WAIVABLE
