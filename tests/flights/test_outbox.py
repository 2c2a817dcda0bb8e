"""The outbox: one row per message, one message per claim, failures backed off and left visible, no broker needed."""

import datetime as dt
import logging
import smtplib

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from flights import dispatch
from flights.models import Notification
from flights.notifications import (
    NotificationNotResendable,
    notification_queue,
    notification_resend,
    notification_send_next,
    notifications_needing_attention,
    notifications_send,
)

pytestmark = pytest.mark.django_db


class RefusingBackend:
    """A mail server that is down."""

    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        pass

    def close(self):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class CountingBackend(RefusingBackend):
    """Counts hand-overs and looks at the outbox while each message is with the mail server."""

    seen: list[tuple[str, int]] = []

    def send_messages(self, messages):
        for message in messages:
            CountingBackend.seen.append((message.subject, Notification.objects.filter(status="sent").count()))
        return len(messages)


def queue(n: int = 1, **kwargs) -> list[Notification]:
    return [
        notification_queue(dedupe_key=f"test.{i}", recipient=f"p{i}@example.test", subject=f"Message {i}", body="Hi.", **kwargs)
        for i in range(n)
    ]


def test_one_row_per_key_whatever_the_retries():
    first = notification_queue(dedupe_key="k", recipient="a@example.test", subject="One", body="x")
    again = notification_queue(dedupe_key="k", recipient="a@example.test", subject="One", body="x")
    assert first.pk == again.pk and Notification.objects.count() == 1
    assert notification_queue(dedupe_key="none", recipient="", subject="No address", body="x") is None
    assert first.status == "pending" and first.sent_at is None


def test_each_message_is_stamped_sent_before_the_next_is_handed_over(settings):
    settings.EMAIL_BACKEND = "tests.flights.test_outbox.CountingBackend"
    CountingBackend.seen = []
    queue(3)
    assert notifications_send() == 3
    # While message n is with the mail server, the n-1 before it are already committed as sent: a worker
    # killed at that moment repeats only message n.
    assert CountingBackend.seen == [("Message 0", 0), ("Message 1", 1), ("Message 2", 2)]
    assert notifications_send() == 0
    assert set(Notification.objects.values_list("status", "attempts")) == {("sent", 1)}


def test_a_refused_message_backs_off_then_fails_and_stays_visible(settings, caplog):
    settings.EMAIL_BACKEND = "tests.flights.test_outbox.RefusingBackend"
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 60
    (message,) = queue(1)
    now = timezone.now()
    assert notifications_send(now=now) == 0
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("pending", 1) and "SMTPServerDisconnected" in message.last_error
    assert message.next_attempt_at == now + dt.timedelta(seconds=60)
    assert notification_send_next(now=now + dt.timedelta(seconds=59)) is None  # not due yet
    later = now + dt.timedelta(seconds=60)
    notification_send_next(now=later)
    message.refresh_from_db()
    assert message.attempts == 2 and message.next_attempt_at == later + dt.timedelta(seconds=120)  # doubled
    with caplog.at_level(logging.ERROR, logger="flights.notifications"):
        notification_send_next(now=later + dt.timedelta(seconds=120))
    message.refresh_from_db()
    assert (message.status, message.attempts, message.sent_at) == ("failed", 3, None) and message.failed_at
    assert "failed for good after 3 attempts" in caplog.text
    assert notifications_send(now=later + dt.timedelta(days=1)) == 0  # a failed message waits for a person
    assert list(notifications_needing_attention()) == [message]


def test_resend_puts_a_failed_message_back_and_refuses_a_sent_one(settings):
    settings.EMAIL_BACKEND = "tests.flights.test_outbox.RefusingBackend"
    settings.NOTIFICATION_MAX_ATTEMPTS = 1
    (message,) = queue(1)
    notifications_send()
    message.refresh_from_db()
    assert message.status == "failed"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    notification_resend(notification=message)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.failed_at) == ("pending", 0, None)
    assert notifications_send() == 1 and len(mail.outbox) == 1
    message.refresh_from_db()
    with pytest.raises(NotificationNotResendable, match="already sent"):
        notification_resend(notification=message)


