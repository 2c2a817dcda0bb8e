"""An outbox for email: rows written in the deciding transaction, sent after commit by a task.

The dedupe key makes a notification unique, so a run repeated after a worker died does not write (or
send) it twice; the sender claims unsent rows with SKIP LOCKED so two senders never send one row.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from flights.models import Notification

logger = logging.getLogger(__name__)


def notification_queue(*, dedupe_key: str, recipient: str, subject: str, body: str) -> Notification | None:
    """Queue an email once per key; the sender task runs when the surrounding transaction commits."""
    if not recipient:
        logger.warning("notification %s has no recipient address; not queued", dedupe_key)
        return None
    notification, created = Notification.objects.get_or_create(
        dedupe_key=dedupe_key[:200], defaults={"recipient": recipient, "subject": subject[:200], "body": body}
    )
    if created:
        transaction.on_commit(_send_soon)
    return notification


def _send_soon() -> None:
    """Ask a worker to send the outbox now. Never fails the change that queued it: with the broker (or, for
    tasks run in-process, the mail server) down, the rows wait for the beat's send-notifications run."""
    from flights.tasks import send_notifications

    try:
        send_notifications.delay()
    except Exception:
        logger.exception("Could not send the outbox now; the periodic send-notifications task will.")


def notifications_send(*, limit: int = 200) -> int:
    """Send unsent notifications; safe to run from several workers at once, and to run again."""
    sent = 0
    while sent < limit:
        failure = None
        with transaction.atomic():
            batch = list(
                Notification.objects.select_for_update(skip_locked=True).filter(sent_at__isnull=True).order_by("id")[:20]
            )
            if not batch:
                break
            for notification in batch:
                try:
                    send_mail(notification.subject, notification.body, settings.DEFAULT_FROM_EMAIL, [notification.recipient])
                except Exception as exc:  # keep the rows already sent marked sent, so a retry does not send them again
                    failure = exc
                    break
                notification.sent_at = timezone.now()
                notification.save(update_fields=["sent_at"])
                sent += 1
        if failure is not None:
            raise failure
    return sent
