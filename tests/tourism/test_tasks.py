"""Celery tasks: thin, idempotent; emails go out once per transition, even when a message was lost."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from tests.tourism.factories import passenger_with_profile, reserved_booking
from tourism import notifications, services, tasks
from tourism.models import BookingStatusChange, WaitlistEntry

pytestmark = pytest.mark.django_db


def test_the_sweep_is_on_the_beat_schedule():
    entries = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert entries["tourism.expire_lapsed_holds"] == 60.0
    assert "tourism.send_pending_emails" in entries


def test_expire_task_expires_and_reports_then_does_nothing(pax, flight):
    services.booking_hold(flight=flight, user=pax, now=timezone.now() - dt.timedelta(hours=100))
    assert tasks.expire_lapsed_holds.delay().get() == {"expired_holds": 1, "lapsed_offers": 0, "offers_made": 0}
    assert tasks.expire_lapsed_holds.delay().get() == {"expired_holds": 0, "lapsed_offers": 0, "offers_made": 0}


def test_each_transition_emails_the_passenger_once(flight, run_on_commit, mailoutbox, operations):
    with run_on_commit():
        booking = reserved_booking(flight, by=operations)
    assert [m.subject for m in mailoutbox] == [
        f"Booking #{booking.pk} on flight NS-41: held",
        f"Booking #{booking.pk} on flight NS-41: reserved",
    ]
    assert mailoutbox[1].to == [booking.user.email]
    assert "The balance of the price (450,000.00 USD) is due on" in mailoutbox[1].body
    assert f"http://127.0.0.1:8000/bookings/{booking.pk}/" in mailoutbox[1].body
    # Running a task again (a redelivered message) sends nothing more.
    change = booking.status_changes.last()
    assert tasks.send_booking_status_email.delay(change.pk).get() is False
    assert len(mailoutbox) == 2


def test_nothing_is_sent_for_a_rolled_back_change(pax, flight, run_on_commit, mailoutbox):
    from tourism.exceptions import AlreadyBooked

    services.booking_hold(flight=flight, user=pax)
    with run_on_commit(), pytest.raises(AlreadyBooked):
        services.booking_hold(flight=flight, user=pax)
    assert mailoutbox == []


def test_catch_up_sends_what_a_lost_message_left_unsent(pax, flight, mailoutbox):
    booking = services.booking_hold(flight=flight, user=pax)  # on-commit never ran: the message was "lost"
    change = booking.status_changes.get()
    assert change.notified_at is None
    assert tasks.send_pending_emails.delay().get() == 0  # too fresh: the on-commit task may still come
    later = timezone.now() + dt.timedelta(minutes=5)
    assert notifications.pending_emails_send(now=later) == 1
    assert notifications.pending_emails_send(now=later) == 0
    change.refresh_from_db()
    assert change.notified_at == later and len(mailoutbox) == 1


def test_waitlist_offer_email_once(pax, flight, mailoutbox):
    holds = [services.booking_hold(flight=flight, user=passenger_with_profile()) for _ in range(6)]
    entry = services.waitlist_join(flight=flight, user=pax)
    services.booking_cancel(booking=holds[0], by=holds[0].user)
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.OFFERED
    assert tasks.send_waitlist_offer_email.delay(entry.pk).get() is True
    assert tasks.send_waitlist_offer_email.delay(entry.pk).get() is False
    assert [m.to for m in mailoutbox] == [[pax.email]]
    assert "yours to hold until" in mailoutbox[0].body and f"/catalog/flights/{flight.pk}/" in mailoutbox[0].body


def test_no_email_address_is_marked_without_sending(pax, flight, mailoutbox):
    booking = services.booking_hold(flight=flight, user=pax)  # a verified address is needed to book
    pax.email = ""
    pax.save()
    change = BookingStatusChange.objects.get(booking=booking)
    assert notifications.status_email_send(status_change_id=change.pk) is False
    change.refresh_from_db()
    assert change.notified_at is not None and mailoutbox == []


def test_a_broker_outage_does_not_undo_a_committed_booking(pax, flight, run_on_commit, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.send_booking_status_email, "delay", broken)
    with run_on_commit():
        booking = services.booking_hold(flight=flight, user=pax)
    booking.refresh_from_db()
    assert booking.status == "held" and booking.status_changes.get().notified_at is None
