"""Celery tasks of the booking app: thin, idempotent, each calling one service. (Its emails go through the
flights outbox, whose sender is flights.send_notifications.)"""

from __future__ import annotations

from celery import shared_task

from tourism import services


@shared_task(name="tourism.expire_lapsed_holds", acks_late=True)
def expire_lapsed_holds() -> dict[str, int]:
    """Beat, every minute: lapsed holds expire and their seats go back on sale or to the waitlist."""
    result = services.booking_expire_lapsed_holds()
    return {"expired_holds": result.expired_holds, "lapsed_offers": result.lapsed_offers, "offers_made": result.offers_made}


# Tasks of the mechanism the outbox replaced, kept so that messages already in the broker at the upgrade
# are not lost: booking and waitlist emails still unsent were moved into the outbox by migration
# tourism 0004, so those two do nothing; a verification link is queued again (the send is idempotent
# for a verified address). Remove after one release.
@shared_task(name="tourism.send_booking_status_email", acks_late=True)
def send_booking_status_email(status_change_id: int) -> bool:
    return False


@shared_task(name="tourism.send_waitlist_offer_email", acks_late=True)
def send_waitlist_offer_email(entry_id: int) -> bool:
    return False


@shared_task(name="tourism.send_verification_email", acks_late=True)
def send_verification_email(user_id: int) -> bool:
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from tourism.notifications import queue_verification_email
    from tourism.services.email_verification import email_is_verified

    user = get_user_model().objects.select_related("email_verification").filter(pk=user_id).first()
    if user is None or not user.email or email_is_verified(user):
        return False
    with transaction.atomic():
        queue_verification_email(user, now=timezone.now())
    return True
