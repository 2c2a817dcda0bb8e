"""Emails to passengers: one for each booking transition, one for each waitlist offer, one per scrub, and
the email-verification link. Each is a row in the flights outbox (`flights.notifications`), written by the
service in the same transaction as the change it reports, with a dedupe key that makes it unique; the
outbox's sender delivers it after the commit (and its beat sweep, whatever a lost wake-up left).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from flights.formats import local_and_utc, moment_text
from flights.notifications import notification_queue
from tourism.models import BookingStatusChange, WaitlistEntry

logger = logging.getLogger(__name__)


def status_email_content(change: BookingStatusChange) -> tuple[str, str]:
    """The subject and body of the email about one booking transition (the booking as the change left it)."""
    booking = change.booking
    context = {
        "change": change,
        "booking": booking,
        "flight": booking.flight,
        "user": booking.user,
        "booking_url": _site_url(booking.get_absolute_url()),
    }
    subject = f"Booking #{booking.pk} on flight {booking.flight.code}: {change.get_to_status_display().lower()}"
    return subject, render_to_string("tourism/email/booking_status.txt", context)


def _status_notification(change: BookingStatusChange, *, dedupe_key: str):
    recipient = change.booking.user.email
    if not recipient:
        return None
    subject, body = status_email_content(change)
    return notification_queue(dedupe_key=dedupe_key, recipient=recipient, subject=subject, body=body)


def queue_status_email(change: BookingStatusChange) -> None:
    """The passenger's email about this transition (saved), into the outbox with the change."""
    notification = _status_notification(change, dedupe_key=f"tourism.booking_status.{change.pk}")
    if notification is not None:
        change.notification = notification
        change.save(update_fields=["notification"])


def queue_start_email(change: BookingStatusChange) -> None:
    """The email about a booking's first status (a hold, or a transfer's new booking), queued before the change
    is saved: the change is then written with its notification in one INSERT, not an INSERT and an UPDATE.
    Unsaved, the change has no id to key the message with; a booking starts once, so the booking's id does."""
    change.notification = _status_notification(change, dedupe_key=f"tourism.booking_start.{change.booking_id}")


def offer_email_content(entry: WaitlistEntry) -> tuple[str, str]:
    context = {
        "entry": entry,
        "flight": entry.flight,
        "user": entry.user,
        "flight_url": _site_url(reverse("flights:flight-detail", args=[entry.flight_id])),
    }
    return f"A seat on flight {entry.flight.code} is yours to hold", render_to_string("tourism/email/waitlist_offer.txt", context)


def queue_offer_email(entry: WaitlistEntry) -> None:
    """Tell the first in line that a seat is theirs to hold until the offer's deadline (an entry is offered once)."""
    recipient = entry.user.email
    if not recipient:
        return
    subject, body = offer_email_content(entry)
    entry.offer_notification = notification_queue(
        dedupe_key=f"tourism.waitlist_offer.{entry.pk}", recipient=recipient, subject=subject, body=body
    )
    entry.save(update_fields=["offer_notification"])


def _site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def spaceport_time_text(moment: dt.datetime, spaceport) -> str:
    """Plain text for emails: "Thu 13 Jun 2030, 09:00 UTC-06:00 (15:00 UTC)" (flights.formats)."""
    return moment_text(moment, getattr(spaceport, "timezone", None))


def scrub_notice_queue(*, notice, booking, flight, quote, transfer_flights):
    """The passenger's one email about one scrub, into the flights outbox (sent after the commit, once per
    booking and move: the dedupe key is the booking with the old and new launch times)."""
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


def scrub_pending_queue(*, booking, flight, reason: str):
    """A scrub with no new time yet: one short email per booking and scrub (the dedupe key carries the
    flight's scrub count); the re-check and its notice come with the new time."""
    from flights.notifications import notification_queue

    user = booking.user
    subject = f"Flight {flight.code} was scrubbed: a new launch time will follow"
    body = render_to_string("tourism/email/scrub_pending.txt", {
        "user": user, "booking": booking, "flight": flight, "reason": reason,
        "old_time": spaceport_time_text(flight.launch_at, flight.spaceport),
        "booking_url": _site_url(booking.get_absolute_url()),
    })
    key = f"tourism.scrub_pending.{booking.pk}.{flight.pk}.{flight.scrub_count}"
    return notification_queue(dedupe_key=key, recipient=user.email, subject=subject, body=body)


def queue_verification_email(user, *, now: dt.datetime) -> None:
    """A link that verifies the account's current address, into the outbox with the send's stamp (each send
    a message of its own: resending is throttled by the service). The body holds the link, so it is sensitive."""
    from tourism.services.email_verification import email_verification_url

    context = {
        "user": user,
        "verify_url": email_verification_url(user, now=now),
        "days": settings.EMAIL_VERIFICATION_DAYS,
        "resend_url": _site_url(reverse("tourism:verify-email")),
    }
    notification_queue(
        dedupe_key=f"tourism.verify_email.{user.pk}.{now.astimezone(dt.UTC):%Y%m%dT%H%M%S.%f}",
        recipient=user.email,
        subject="Verify your email address for Spaceline",
        body=render_to_string("tourism/email/verify_email.txt", context),
        sensitive=True,
    )
