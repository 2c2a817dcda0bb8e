"""Emails to passengers: one for each booking transition, one for each waitlist offer, and one per scrub.

Services queue them with `transaction.on_commit`, so nothing is sent for a rolled-back change. The send
functions are idempotent: each stamps the row it reports on (`notified_at`), under a row lock, and a
second call does nothing. A periodic catch-up sends whatever a lost broker message left unsent.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from flights.formats import local_and_utc, moment_text
from tourism.models import BookingStatusChange, WaitlistEntry

logger = logging.getLogger(__name__)

# Unsent emails older than this are picked up by the catch-up task (the on-commit task had its chance).
CATCH_UP_AFTER = dt.timedelta(minutes=2)


def _delay_safely(task, object_id: int) -> None:
    try:
        task.delay(object_id)
    except Exception:  # the broker is down: the change is committed, the catch-up task sends it later
        logger.exception("Could not queue %s(%s); the catch-up task will send it.", task.name, object_id)


def queue_status_email(change: BookingStatusChange) -> None:
    from tourism import tasks

    transaction.on_commit(partial(_delay_safely, tasks.send_booking_status_email, change.pk))


def queue_offer_email(entry: WaitlistEntry) -> None:
    from tourism import tasks

    transaction.on_commit(partial(_delay_safely, tasks.send_waitlist_offer_email, entry.pk))


def _site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def spaceport_time_text(moment: dt.datetime, spaceport) -> str:
    """Plain text for emails: "Thu 13 Jun 2030, 09:00 UTC-06:00 (15:00 UTC)" (flights.formats)."""
    return moment_text(moment, getattr(spaceport, "timezone", None))


def scrub_notice_queue(*, notice, booking, flight, quote, transfer_flights):
    """The passenger's one email about one scrub, into the flights outbox (sent after the commit, once per
    booking and move: the dedupe key is the booking with the old and new launch times)."""
    from flights.notifications import notification_queue

    user = booking.user
    spaceport = flight.spaceport
    context = {
        "user": user,
        "booking": booking,
        "flight": flight,
        "notice": notice,
        "quote": quote,
        "new_time": spaceport_time_text(notice.new_launch_at, spaceport),
        "old_time": spaceport_time_text(notice.old_launch_at, spaceport),
        "transfer_flights": [(f, spaceport_time_text(f.launch_at, f.spaceport)) for f in transfer_flights],
        "booking_url": _site_url(booking.get_absolute_url()),
        "cancel_url": _site_url(reverse("tourism:booking-cancel", args=[booking.pk])),
        "eligibility_url": _site_url(reverse("medical:eligibility", args=[flight.pk])),
        # The medical gate's refusals all begin "Medical:"; only then is the eligibility page worth a link.
        "medical_blocked": any(line.startswith("Medical:") for line in notice.blocker_list),
    }
    new_local, _ = local_and_utc(notice.new_launch_at, spaceport.timezone)
    if notice.outcome == notice.Outcome.GATES_HOLD:
        subject = f"Flight {flight.code} has a new launch time: {new_local}"
    else:
        subject = f"Flight {flight.code} moved to {new_local}: action needed for booking #{booking.pk}"
    key = (
        f"tourism.scrub_notice.{booking.pk}.{notice.old_launch_at.astimezone(dt.UTC):%Y%m%dT%H%M%S}."
        f"{notice.new_launch_at.astimezone(dt.UTC):%Y%m%dT%H%M%S}"
    )
    body = render_to_string("tourism/email/scrub_notice.txt", context)
    return notification_queue(dedupe_key=key, recipient=user.email, subject=subject, body=body)


def status_email_send(*, status_change_id: int, now: dt.datetime | None = None) -> bool:
    """Send the email for one booking transition, once. Returns whether it was sent now."""
    now = now or timezone.now()
    with transaction.atomic():
        change = (
            BookingStatusChange.objects.select_for_update(of=("self",))
            .select_related("booking__user", "booking__flight__itinerary", "booking__flight__spaceport")
            .get(pk=status_change_id)
        )
        if change.notified_at is not None:
            return False
        booking = change.booking
        recipient = booking.user.email
        if recipient:
            context = {
                "change": change,
                "booking": booking,
                "flight": booking.flight,
                "user": booking.user,
                "booking_url": _site_url(booking.get_absolute_url()),
            }
            subject = f"Booking #{booking.pk} on flight {booking.flight.code}: {change.get_to_status_display().lower()}"
            body = render_to_string("tourism/email/booking_status.txt", context)
            send_mail(subject, body, None, [recipient])
        change.notified_at = now
        change.save(update_fields=["notified_at"])
    return bool(recipient)


def offer_email_send(*, entry_id: int, now: dt.datetime | None = None) -> bool:
    """Tell the first in line that a seat is theirs to hold until the offer's deadline, once."""
    now = now or timezone.now()
    with transaction.atomic():
        entry = (
            WaitlistEntry.objects.select_for_update(of=("self",))
            .select_related("user", "flight__itinerary", "flight__spaceport")
            .get(pk=entry_id)
        )
        if entry.offer_notified_at is not None or entry.status != WaitlistEntry.Status.OFFERED:
            return False
        recipient = entry.user.email
        if recipient:
            context = {
                "entry": entry,
                "flight": entry.flight,
                "user": entry.user,
                "flight_url": _site_url(reverse("flights:flight-detail", args=[entry.flight_id])),
            }
            subject = f"A seat on flight {entry.flight.code} is yours to hold"
            body = render_to_string("tourism/email/waitlist_offer.txt", context)
            send_mail(subject, body, None, [recipient])
        entry.offer_notified_at = now
        entry.save(update_fields=["offer_notified_at"])
    return bool(recipient)


