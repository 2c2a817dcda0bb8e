"""Celery tasks: thin, idempotent; booking emails are outbox rows written with the change, sent once."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from flights.models import Notification
from tests.tourism.factories import passenger_with_profile, reserved_booking
from tourism import services, tasks
from tourism.models import BookingStatusChange, WaitlistEntry

pytestmark = pytest.mark.django_db


def test_the_sweep_is_on_the_beat_schedule():
    entries = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert entries["tourism.expire_lapsed_holds"] == 60.0
    assert entries["flights.send_notifications"] == 60  # the outbox's sweep delivers booking emails too
    assert "tourism.send_pending_emails" not in entries  # the per-row catch-up is gone


def test_expire_task_expires_and_reports_then_does_nothing(pax, flight):
    services.booking_hold(flight=flight, user=pax, now=timezone.now() - dt.timedelta(hours=100))
    assert tasks.expire_lapsed_holds.delay().get() == {"expired_holds": 1, "lapsed_offers": 0, "offers_made": 0}
    assert tasks.expire_lapsed_holds.delay().get() == {"expired_holds": 0, "lapsed_offers": 0, "offers_made": 0}


def test_each_transition_emails_the_passenger_once(flight, mailoutbox, operations, deliver_outbox):
    booking = reserved_booking(flight, by=operations)
    assert mailoutbox == []  # written with the change, delivered by the sender
    assert deliver_outbox() == 2
    assert [m.subject for m in mailoutbox] == [
        f"Booking #{booking.pk} on flight NS-41: held",
        f"Booking #{booking.pk} on flight NS-41: reserved",
    ]
    assert mailoutbox[1].to == [booking.user.email]
    assert "The balance of the price (450,000.00 USD) is due on" in mailoutbox[1].body
    assert f"http://127.0.0.1:8000/bookings/{booking.pk}/" in mailoutbox[1].body
    # The sender run again (a redelivered task, the beat) sends nothing more; the old task name does nothing.
    assert deliver_outbox() == 0
    change = booking.status_changes.last()
    assert tasks.send_booking_status_email.delay(change.pk).get() is False
    assert len(mailoutbox) == 2
    change.refresh_from_db()
    assert change.notified_at == change.notification.sent_at is not None


def test_nothing_is_written_for_a_rolled_back_change(pax, flight, deliver_outbox, mailoutbox):
    from tourism.exceptions import AlreadyBooked

    services.booking_hold(flight=flight, user=pax)
    with pytest.raises(AlreadyBooked):
        services.booking_hold(flight=flight, user=pax)
    assert Notification.objects.count() == 1
    assert deliver_outbox() == 1 and len(mailoutbox) == 1


def test_a_lost_wake_up_is_delivered_by_the_beat(pax, flight, mailoutbox):
    booking = services.booking_hold(flight=flight, user=pax)  # on-commit never ran: the wake-up was "lost"
    change = booking.status_changes.get()
    assert change.notification.status == "pending" and change.notified_at is None
    from flights.tasks import send_notifications

    assert send_notifications.delay().get() == 1  # the beat's every-minute run
    assert send_notifications.delay().get() == 0
    change.refresh_from_db()
    assert change.notified_at is not None and len(mailoutbox) == 1


def test_waitlist_offer_email_once(pax, flight, mailoutbox, deliver_outbox):
    holds = [services.booking_hold(flight=flight, user=passenger_with_profile()) for _ in range(6)]
    entry = services.waitlist_join(flight=flight, user=pax)
    services.booking_cancel(booking=holds[0], by=holds[0].user)
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.OFFERED
    deliver_outbox()
    assert deliver_outbox() == 0
    offers = [m for m in mailoutbox if "yours to hold" in m.subject]
    assert [m.to for m in offers] == [[pax.email]]
    assert "yours to hold until" in offers[0].body and f"/flights/{flight.pk}/" in offers[0].body
    entry.refresh_from_db()
    assert entry.offer_notified_at is not None


def test_no_email_address_writes_no_message(pax, flight, mailoutbox, deliver_outbox):
    booking = services.booking_hold(flight=flight, user=pax)  # a verified address is needed to book
    pax.email = ""
    pax.save()
    services.booking_cancel(booking=booking, by=pax)
    cancelled = BookingStatusChange.objects.get(booking=booking, to_status="cancelled")
    assert cancelled.notification is None and cancelled.notified_at is None
    assert deliver_outbox() == 1 and [m.subject for m in mailoutbox] == [f"Booking #{booking.pk} on flight NS-41: held"]


def test_a_broker_outage_does_not_undo_a_committed_booking(pax, flight, run_on_commit, monkeypatch, mailoutbox,
                                                           deliver_outbox):
    from flights import tasks as flight_tasks

    def broken(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(flight_tasks.send_notifications, "delay", broken)
    with run_on_commit():
        booking = services.booking_hold(flight=flight, user=pax)
    booking.refresh_from_db()
    assert booking.status == "held" and booking.status_changes.get().notification.status == "pending"
    assert mailoutbox == []
    assert deliver_outbox() == 1 and len(mailoutbox) == 1  # the beat delivers it once the broker is back
