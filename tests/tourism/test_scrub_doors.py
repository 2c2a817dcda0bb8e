"""One scrub, every door: the admin action, the API and the poll call one service that records the reason,
finds the next clear window, re-checks every passenger and tells each one once; and operations'
reschedule (admin with a form, API, portal) moves the countdown and runs the same re-check and notices."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from flights import poll, rescheduling
from flights.models import (
    Flight,
    FlightStatusChange,
    GoNoGoPoll,
    LaunchWindow,
    Notification,
    WindowClosure,
    WindowComputation,
)
from tests.tourism.factories import bookable_flight, passenger_with_profile, reserved_booking
from tests.twofactor import log_in
from tourism.models import ScrubNotice

pytestmark = pytest.mark.django_db


@pytest.fixture
def launch_eve(director):
    """A commercial flight launching in 12 hours (09:00-ish at Spaceport America's clock or wherever the factory
    puts it), with its window now and another 30 hours later, and two reserved passengers."""
    launch = (timezone.now() + dt.timedelta(hours=12)).replace(microsecond=0)
    flight = bookable_flight(code="NS-62", launch_at=launch, flight_director=director)
    computation = WindowComputation.objects.create(
        flight=flight, status="succeeded", search_start=launch - dt.timedelta(days=1),
        search_end=launch + dt.timedelta(days=3), flight_launch_at=launch,
    )
    for opens, closes in ((launch - dt.timedelta(hours=1), launch + dt.timedelta(minutes=10)),
                          (launch + dt.timedelta(hours=30), launch + dt.timedelta(hours=32))):
        LaunchWindow.objects.create(flight=flight, computation=computation, kind=LaunchWindow.Kind.DAYLIGHT,
                                    opens_at=opens, closes_at=closes, closures_computed_at=opens)
    for name in ("ada", "bo"):
        reserved_booking(flight, user=passenger_with_profile(user__username=name, user__email=f"{name}@example.test"))
    return flight


@pytest.fixture
def ops_client(client, operations):
    log_in(client, operations)
    return client


def scrub_notices_in_outbox(flight) -> dict[str, int]:
    """Outbox rows of scrub notices, counted per recipient."""
    counts: dict[str, int] = {}
    for notification in Notification.objects.filter(dedupe_key__startswith="tourism.scrub_"):
        counts[notification.recipient] = counts.get(notification.recipient, 0) + 1
    return counts


def admin_changelist():
    return reverse("admin:flights_flight_changelist")


# --- Scrub ------------------------------------------------------------------------------------------------


def test_admin_scrub_rechecks_and_tells_every_passenger_once(ops_client, launch_eve, operations):
    old = launch_eve.launch_at
    response = ops_client.post(admin_changelist(), {
        "action": "scrub_flights", "_selected_action": [launch_eve.pk], "reason": "Range radar down",
    }, follow=True)
    page = response.content.decode()
    launch_eve.refresh_from_db()
    assert launch_eve.status == Flight.Status.SCHEDULED and launch_eve.scrub_count == 1
    second_window = launch_eve.launch_windows.order_by("opens_at")[1]
    assert second_window.contains(launch_eve.launch_at)
    assert "scrubbed (Range radar down) and recycled to" in page and "every passenger is checked again" in page
    # The reason is on the record: the scrub itself and the recycle that followed.
    scrub = FlightStatusChange.objects.get(flight=launch_eve, to_status=Flight.Status.SCRUBBED)
    assert scrub.reason == "Range radar down" and scrub.changed_by == operations and scrub.launch_at == old
    # Every passenger re-checked for the new time (a notice each) and told once (one outbox row each).
    notices = ScrubNotice.objects.filter(flight=launch_eve)
    assert sorted(n.booking.user.username for n in notices) == ["ada", "bo"]
    assert {(n.old_launch_at, n.new_launch_at, n.scrubbed) for n in notices} == {(old, launch_eve.launch_at, True)}
    assert scrub_notices_in_outbox(launch_eve) == {"ada@example.test": 1, "bo@example.test": 1}
    assert "was scrubbed: Range radar down" in Notification.objects.filter(recipient="ada@example.test", dedupe_key__startswith="tourism.scrub_").get().body


def test_admin_scrub_without_a_clear_window_says_so_and_tells_each_passenger_once(ops_client, launch_eve):
    launch_eve.launch_windows.exclude(opens_at__lte=launch_eve.launch_at).delete()  # only today's window is left
    response = ops_client.post(admin_changelist(), {
        "action": "scrub_flights", "_selected_action": [launch_eve.pk], "reason": "Vehicle issue",
    }, follow=True)
    page = response.content.decode()
    launch_eve.refresh_from_db()
    assert launch_eve.status == Flight.Status.SCRUBBED
    assert "no clear liftoff second is left in the computed launch windows" in page
    assert "stays scrubbed until operations reschedule it" in page
    assert scrub_notices_in_outbox(launch_eve) == {"ada@example.test": 1, "bo@example.test": 1}
    pending = Notification.objects.get(recipient="bo@example.test", dedupe_key__startswith="tourism.scrub_")
    assert pending.subject == "Flight NS-62 was scrubbed: a new launch time will follow" and "Vehicle issue" in pending.body
    assert not ScrubNotice.objects.exists()  # the re-check waits for the new time


def test_admin_scrub_needs_a_reason_and_refuses_a_flight_that_launched(ops_client, launch_eve):
    page = ops_client.post(admin_changelist(), {"action": "scrub_flights", "_selected_action": [launch_eve.pk],
                                                "reason": " "}, follow=True).content.decode()
    assert "give a reason in the Reason box" in page
    Flight.objects.filter(pk=launch_eve.pk).update(status=Flight.Status.LAUNCHED, launched_at=launch_eve.launch_at)
    page = ops_client.post(admin_changelist(), {"action": "scrub_flights", "_selected_action": [launch_eve.pk],
                                                "reason": "Too late"}, follow=True).content.decode()
    assert "Cannot scrub flight NS-62: it is launched" in page
    assert not Notification.objects.filter(dedupe_key__startswith="tourism.scrub_").exists()


def test_scrub_when_the_vehicle_is_grounded_stays_scrubbed_and_says_why(launch_eve, operations):
    from flights import services

    services.vehicle_ground(vehicle=launch_eve.vehicle, reason="Parachute anomaly", by=operations)
    outcome = rescheduling.flight_scrub_recycle(flight=launch_eve, reason="Vehicle grounded", by=operations)
    assert not outcome.recycled and outcome.flight.status == Flight.Status.SCRUBBED
    assert "cannot be used: Cannot schedule flight NS-62: vehicle" in outcome.message and "grounded" in outcome.message


def test_poll_and_api_scrub_run_the_same_service(launch_eve, director, operations, passenger):
    the_poll = poll.poll_open(flight=launch_eve, by=director)
    api = APIClient()
    url = f"/api/v1/flights/{launch_eve.pk}/scrub/"
    api.force_authenticate(passenger)
    assert api.post(url, {"reason": "x"}, format="json").status_code == 403
    api.force_authenticate(operations)
    refused = api.post(url, {"reason": ""}, format="json")
    assert refused.status_code == 400 and "reason" in refused.json()["fields"]
    response = api.post(url, {"reason": "Upper-level winds"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "scheduled" and body["scrub_count"] == 1 and "recycled to" in body["message"]
    # The attempt's open poll closed with the scrub: no GO can be declared on it any more.
    the_poll.refresh_from_db()
    assert the_poll.status == GoNoGoPoll.Status.SCRUBBED and the_poll.scrub_reason == "Upper-level winds"
    assert scrub_notices_in_outbox(launch_eve) == {"ada@example.test": 1, "bo@example.test": 1}
    again = api.post(url, {"reason": "Again"}, format="json")
    assert again.status_code == 200 and again.json()["scrub_count"] == 2  # scrubbed from the recycled time too


# --- Reschedule -------------------------------------------------------------------------------------------


def local_input(moment: dt.datetime, flight) -> str:
    return moment.astimezone(flight.spaceport.tzinfo).strftime("%Y-%m-%dT%H:%M:%S")


def test_reschedule_from_admin_with_a_local_time_form(ops_client, launch_eve, operations):
    rescheduling.flight_scrub_recycle(flight=Flight.objects.get(pk=launch_eve.pk), reason="Vehicle issue",
                                      by=operations)
    Flight.objects.filter(pk=launch_eve.pk).update(status=Flight.Status.SCRUBBED)  # as if no window had been left
    launch_eve.refresh_from_db()
    form_page = ops_client.post(admin_changelist(), {"action": "reschedule_flight", "_selected_action": [launch_eve.pk]})
    page = form_page.content.decode()
    assert form_page.status_code == 200 and "Reschedule flight NS-62" in page and 'type="datetime-local"' in page
    assert f"Local time at {launch_eve.spaceport.name} ({launch_eve.spaceport.timezone})" in page and "UTC" in page
    past = ops_client.post(admin_changelist(), {
        "action": "reschedule_flight", "_selected_action": [launch_eve.pk], "apply": "1",
        "launch_at": local_input(timezone.now() - dt.timedelta(hours=1), launch_eve),
    }).content.decode()
    assert "is in the past" in past
    new_time = (launch_eve.launch_at + dt.timedelta(days=3)).replace(second=7)
    old = launch_eve.launch_at
    response = ops_client.post(admin_changelist(), {
        "action": "reschedule_flight", "_selected_action": [launch_eve.pk], "apply": "1",
        "launch_at": local_input(new_time, launch_eve), "reason": "Range free on Friday",
    }, follow=True)
    assert "rescheduled to" in response.content.decode()
    launch_eve.refresh_from_db()
    assert launch_eve.status == Flight.Status.SCHEDULED and launch_eve.launch_at == new_time
    assert launch_eve.window_open is None  # outside every computed window: liftoff waits for new windows
    assert launch_eve.milestones.get(key="frr").due_at == new_time - dt.timedelta(days=6)
    notices = ScrubNotice.objects.filter(flight=launch_eve, new_launch_at=new_time)
    assert notices.count() == 2 and {n.old_launch_at for n in notices} == {old}
    told = Notification.objects.filter(dedupe_key__contains=f"{new_time.astimezone(dt.UTC):%Y%m%dT%H%M%S}")
    assert sorted(told.values_list("recipient", flat=True)) == ["ada@example.test", "bo@example.test"]


def test_reschedule_from_the_api_moves_a_scheduled_flight_and_refuses_clearly(launch_eve, operations, passenger):
    api = APIClient()
    url = f"/api/v1/flights/{launch_eve.pk}/reschedule/"
    old = launch_eve.launch_at
    new_time = old + dt.timedelta(hours=30, minutes=20)  # inside the second window
    api.force_authenticate(passenger)
    assert api.post(url, {"launch_at": new_time.isoformat()}, format="json").status_code == 403
    api.force_authenticate(operations)
    past = api.post(url, {"launch_at": (timezone.now() - dt.timedelta(minutes=1)).isoformat()}, format="json")
    assert past.status_code == 400 and past.json()["fields"] == {"launch_at": ["Must be in the future."]}
    assert "is in the past" in past.json()["detail"]
    window = launch_eve.launch_windows.get(opens_at__lte=new_time, closes_at__gte=new_time)
    WindowClosure.objects.create(window=window, starts_at=new_time - dt.timedelta(minutes=1),
                                 ends_at=new_time + dt.timedelta(minutes=1), norad_id=25544, object_name="ISS (ZARYA)",
                                 object_class="inhabitable", min_distance_km=120, closest_approach_at=new_time)
    closed = api.post(url, {"launch_at": new_time.isoformat()}, format="json")
    assert closed.status_code == 409 and closed.json()["code"] == "reschedule_refused"
    assert "inside the collision-avoidance closure" in closed.json()["detail"] and "25544 ISS (ZARYA)" in closed.json()["detail"]
    clear = new_time + dt.timedelta(minutes=5)
    response = api.post(url, {"launch_at": clear.isoformat(), "reason": "Customer request"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "scheduled" and body["scrub_count"] == 0 and "rescheduled to" in body["message"]
    launch_eve.refresh_from_db()
    assert launch_eve.launch_at == clear and launch_eve.window_open == window.opens_at
    assert launch_eve.milestones.get(key="go-for-propellant").due_at == clear - dt.timedelta(minutes=45)
    notices = ScrubNotice.objects.filter(flight=launch_eve)
    assert notices.count() == 2 and not any(n.scrubbed for n in notices)
    ada = Notification.objects.get(recipient="ada@example.test", dedupe_key__startswith="tourism.scrub_")
    assert "was moved to a new time: Customer request" in ada.body
    Flight.objects.filter(pk=launch_eve.pk).update(status=Flight.Status.CANCELLED)
    cancelled = api.post(url, {"launch_at": (clear + dt.timedelta(days=1)).isoformat()}, format="json")
    assert cancelled.status_code == 409 and "it is cancelled" in cancelled.json()["detail"]


def test_reschedule_from_the_portal_for_operations(client, launch_eve, operations, passenger):
    url = reverse("flights:flight-reschedule", args=[launch_eve.pk])
    log_in(client, passenger)
    assert client.get(url).status_code == 403
    log_in(client, operations)
    assert 'id="reschedule-link"' in client.get(launch_eve.get_absolute_url()).content.decode()
    page = client.get(url).content.decode()
    assert "Reschedule flight NS-62" in page and "(spaceport local time)" in page
    bad = client.post(url, {"launch_at": "not a time"})
    assert bad.status_code == 400 and "Enter a valid date/time" in bad.content.decode()
    new_time = (launch_eve.launch_at + dt.timedelta(days=2)).replace(second=0)
    response = client.post(url, {"launch_at": local_input(new_time, launch_eve), "reason": "Range conflict"})
    assert response.status_code == 302
    launch_eve.refresh_from_db()
    assert launch_eve.launch_at == new_time
    assert scrub_notices_in_outbox(launch_eve) == {"ada@example.test": 1, "bo@example.test": 1}


def test_a_poll_for_an_earlier_attempt_cannot_declare_go(launch_eve, director, operations):
    the_poll = poll.poll_open(flight=launch_eve, by=director)
    GoNoGoPoll.objects.filter(pk=the_poll.pk).update(launch_at=launch_eve.launch_at - dt.timedelta(days=1))
    with pytest.raises(poll.PollRefused, match="This poll was for the attempt at"):
        poll.poll_declare_launch(poll=the_poll, by=director)


def test_local_times_the_clocks_skip_or_repeat_are_refused_and_the_horizon_holds(launch_eve, operations):
    from django import forms

    from flights.forms import spaceport_local_to_utc

    with pytest.raises(forms.ValidationError, match="does not exist in America/Denver"):
        spaceport_local_to_utc(dt.datetime(2030, 3, 10, 2, 30), "America/Denver")
    with pytest.raises(forms.ValidationError, match="happens twice in America/Denver: 07:30 or 08:30 UTC"):
        spaceport_local_to_utc(dt.datetime(2030, 11, 3, 1, 30), "America/Denver")
    assert spaceport_local_to_utc(dt.datetime(2030, 6, 1, 9, 0), "America/Denver") == dt.datetime(2030, 6, 1, 15, tzinfo=dt.UTC)
    api = APIClient()
    api.force_authenticate(operations)
    url = f"/api/v1/flights/{launch_eve.pk}/reschedule/"
    for value in ("9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z"):
        response = api.post(url, {"launch_at": value}, format="json")
        assert response.status_code == 400 and "launch_at" in response.json()["fields"], response.json()


def test_portal_poll_scrub_says_where_the_flight_went(client, launch_eve, director):
    the_poll = poll.poll_open(flight=launch_eve, by=director)
    log_in(client, director)
    url = reverse("flights:poll-scrub", args=[launch_eve.pk, the_poll.pk])
    page = client.post(url, {"reason": "Gusts above limits", "confirm": "yes"}, follow=True).content.decode()
    assert "scrubbed (Gusts above limits) and recycled to" in page
    assert scrub_notices_in_outbox(launch_eve) == {"ada@example.test": 1, "bo@example.test": 1}