def _claim_and_send(model, pk: int, unsent_field: str, send) -> bool:
    """Claim one unsent row with SKIP LOCKED (another catch-up may have it) and send its email."""
    with transaction.atomic():
        claimed = model.objects.select_for_update(skip_locked=True).filter(pk=pk, **{f"{unsent_field}__isnull": True})
        return claimed.exists() and send()


def pending_emails_send(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    """Send transition and offer emails that are still unsent a while after their change (lost messages).

    Rows are claimed with SKIP LOCKED, so two catch-ups running at once never send one email twice.
    """
    now = now or timezone.now()
    cutoff = now - CATCH_UP_AFTER
    changes = BookingStatusChange.objects.filter(notified_at__isnull=True, changed_at__lte=cutoff).order_by("changed_at")
    offers = WaitlistEntry.objects.filter(
        status=WaitlistEntry.Status.OFFERED, offer_notified_at__isnull=True, offered_at__lte=cutoff
    ).order_by("offered_at")
    sent = 0
    for change_id in changes.values_list("pk", flat=True)[:limit]:
        sent += _claim_and_send(
            BookingStatusChange, change_id, "notified_at",
            lambda change_id=change_id: status_email_send(status_change_id=change_id, now=now),
        )
    for entry_id in offers.values_list("pk", flat=True)[:limit]:
        sent += _claim_and_send(
            WaitlistEntry, entry_id, "offer_notified_at", lambda entry_id=entry_id: offer_email_send(entry_id=entry_id, now=now)
        )
    return sent


def verification_email_send(*, user_id: int, now: dt.datetime | None = None) -> bool:
    """Email the account a link that verifies its current address (nothing if it is verified already)."""
    from django.contrib.auth import get_user_model

    from tourism.services.email_verification import email_is_verified, email_verification_url

    user = get_user_model().objects.select_related("email_verification").filter(pk=user_id).first()
    if user is None or not user.email or email_is_verified(user):
        return False
    context = {
        "user": user,
        "verify_url": email_verification_url(user, now=now),
        "days": settings.EMAIL_VERIFICATION_DAYS,
        "resend_url": _site_url(reverse("tourism:verify-email")),
    }
    body = render_to_string("tourism/email/verify_email.txt", context)
    send_mail("Verify your email address for Spaceline", body, None, [user.email])
    return True
