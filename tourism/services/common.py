"""What every booking service shares: row locks in one order, the status move with its history."""

from __future__ import annotations

import datetime as dt
import functools

from django.core.exceptions import ObjectDoesNotExist
from django.db import connection

from config.rows import attach, execute_fixed, split_row
from flights.models import Flight, Itinerary
from flights.statemachine import require_transition
from tourism import notifications, selectors
from tourism.exceptions import HoldExpired, ProfileRequired
from tourism.models import Booking, BookingStatusChange, PassengerProfile, ScrubNotice

# Statuses that end a booking: `ended_at` and `end_reason` are stamped when it reaches one.
ENDED_STATUSES = (
    Booking.Status.FLOWN,
    Booking.Status.NO_SHOW,
    Booking.Status.CANCELLED,
    Booking.Status.EXPIRED,
    Booking.Status.TRANSFERRED,
)


def _require_atomic() -> None:
    # pretix's locking idea: a row lock outside a transaction is released at once and protects nothing.
    if not connection.in_atomic_block:
        raise RuntimeError("Row locks are taken inside transaction.atomic(); this call is outside one.")


def lock_flight(flight_id: int) -> Flight:
    """Lock the flight row (first in the lock order: flight, then booking, then verification record)."""
    _require_atomic()
    # Only the flight row: the joined itinerary is nullable and PostgreSQL refuses FOR UPDATE there.
    return (
        Flight.objects.select_for_update(of=("self",))
        .select_related("vehicle__model", "itinerary", "spaceport")
        .get(pk=flight_id)
    )


@functools.cache
def _lock_for_hold_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    lock = " FOR UPDATE OF f" if connection.features.has_select_for_update_of else ""
    return (
        f"SELECT {selectors.HOLD_FLIGHT.sql()}, {selectors.HOLD_ITINERARY.sql()} FROM {quote(Flight._meta.db_table)} f "
        f"LEFT JOIN {quote(Itinerary._meta.db_table)} i ON i.id = f.itinerary_id WHERE f.id = %s{lock}"
    )


def lock_flight_for_hold(flight: Flight) -> Flight:
    """`lock_flight(flight.pk)` for a flight that `selectors.flight_for_hold` loaded moments ago in this request:
    the flight row locked and read again with its itinerary (the sale switch and the prices), in one written-out
    statement, keeping the lookup's vehicle, vehicle model and spaceport while the locked row still points at
    them. lock_flight reads those in the same statement as the lock, whose snapshot is taken before it waits for
    the lock, so they were never fresher than the lookup's; the flight row and its itinerary are read after.
    Any other flight (from elsewhere, or one whose vehicle or spaceport changed meanwhile) goes through
    lock_flight."""
    if not getattr(flight, "from_hold_lookup", False):
        return lock_flight(flight.pk)
    _require_atomic()
    with connection.cursor() as cursor:
        execute_fixed(cursor, "flightops_hold_lock", _lock_for_hold_sql(connection.vendor), [flight.pk])
        row = cursor.fetchone()
    if row is None:
        raise Flight.DoesNotExist(f"Flight {flight.pk} no longer exists.")
    (locked, itinerary), _ = split_row(row, selectors.HOLD_FLIGHT, selectors.HOLD_ITINERARY)
    if (locked.vehicle_id, locked.spaceport_id) != (flight.vehicle_id, flight.spaceport_id):
        return lock_flight(flight.pk)  # the lock is held: this only reads the new vehicle and spaceport
    attach(locked, "itinerary", itinerary)
    attach(locked, "vehicle", flight.vehicle)
    attach(locked, "spaceport", flight.spaceport)
    return locked


def lock_flights(*flight_ids: int) -> dict[int, Flight]:
    """Lock several flights in ascending id order, so two transfers never wait on each other in a circle."""
    return {flight_id: lock_flight(flight_id) for flight_id in sorted(set(flight_ids))}


def lock_booking(booking_id: int, *, flight: Flight) -> Booking:
    """Lock a booking after its flight; the locked flight instance is attached to it."""
    _require_atomic()
    booking = Booking.objects.select_for_update(of=("self",)).select_related("user", "consent").get(pk=booking_id)
    if booking.flight_id != flight.pk:
        raise RuntimeError(f"Booking {booking.pk} is not on flight {flight.pk}.")
    booking.flight = flight
    return booking


def lock_for_change(booking: Booking) -> Booking:
    """Lock the booking's flight, then the booking: the order every booking service takes its locks in."""
    return lock_booking(booking.pk, flight=lock_flight(booking.flight_id))


def require_hold_not_lapsed(booking: Booking, *, now: dt.datetime, action: str) -> None:
    """A lapsed hold gave its seat back (or will at the next sweep): nothing more happens on it."""
    if booking.hold_lapsed(now):
        raise HoldExpired(
            f"Cannot {action} for booking {booking}: its hold lapsed at {booking.hold_expires_at:%Y-%m-%d %H:%M} UTC "
            "and the seat went back on sale. Hold a seat again if one is free."
        )


def require_profile(user) -> PassengerProfile:
    try:
        return user.passenger_profile
    except (ObjectDoesNotExist, AttributeError):
        raise ProfileRequired(
            "Complete your passenger profile (legal name, date of birth, nationality, passport, mass, height and "
            "emergency contact) before booking a seat.",
            fields={"profile": ["A passenger profile is required."]},
        ) from None


def booking_move(
    booking: Booking,
    *,
    to_status: str,
    by,
    reason: str,
    now: dt.datetime,
    action: str,
    extra_fields: tuple[str, ...] = (),
    notify: bool = True,
) -> BookingStatusChange:
    """Change a locked booking's status if the transition table allows it; record who, when and why, and
    write the passenger's email into the outbox. `notify=False` when the caller tells the passenger
    itself, in one email with more to say (a scrub notice): the change has no email of its own."""
    require_transition(booking, to_status, action=action)
    from_status = booking.status
    booking.status = to_status
    booking.status_changed_at = now
    fields = ["status", "status_changed_at", *extra_fields]
    if to_status in ENDED_STATUSES:
        booking.ended_at = now
        booking.end_reason = reason
        fields += ["ended_at", "end_reason"]
    booking._history_user = by
    booking.save(update_fields=fields)
    change = BookingStatusChange.objects.create(
        booking=booking, from_status=from_status, to_status=to_status, reason=reason, changed_by=by, changed_at=now,
    )
    if notify:
        notifications.queue_status_email(change)
    return change


def scrub_notices_close(booking: Booking, *, now: dt.datetime, reason: str) -> int:
    """The passenger is back on the manifest, cancelled or moved: the booking's scrub notices are settled."""
    return ScrubNotice.objects.filter(booking=booking, closed_at__isnull=True).update(closed_at=now, closed_reason=reason[:200])
