"""Celery tasks of medical clearance: thin, idempotent, each calling one service."""

from __future__ import annotations

from celery import shared_task

from tourism.medical import notifications, services
from tourism.medical.models import MedicalClearance


@shared_task(name="medical.expire_clearances", acks_late=True)
def expire_clearances() -> int:
    return services.clearance_expire_due()


@shared_task(name="medical.send_expiry_reminders", acks_late=True)
def send_expiry_reminders() -> int:
    return services.clearance_send_expiry_reminders()


@shared_task(name="medical.send_clearance_email", acks_late=True)
def send_clearance_email(*, clearance_id: int, kind: str) -> bool:
    """The mechanism the outbox replaced: a message already in the broker at the upgrade goes into the outbox
    (once per clearance and kind), so it is not lost. Services no longer send this task; remove after one release."""
    from django.db import transaction

    clearance = MedicalClearance.objects.select_related("passenger").filter(pk=clearance_id).first()
    if clearance is None:
        return False
    with transaction.atomic():
        queued = notifications.queue_clearance_email(
            clearance=clearance, kind=kind, dedupe_key=f"medical.{kind}.{clearance_id}.before-outbox"
        )
    return queued is not None
