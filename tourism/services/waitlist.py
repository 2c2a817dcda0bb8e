"""The waitlist of a full flight: join, leave, and offers of seats that come back, first in line first."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from flights.statemachine import require_transition
from tourism import notifications, selectors
from tourism.exceptions import AlreadyBooked, WaitlistRefused
from tourism.models import Booking, WaitlistEntry
from tourism.services.common import lock_flight, require_profile
from tourism.services.email_verification import require_email_verified


def _entry_move(entry: WaitlistEntry, *, to_status: str, now: dt.datetime, action: str, by=None, fields=()) -> None:
    require_transition(entry, to_status, action=action)
    entry.status = to_status
    entry.status_changed_at = now
    entry._history_user = by
    entry.save(update_fields=["status", "status_changed_at", *fields])


def waitlist_join(*, flight, user, now: dt.datetime | None = None) -> WaitlistEntry:
    """Join the waitlist of a full flight; refused while seats are free (hold one instead)."""
    from tourism.services.bookings import release_lapsed, require_on_sale

    now = now or timezone.now()
    require_email_verified(user)
    require_profile(user)
    with transaction.atomic():
        flight = lock_flight(flight.pk)
        require_on_sale(flight, now=now)
        release_lapsed(flight, now=now)
        booking = Booking.objects.filter(flight=flight, user=user, status__in=Booking.LIVE_STATUSES).first()
        if booking:
            raise AlreadyBooked(
                f"You already have booking #{booking.pk} on flight {flight.code} (seat {booking.seat_number}): "
                "no need to wait for a seat."
            )
        entry = WaitlistEntry.objects.filter(
            flight=flight, user=user, status__in=WaitlistEntry.ACTIVE_STATUSES
        ).first()
        if entry:
            raise WaitlistRefused(
                f"You are already on the waitlist of flight {flight.code} (joined {entry.joined_at:%Y-%m-%d %H:%M} UTC).",
                code="already_waitlisted",
            )
        seats_left = selectors.flight_seats_left(flight, now=now, for_user=user)
        if seats_left > 0:
            raise WaitlistRefused(
                f"Flight {flight.code} still has {seats_left} seat{'s' if seats_left != 1 else ''} left: hold one "
                "instead of joining the waitlist.",
                code="seats_available",
            )
        entry = WaitlistEntry(flight=flight, user=user, joined_at=now, status_changed_at=now)
        entry._history_user = user
        entry.save()
    return entry


def waitlist_leave(*, entry: WaitlistEntry, by, now: dt.datetime | None = None) -> WaitlistEntry:
    """Leave the waitlist (or decline an offer, which passes the seat to the next in line)."""
    now = now or timezone.now()
    with transaction.atomic():
        flight = lock_flight(entry.flight_id)
        entry = WaitlistEntry.objects.select_for_update(of=("self",)).get(pk=entry.pk)
        entry.flight = flight
        was_offered = entry.status == WaitlistEntry.Status.OFFERED
        _entry_move(entry, to_status=WaitlistEntry.Status.LEFT, now=now, action="leave", by=by)
        if was_offered:
            offer_free_seats(flight, now=now)
    return entry


def waitlist_cancel_for_flight(flight, *, by, now: dt.datetime) -> int:
    """The flight will not fly: everyone waiting for it is taken off its waitlist (flight already locked)."""
    entries = WaitlistEntry.objects.select_for_update(of=("self",)).filter(
        flight=flight, status__in=WaitlistEntry.ACTIVE_STATUSES
    )
    count = 0
    for entry in entries:
        _entry_move(entry, to_status=WaitlistEntry.Status.CANCELLED, now=now, action="cancel", by=by)
        count += 1
    return count


def lapse_offers(flight, *, now: dt.datetime) -> int:
    """Offers past their deadline lapse (the flight is locked); the seat passes to the next in line."""
    lapsed = WaitlistEntry.objects.select_for_update(skip_locked=True, of=("self",)).filter(
        flight=flight, status=WaitlistEntry.Status.OFFERED, offer_expires_at__lte=now
    )
    count = 0
    for entry in lapsed:
        _entry_move(entry, to_status=WaitlistEntry.Status.LAPSED, now=now, action="lapse")
        count += 1
    return count


def offer_free_seats(flight, *, now: dt.datetime) -> list[WaitlistEntry]:
    """Offer each free seat to the next passenger waiting (the flight is locked), with a deadline and an
    email. An offered seat is kept for that passenger until the deadline."""
    offered = []
    if flight.status not in selectors.BOOKABLE_STATUSES or flight.launch_at <= now:
        return offered  # a cancelled or departed flight offers nothing
    free = selectors.flight_seats_left(flight, now=now)
    if free <= 0:
        return offered
    waiting = (
        WaitlistEntry.objects.select_for_update(of=("self",))
        .filter(flight=flight, status=WaitlistEntry.Status.WAITING)
        .order_by("joined_at", "id")[:free]
    )
    deadline = now + dt.timedelta(hours=settings.WAITLIST_OFFER_HOURS)
    if flight.launch_at:
        deadline = min(deadline, flight.launch_at)
    for entry in waiting:
        entry.offered_at = now
        entry.offer_expires_at = deadline
        _entry_move(
            entry, to_status=WaitlistEntry.Status.OFFERED, now=now, action="offer a seat to",
            fields=("offered_at", "offer_expires_at"),
        )
        notifications.queue_offer_email(entry)
        offered.append(entry)
    return offered


def waitlist_accept_with(flight, *, user, booking: Booking, now: dt.datetime) -> WaitlistEntry | None:
    """The passenger now holds a seat: their waitlist entry (offered or still waiting) is done."""
    entry = (
        WaitlistEntry.objects.select_for_update(of=("self",))
        .filter(flight=flight, user=user, status__in=WaitlistEntry.ACTIVE_STATUSES)
        .first()
    )
    if entry is None:
        return None
    entry.booking = booking
    _entry_move(entry, to_status=WaitlistEntry.Status.ACCEPTED, now=now, action="accept", by=user, fields=("booking",))
    return entry
