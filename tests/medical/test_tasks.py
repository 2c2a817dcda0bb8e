"""The periodic work: expiry and reminders, each safe to run twice; the beat schedule names them."""

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.core import mail

from config.celery import app
from tests.flights.factories import scheduled_flight
from tests.medical import factories as f
from tourism.medical import services, tasks
from tourism.medical.models import MedicalClearance

pytestmark = pytest.mark.django_db


def test_beat_runs_the_expiry_sweep_and_the_reminders():
    schedule = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"medical.expire_clearances", "medical.send_expiry_reminders"} <= schedule
    assert {"medical.expire_clearances", "medical.send_expiry_reminders", "medical.send_clearance_email"} <= set(app.tasks)


def test_expiry_sweep_run_twice_expires_once(passenger, other_passenger, surgeon):
    lapsed = f.decided(passenger, surgeon, valid_until=dt.date.today())
    current = f.restricted(other_passenger, surgeon)
    now = dt.datetime.combine(dt.date.today() + dt.timedelta(days=1), dt.time(0, 5), tzinfo=dt.UTC)
    assert services.clearance_expire_due(now=now) == 1
    assert services.clearance_expire_due(now=now) == 0
    lapsed.refresh_from_db()
    current.refresh_from_db()
    assert (lapsed.status, current.status) == ("expired", "cleared_with_restrictions")
    assert list(lapsed.status_changes.values_list("to_status", flat=True)).count("expired") == 1
    assert lapsed.status_changes.last().changed_by is None


def test_the_last_valid_day_is_still_valid(passenger, surgeon):
    clearance = f.decided(passenger, surgeon, valid_until=dt.date.today())
    assert services.clearance_expire_due(now=dt.datetime.combine(dt.date.today(), dt.time(23, 59), tzinfo=dt.UTC)) == 0
    clearance.refresh_from_db()
    assert clearance.status == "cleared"


def test_expiry_task_in_batches(passenger, surgeon, django_user_model):
    from tests.conftest import make_user

    for i in range(5):
        f.decided(make_user(django_user_model, f"p{i}", "Passenger"), surgeon, valid_until=dt.date.today())
    now = dt.datetime.combine(dt.date.today() + dt.timedelta(days=2), dt.time(), tzinfo=dt.UTC)
    assert services.clearance_expire_due(now=now, batch_size=2) == 5
    assert MedicalClearance.objects.filter(status="expired").count() == 5


def test_expiry_task_calls_the_sweep(passenger, surgeon):
    two_days_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    f.decided(passenger, surgeon, valid_until=two_days_ago.date() + dt.timedelta(days=1), now=two_days_ago)
    assert tasks.expire_clearances.delay().get() == 1
    assert tasks.expire_clearances.delay().get() == 0


def test_reminders_go_once_to_passengers_with_upcoming_flights(
    passenger, other_passenger, surgeon, flights_of_passengers, deliver_outbox
):
    ending = f.decided(passenger, surgeon, valid_until=dt.date.today() + dt.timedelta(days=20))
    f.decided(other_passenger, surgeon, valid_until=dt.date.today() + dt.timedelta(days=20))  # no flight booked
    assert deliver_outbox() == 2  # the two decisions' emails
    mail.outbox.clear()
    flight = scheduled_flight(code="NS-41")
    flights_of_passengers[passenger.pk] = [flight]
    assert services.clearance_send_expiry_reminders() == 1
    assert services.clearance_send_expiry_reminders() == 0
    assert deliver_outbox() == 1 and deliver_outbox() == 0
    assert [m.to for m in mail.outbox] == [[passenger.email]]
    body = mail.outbox[0].body
    assert f"valid until {ending.valid_until:%-d %B %Y}" in body and "NS-41" in body
    ending.refresh_from_db()
    assert ending.expiry_reminder_sent_at is not None


def test_no_reminder_outside_the_30_days_or_for_lapsed_or_refused(
    passenger, other_passenger, surgeon, flights_of_passengers
):
    f.decided(passenger, surgeon, valid_until=dt.date.today() + dt.timedelta(days=31))
    f.decided(other_passenger, surgeon, outcome="not_cleared")
    flight = scheduled_flight()
    flights_of_passengers.update({passenger.pk: [flight], other_passenger.pk: [flight]})
    assert services.clearance_send_expiry_reminders() == 0
    day_31 = dt.datetime.combine(dt.date.today() + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    assert services.clearance_send_expiry_reminders(now=day_31) == 1  # a day later it is within 30 days


def test_flown_or_cancelled_flights_do_not_count_as_upcoming(passenger, surgeon, flights_of_passengers, operations):
    from flights import services as flight_services

    f.decided(passenger, surgeon, valid_until=dt.date.today() + dt.timedelta(days=10))
    flight = scheduled_flight()
    flight = flight_services.flight_cancel(flight=flight, reason="Vehicle grounded", by=operations)
    flights_of_passengers[passenger.pk] = [flight]
    assert tasks.send_expiry_reminders.delay().get() == 0


def test_email_task_is_harmless_for_a_missing_clearance():
    assert tasks.send_clearance_email.delay(clearance_id=999999, kind="decided").get() is False


def test_a_decision_email_left_in_the_broker_at_the_upgrade_goes_into_the_outbox_once(passenger, surgeon, deliver_outbox):
    clearance = f.decided(passenger, surgeon)
    deliver_outbox()
    mail.outbox.clear()
    assert tasks.send_clearance_email.delay(clearance_id=clearance.pk, kind="decided").get() is True
    assert tasks.send_clearance_email.delay(clearance_id=clearance.pk, kind="decided").get() is True
    assert deliver_outbox() == 1 and [m.subject for m in mail.outbox] == ["A decision on your medical clearance"]
