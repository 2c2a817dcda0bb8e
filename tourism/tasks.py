"""Celery tasks of the booking app: thin, idempotent, each calling one service."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

from tourism import notifications, services


@shared_task(name="tourism.expire_lapsed_holds", acks_late=True)
def expire_lapsed_holds() -> dict[str, int]:
    """Beat, every minute: lapsed holds expire and their seats go back on sale or to the waitlist."""
    result = services.booking_expire_lapsed_holds()
    return {"expired_holds": result.expired_holds, "lapsed_offers": result.lapsed_offers, "offers_made": result.offers_made}


@shared_task(
    name="tourism.send_booking_status_email", acks_late=True,
    autoretry_for=(SMTPException, OSError), retry_backoff=True, max_retries=6,
)
def send_booking_status_email(status_change_id: int) -> bool:
    return notifications.status_email_send(status_change_id=status_change_id)


@shared_task(
    name="tourism.send_waitlist_offer_email", acks_late=True,
    autoretry_for=(SMTPException, OSError), retry_backoff=True, max_retries=6,
)
def send_waitlist_offer_email(entry_id: int) -> bool:
    return notifications.offer_email_send(entry_id=entry_id)


@shared_task(name="tourism.send_pending_emails", acks_late=True)
def send_pending_emails() -> int:
    """Beat: the emails a lost broker message left unsent."""
    return notifications.pending_emails_send()


@shared_task(
    name="tourism.send_verification_email", acks_late=True,
    autoretry_for=(SMTPException, OSError), retry_backoff=True, max_retries=6,
)
def send_verification_email(user_id: int) -> bool:
    """A link that verifies the account's current address; sends nothing once it is verified."""
    return notifications.verification_email_send(user_id=user_id)