def test_overdue_pending_messages_need_attention(settings):
    settings.NOTIFICATION_OVERDUE_MINUTES = 15
    old, fresh = queue(2)
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(minutes=20))
    assert list(notifications_needing_attention()) == [old]
    notifications_send()
    assert list(notifications_needing_attention()) == []


def test_a_broker_outage_never_fails_the_change_and_is_tried_once_per_outage(monkeypatch, caplog,
                                                                           django_capture_on_commit_callbacks):
    from django.db import transaction

    from flights import tasks

    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(tasks.send_notifications, "delay", broken)
    with caplog.at_level(logging.WARNING, logger="flights.dispatch"), django_capture_on_commit_callbacks(
        execute=True
    ), transaction.atomic():
        queue(5)
    assert Notification.objects.filter(status="pending").count() == 5  # committed, waiting for the beat
    assert calls == [1]  # one broker timeout for the five wake-ups, not five
    assert "Could not send task flights.send_notifications" in caplog.text
    assert notifications_send() == 5


def test_admin_lists_the_outbox_with_filters_and_resend_but_no_delete(client, operations, settings):
    from tests.twofactor import log_in

    secret = notification_queue(dedupe_key="reset", recipient="r@example.test", subject="Reset", body="LINK-123",
                                sensitive=True)
    assert notifications_send() == 1  # sent: the failed filter leaves it out
    settings.EMAIL_BACKEND = "tests.flights.test_outbox.RefusingBackend"
    settings.NOTIFICATION_MAX_ATTEMPTS = 1
    (failed,) = queue(1)
    notifications_send()
    from flights import roles

    roles.ensure_roles()  # a flushed database (after a transactional test) has the groups without permissions
    log_in(client, operations)
    response = client.get(reverse("admin:flights_notification_changelist") + "?status__exact=failed")
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    listing = response.content.decode()
    assert "p0@example.test" in listing and "SMTPServerDisconnected" in listing and "r@example.test" not in listing
    assert "Resend selected messages" in listing and "delete_selected" not in listing
    detail = client.get(reverse("admin:flights_notification_change", args=[secret.pk])).content.decode()
    assert "LINK-123" not in detail and "Withheld" in detail
    assert client.get(reverse("admin:flights_notification_delete", args=[failed.pk])).status_code == 403
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = client.post(reverse("admin:flights_notification_changelist"),
                           {"action": "action_notification_resend", "_selected_action": [failed.pk]})
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == "pending" and failed.attempts == 0


def test_the_beat_sends_the_outbox_every_minute_and_requeues_stale_jobs():
    from django.conf import settings

    from config.celery import app

    tasks = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert tasks["flights.send_notifications"] == 60 and tasks["flights.requeue_stale_jobs"] == 60
    assert {"flights.send_notifications", "flights.requeue_stale_jobs"} <= set(app.tasks)


def test_dispatch_after_an_outage_tries_again_once_the_backoff_passed(monkeypatch):
    from flights import tasks

    outcomes = iter([ConnectionRefusedError("down"), None])

    def flaky(*args, **kwargs):
        outcome = next(outcomes)
        if outcome:
            raise outcome

    monkeypatch.setattr(tasks.send_notifications, "delay", flaky)
    assert dispatch.dispatch_safely(tasks.send_notifications) is False
    assert dispatch.dispatch_safely(tasks.send_notifications) is False  # within the backoff: not tried
    monkeypatch.setattr(dispatch, "_broker_failed_at", dispatch._broker_failed_at - dispatch.BROKER_BACKOFF_S)
    assert dispatch.dispatch_safely(tasks.send_notifications) is True
