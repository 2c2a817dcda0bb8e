"""The upgrade to the outbox: no booking or waitlist email of the old per-row mechanism is lost or sent again."""

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from flights.notifications import notifications_send
from tests.tourism.factories import passenger_with_profile
from tourism import services

BEFORE = [("tourism", "0003_email_verification")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_unsent_emails_become_pending_and_sent_ones_stay_sent(flight):
    unsent, sent, told = (services.booking_hold(flight=flight, user=passenger_with_profile()) for _ in range(3))
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old = migrate(BEFORE)
    Change = old.get_model("tourism", "BookingStatusChange")
    old.get_model("flights", "Notification").objects.all().delete()  # the old mechanism kept no outbox rows
    stamp = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
    Change.objects.filter(booking_id=unsent.pk).update(notified_at=None)
    Change.objects.filter(booking_id=sent.pk).update(notified_at=stamp)
    told_change = Change.objects.get(booking_id=told.pk)
    Change.objects.filter(pk=told_change.pk).update(notified_at=told_change.changed_at)  # a scrub notice told them
    try:
        migrate(latest)
    finally:
        migrate(latest)  # leave the schema as the rest of the suite expects, whatever happened
    from tourism.models import BookingStatusChange

    pending = BookingStatusChange.objects.get(booking=unsent).notification
    assert pending.status == "pending" and pending.subject == f"Booking #{unsent.pk} on flight NS-41: held"
    assert "is held for you until" in pending.body  # the real email, rendered by the live template
    done = BookingStatusChange.objects.get(booking=sent).notification
    assert (done.status, done.sent_at) == ("sent", stamp)
    assert BookingStatusChange.objects.get(booking=told).notification is None
    mail.outbox.clear()
    assert notifications_send() == 1 and [m.to for m in mail.outbox] == [[unsent.user.email]]
    assert notifications_send() == 0
