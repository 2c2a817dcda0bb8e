"""The outbox: every message the system sends a person is a Notification row (DESIGN.md, "Telling people").

A service calls `notification_queue` inside the transaction of the change it reports, so the message
exists exactly when the change does; the dedupe key makes a repeated run write it once. Nothing here
needs the broker: after commit a guarded `.delay()` only wakes the sender early, and the beat's
send-notifications run (every minute) delivers whatever is due, so a broker outage delays mail and loses none.
The wake-up is debounced: at most one per transaction, and none while one sent earlier still waits for a
worker (a flag in the broker's Redis for NOTIFICATION_WAKE_UP_SECONDS; flights.tasks.send_notifications says
why no message is left behind).

`notification_send_next` claims ONE due row with SKIP LOCKED, hands it to the mail server and stamps it
sent in that row's own transaction, so a worker killed mid-run repeats at most the one message in flight.
A failed attempt is counted, its error kept, and the row waits (exponential backoff) until it is due
again; after NOTIFICATION_MAX_ATTEMPTS it is failed and stays visible to operations (admin, and
`notifications_needing_attention`) until someone resends it.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from config.rows import insert_once
from config.transactions import on_commit_once
from flights.exceptions import DomainError
from flights.models import Notification

logger = logging.getLogger(__name__)


def notification_queue(
    *, dedupe_key: str, recipient: str, subject: str, body: str, sensitive: bool = False
) -> Notification | None:
    """Write the message once per key, in the caller's transaction; the sender delivers it after commit.

    `sensitive`: the body carries a link that signs someone in or proves an address (password reset, email
    verification), so the admin never shows it. Returns None (logged) when there is no address to send to.
    """
    if not recipient:
        logger.warning("notification %s has no recipient address; not queued", dedupe_key)
        return None
    now = timezone.now()  # the outbox runs on the real clock, whatever time the caller's change is stamped with
    notification = Notification(
        dedupe_key=dedupe_key[:200], recipient=recipient, subject=" ".join(subject.split())[:200], body=body,
        sensitive=sensitive, created_at=now, next_attempt_at=now,
    )
    if not insert_once(notification, key="dedupe_key"):
        return Notification.objects.get(dedupe_key=notification.dedupe_key)  # written before: once per key
    wake_sender_after_commit()
    return notification


# Set in the broker's Redis while a wake-up waits for a worker; the sender clears it before it reads the outbox.
WAKE_UP_FLAG = "flightops:outbox:wake-up"


def wake_sender_after_commit() -> None:
    """Ask a worker to run the sender as soon as the change commits (a wake-up only: the beat is the guarantee).

    One per transaction, however many messages it queues, and none when a wake-up is already pending (each
    successful hold saves a broker publish); while the broker is down, `dispatch_safely` stops trying for a
    few seconds after a failure, so a burst of changes does not wait for each."""
    on_commit_once(_wake_sender)


def _wake_sender() -> None:
    """Never fails the change that queued the message: with the broker down the row waits for the beat."""
    from flights.dispatch import dispatch_unless_pending
    from flights.tasks import send_notifications

    dispatch_unless_pending(send_notifications, flag=WAKE_UP_FLAG, seconds=settings.NOTIFICATION_WAKE_UP_SECONDS)


def _backoff(attempts: int) -> dt.timedelta:
    seconds = settings.NOTIFICATION_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1)
    return dt.timedelta(seconds=min(seconds, settings.NOTIFICATION_RETRY_MAX_SECONDS))


def _deliver(notification: Notification, connection) -> None:
    EmailMessage(
        subject=notification.subject,
        body=notification.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient],
        headers={"X-Flightops-Notification": notification.dedupe_key},
        connection=connection,
    ).send()


def notification_send_next(*, now: dt.datetime | None = None, connection=None) -> Notification | None:
    """Claim the next due message, hand it to the mail server and stamp it, in one short transaction.

    The row lock is held while the mail server takes the message, so no other sender can take it; the
    stamp commits as soon as the server has accepted it. Returns the row (sent, retrying or failed), or
    None when nothing is due.
    """
    with transaction.atomic():
        moment = now or timezone.now()
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(status=Notification.Status.PENDING, next_attempt_at__lte=moment)
            .order_by("next_attempt_at", "id")
            .first()
        )
        if notification is None:
            return None
        notification.attempts += 1
        try:
            _deliver(notification, connection)
        except Exception as exc:  # the mail server refused or is unreachable: count it, back off, keep the row
            notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
                notification.status = Notification.Status.FAILED
                notification.failed_at = moment
                logger.error("Notification %s failed for good after %s attempts: %s", notification.pk,
                             notification.attempts, notification.last_error)
            else:
                notification.next_attempt_at = moment + _backoff(notification.attempts)
                logger.warning("Notification %s attempt %s failed (%s); next at %s", notification.pk,
                               notification.attempts, notification.last_error, notification.next_attempt_at)
            notification.save(update_fields=["attempts", "last_error", "status", "failed_at", "next_attempt_at"])
            return notification
        notification.status = Notification.Status.SENT
        notification.sent_at = now or timezone.now()
        notification.save(update_fields=["attempts", "status", "sent_at"])
    return notification


def notifications_send(*, limit: int = 500, now: dt.datetime | None = None) -> int:
    """Deliver due messages one at a time until none is due (or `limit` tries); returns how many were sent.

    Safe from several workers at once (each claims a different row) and to run again (sent rows are done).
    One SMTP connection serves the run; after a failure it is opened afresh, and after three failures in a
    row the run stops (the mail server is down: the rows wait for their backoff, not all burnt at once).
    """
    sent = failures_in_a_row = 0
    connection = get_connection()
    try:
        connection.open()  # kept open for the run (a backend opened per message closes after each)
    except Exception:  # unreachable: each message records the failure itself
        logger.debug("opening the mail connection failed", exc_info=True)
    try:
        for _ in range(limit):
            notification = notification_send_next(now=now, connection=connection)
            if notification is None:
                break
            if notification.status == Notification.Status.SENT:
                sent += 1
                failures_in_a_row = 0
                continue
            failures_in_a_row += 1
            _close_quietly(connection)
            if failures_in_a_row >= 3:
                logger.warning("Mail server failed three times in a row; the rest of the outbox waits for the next run.")
                break
    finally:
        _close_quietly(connection)
    return sent


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:  # a broken connection has nothing left to close
        logger.debug("closing the mail connection failed", exc_info=True)


class NotificationNotResendable(DomainError):
    code = "notification_not_resendable"


def notification_resend(*, notification: Notification, by=None, now: dt.datetime | None = None) -> Notification:
    """Operations: try a failed (or waiting) message again now, with a fresh count of attempts."""
    now = now or timezone.now()
    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(pk=notification.pk)
        if notification.status == Notification.Status.SENT:
            raise NotificationNotResendable(
                f"The message to {notification.recipient} was already sent at {notification.sent_at:%Y-%m-%d %H:%M} UTC."
            )
        notification.status = Notification.Status.PENDING
        notification.attempts = 0
        notification.next_attempt_at = now
        notification.failed_at = None
        notification.save(update_fields=["status", "attempts", "next_attempt_at", "failed_at"])
        logger.info("Notification %s queued again by %s", notification.pk, by)
        wake_sender_after_commit()
    return notification


def notifications_needing_attention(*, now: dt.datetime | None = None) -> QuerySet[Notification]:
    """Failed messages, and pending ones still unsent NOTIFICATION_OVERDUE_MINUTES after they were written
    (the sender is not running, or the mail server keeps refusing): for the operations home."""
    now = now or timezone.now()
    overdue = now - dt.timedelta(minutes=settings.NOTIFICATION_OVERDUE_MINUTES)
    return Notification.objects.filter(
        Q(status=Notification.Status.FAILED) | Q(status=Notification.Status.PENDING, created_at__lte=overdue)
    ).order_by("created_at", "id")
