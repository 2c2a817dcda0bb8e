"""After a scrub, in detail: the operator's refund terms for a passenger the scrub blocked (portal and API),
the booking page's scrub notice, a notice settled by manifesting again, a mail server that is down, and a
listener that fails taking the whole scrub back. tests/integration/test_scrub.py has the acceptance test."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from flights import poll
from flights.models import Flight, LaunchWindow, Notification, WindowComputation
from flights.notifications import notifications_send
from tests.medical import factories as medical
from tests.preflight.factories import preflight_complete
from tests.tourism.factories import bookable_flight, passenger_with_profile, pay_balance, reserved_booking
from tourism import notifications, services
from tourism.medical import services as medical_services
from tourism.models import Booking, LedgerEntry, ScrubNotice

pytestmark = [pytest.mark.django_db, pytest.mark.all_gates]


@pytest.fixture
def launch_eve(director):
    """A flight launching in 12 hours, with a window now and another 30 hours later."""
    launch = (timezone.now() + dt.timedelta(hours=12)).replace(microsecond=0)
    flight = bookable_flight(code="NS-61", launch_at=launch, flight_director=director)
    computation = WindowComputation.objects.create(
        flight=flight, status="succeeded", search_start=launch - dt.timedelta(days=1),
        search_end=launch + dt.timedelta(days=3), flight_launch_at=launch,
    )
    for opens, closes in ((launch - dt.timedelta(hours=1), launch + dt.timedelta(minutes=10)),
                          (launch + dt.timedelta(hours=30), launch + dt.timedelta(hours=32))):
        LaunchWindow.objects.create(flight=flight, computation=computation, kind=LaunchWindow.Kind.DAYLIGHT,
                                    opens_at=opens, closes_at=closes, closures_computed_at=opens)
    return flight


def manifested(flight, *, surgeon, operations, username, **clearance):
    user = passenger_with_profile(user__username=username, user__first_name=username.capitalize())
    booking = reserved_booking(flight, user=user, by=operations)
    pay_balance(booking, by=operations)
    medical.decided(user, surgeon, **clearance)
    medical_services.self_certification_record(passenger=user, flight=flight)
    preflight_complete(booking, by=operations)
    return services.booking_manifest(booking=booking, by=operations)


@pytest.fixture
def blocked_by_scrub(launch_eve, surgeon, operations, director, django_capture_on_commit_callbacks):
    """Dina is manifested with a clearance valid only until launch day; the scrub moves launch 30 h later."""
    launch_day = launch_eve.launch_at.astimezone(launch_eve.spaceport.tzinfo).date()
    booking = manifested(launch_eve, surgeon=surgeon, operations=operations, username="dina", valid_until=launch_day)
    the_poll = poll.poll_open(flight=launch_eve, by=director)
    with django_capture_on_commit_callbacks(execute=True):
        poll.poll_scrub(poll=the_poll, by=director, reason="Range radar down")
    notifications_send()
    booking.refresh_from_db()
    assert booking.status == "reserved"
    return booking


def test_cancelling_in_the_portal_after_the_scrub_refunds_everything(client, blocked_by_scrub):
    booking = blocked_by_scrub
    client.force_login(booking.user)
    detail = client.get(booking.get_absolute_url()).content.decode()
    assert 'id="scrubs"' in detail and "Range radar down" in detail and "valid only until" in detail
    assert "the scrub is our doing, so everything you have paid is refunded" in detail
    url = reverse("tourism:booking-cancel", args=[booking.pk])
    page = client.get(url).content.decode()
    # Launch is hours away: the itinerary's policy would refund nothing; the scrub makes it the operator's doing.
    assert 'id="refund">450,000.00 USD' in page and "was scrubbed" in page
    response = client.post(url, {"quoted_refund": "450000.00", "reason": "Cannot renew my clearance in time"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert LedgerEntry.objects.get(booking=booking, kind="refund").amount == Decimal("450000.00")
    notice = ScrubNotice.objects.get(booking=booking)
    assert notice.closed_at is not None and notice.closed_reason == "Booking cancelled" and not notice.is_open
    assert "Settled" in client.get(booking.get_absolute_url()).content.decode()


def test_cancelling_through_the_api_after_the_scrub_refunds_everything(blocked_by_scrub):
    booking = blocked_by_scrub
    api = APIClient()
    api.force_authenticate(booking.user)
    (notice,) = api.get(f"/api/v1/bookings/{booking.pk}/").json()["scrub_notices"]
    assert notice["outcome"] == "unmanifested" and notice["is_open"] is True and notice["scrub_reason"] == "Range radar down"
    assert any("valid only until" in blocker for blocker in notice["blockers"]) and notice["notified_at"]
    quote = api.get(f"/api/v1/bookings/{booking.pk}/refund-quote/").json()
    assert quote["refund"] == quote["paid"] == "450000.00" and "scrubbed" in quote["rule"]
    response = api.post(f"/api/v1/bookings/{booking.pk}/cancel/", {"reason": "No longer cleared"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert response.json()["amount_paid"] == "0.00"


def test_manifested_again_the_policy_terms_are_back(blocked_by_scrub, surgeon, operations):
    booking = blocked_by_scrub
    medical.decided(booking.user, surgeon)  # a fresh clearance
    flight = Flight.objects.get(pk=booking.flight_id)
    certify_at = flight.launch_at - dt.timedelta(hours=2)
    medical_services.self_certification_record(passenger=booking.user, flight=flight, now=certify_at)
    services.booking_manifest(booking=booking, by=operations, now=certify_at)
    notice = ScrubNotice.objects.get(booking=booking)
    assert notice.closed_reason == "Back on the manifest" and not notice.is_open
    booking.refresh_from_db()
    assert services.refund_quote(booking=booking).refund == Decimal("0.00")  # under 30 days: the policy


def test_a_mail_server_that_is_down_does_not_fail_the_scrub(
    launch_eve, surgeon, operations, director, settings, django_capture_on_commit_callbacks
):
    manifested(launch_eve, surgeon=surgeon, operations=operations, username="erin")
    the_poll = poll.poll_open(flight=launch_eve, by=director)
    notifications_send()  # the booking emails of the set-up
    settings.EMAIL_BACKEND = "tests.tourism.test_scrub.BrokenMailBackend"
    mail.outbox.clear()
    flight = poll.poll_scrub(poll=the_poll, by=director, reason="Gusts")
    assert notifications_send() == 0  # the mail server refuses: counted, kept, retried later
    assert flight.status == "scheduled" and flight.launch_at > launch_eve.launch_at
    notice = ScrubNotice.objects.get()
    notice.notification.refresh_from_db()
    assert notice.notification.sent_at is None and notice.notified_at is None  # waiting in the outbox
    assert notice.notification.attempts == 1 and "OSError" in notice.notification.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    later = timezone.now() + dt.timedelta(minutes=2)  # after the first backoff
    assert notifications_send(now=later) == 1 and notifications_send(now=later) == 0  # sent, once
    assert [m.to for m in mail.outbox] == [["erin@example.test"]]
    notice.notification.refresh_from_db()
    assert notice.notified_at is not None


def test_a_failing_listener_takes_the_whole_scrub_back(
    launch_eve, surgeon, operations, director, monkeypatch, django_capture_on_commit_callbacks
):
    first = manifested(launch_eve, surgeon=surgeon, operations=operations, username="finn",
                       valid_until=launch_eve.launch_at.astimezone(launch_eve.spaceport.tzinfo).date())
    manifested(launch_eve, surgeon=surgeon, operations=operations, username="gail")
    the_poll = poll.poll_open(flight=launch_eve, by=director)
    real_queue = notifications.scrub_notice_queue
    calls = []

    def fail_on_the_second(**kwargs):
        calls.append(kwargs["booking"].pk)
        if len(calls) == 2:
            raise RuntimeError("template missing")
        return real_queue(**kwargs)

    monkeypatch.setattr(notifications, "scrub_notice_queue", fail_on_the_second)
    messages_before = Notification.objects.count()
    mail.outbox.clear()
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        poll.poll_scrub(poll=the_poll, by=director, reason="Gusts")
    # Nothing is half-done: the flight, the poll, the first passenger's move and notice, the outbox row.
    launch_eve.refresh_from_db()
    the_poll.refresh_from_db()
    first.refresh_from_db()
    assert (launch_eve.status, launch_eve.scrub_count, the_poll.status) == ("scheduled", 0, "open")
    assert first.status == "manifested"
    assert not ScrubNotice.objects.exists() and Notification.objects.count() == messages_before and mail.outbox == []


def test_operations_rescheduling_a_scrubbed_flight_later_tells_the_passengers_too(
    launch_eve, surgeon, operations, director, django_capture_on_commit_callbacks
):
    """With no computed window left the scrubbed flight waits; operations give it a time later."""
    from flights import services as flight_services

    booking = manifested(launch_eve, surgeon=surgeon, operations=operations, username="ivan")
    launch_eve.launch_windows.all().delete()
    the_poll = poll.poll_open(flight=launch_eve, by=director)
    notifications_send()  # the booking emails of the set-up
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        flight = poll.poll_scrub(poll=the_poll, by=director, reason="Parachute sensor fault")
    notifications_send()
    # No new time yet: no re-check, one email saying a new time will follow.
    assert flight.status == "scrubbed" and not ScrubNotice.objects.exists()
    (pending,) = mail.outbox
    assert "a new launch time will follow" in pending.subject and "Parachute sensor fault" in pending.body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        flight_services.flight_schedule(flight=flight, by=operations, launch_at=flight.launch_at + dt.timedelta(days=3))
    notifications_send()
    notice = ScrubNotice.objects.get(booking=booking)
    assert notice.scrub_reason == "Parachute sensor fault" and notice.old_launch_at == launch_eve.launch_at
    assert notice.outcome == "unmanifested"  # three days later, the health statement is too old
    (email,) = mail.outbox
    assert "was scrubbed: Parachute sensor fault" in email.body and "has not certified" in email.body


def test_a_passenger_without_an_email_address_is_recorded_not_emailed(launch_eve, surgeon, operations):
    booking = manifested(launch_eve, surgeon=surgeon, operations=operations, username="hugo")
    booking.user.email = ""
    booking.user.save(update_fields=["email"])
    old = launch_eve.launch_at
    Flight.objects.filter(pk=launch_eve.pk).update(launch_at=old + dt.timedelta(hours=1))
    launch_eve.refresh_from_db()
    (notice,) = services.bookings_on_flight_rescheduled(flight=launch_eve, old_launch_at=old, reason="Hold", by=None)
    assert notice.outcome == "gates_hold" and notice.notification is None
    assert Booking.objects.get(pk=booking.pk).status == "manifested"
    assert services.bookings_on_flight_rescheduled(flight=launch_eve, old_launch_at=old, reason="Hold", by=None) == []


class BrokenMailBackend:
    """An SMTP server that refuses every message."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("Connection refused")
