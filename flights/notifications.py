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
        from flights.tasks import send_notifications

        transaction.on_commit(send_notifications.delay)
    return notification


def notifications_send(*, limit: int = 200) -> int:
    """Send unsent notifications; safe to run from several workers at once, and to run again."""
    sent = 0
    while sent < limit:
        with transaction.atomic():
            batch = list(
                Notification.objects.select_for_update(skip_locked=True).filter(sent_at__isnull=True).order_by("id")[:20]
            )
            if not batch:
                break
            for notification in batch:
                send_mail(notification.subject, notification.body, settings.DEFAULT_FROM_EMAIL, [notification.recipient])
                notification.sent_at = timezone.now()
                notification.save(update_fields=["sent_at"])
                sent += 1
    return sent
