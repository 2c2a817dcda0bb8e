"""The booking lifecycle, one function per move (see Booking.TRANSITIONS):

held -> reserved (consent signed and deposit received: `payment_record`) -> manifested (every gate in
`flights.registry.manifest_gates` met) -> flown | no-show; and cancelled, expired (hold lapsed) and
transferred (to another flight of the itinerary; the new booking keeps the consent and the payments).

No overselling: every move that takes or frees a seat locks the flight row first, expires that flight's
lapsed holds under the same lock, then counts live bookings against the vehicle model's passenger seats.
The database backs it: seat numbers and passengers are unique among a flight's live bookings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from config.rows import save_new
from flights import registry
from flights.exceptions import DomainError, InvalidInput, InvalidTransition
from flights.models import Flight
from flights.statemachine import require_transition
from tourism import notifications, selectors
from tourism.disclosure import consent_state
from tourism.exceptions import (
    AlreadyBooked,
    FlightNotBookable,
    ManifestGateFailed,
    PassengerNotEligible,
    SoldOut,
    TransferRefused,
)
from tourism.models import Booking, BookingStatusChange, LedgerEntry, PassengerProfile, WaitlistEntry
from tourism.services.common import (
    booking_move,
    lock_booking,
    lock_flight_for_hold,
    lock_flights,
    lock_for_change,
    require_hold_not_lapsed,
    require_profile,
    scrub_notices_close,
)
from tourism.services.email_verification import require_email_verified
from tourism.services.payments import refund_quote
from tourism.services.waitlist import lapse_offers, offer_free_seats, waitlist_accept_with, waitlist_cancel_for_flight

MINIMUM_AGE = 18


def _require_reason(reason: str, action: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(f"Give a reason to {action}.", fields={"reason": ["This field is required."]})
    return reason


# --- Checks ------------------------------------------------------------------------------------------


def require_on_sale(flight: Flight, *, now: dt.datetime) -> None:
    """Refuse unless passengers may book `flight` now (and every registered booking guard agrees)."""
    if flight.purpose != Flight.Purpose.COMMERCIAL or flight.itinerary_id is None:
        raise FlightNotBookable(
            f"Flight {flight.code} is a {flight.get_purpose_display().lower()} flight: it carries no paying passengers."
        )
    if not flight.itinerary.is_published:
        raise FlightNotBookable(f"Flight {flight.code} cannot be booked: its itinerary {flight.itinerary} is not on sale.")
    if flight.status not in selectors.BOOKABLE_STATUSES:
        raise FlightNotBookable(f"Flight {flight.code} cannot be booked: it is {flight.get_status_display().lower()}.")
    if flight.launch_at <= now:
        raise FlightNotBookable(f"Flight {flight.code} cannot be booked: its launch time has passed.")
    registry.booking_guards.enforce(flight)


def eligibility_problems(profile: PassengerProfile, flight: Flight) -> list[str]:
    """Why this passenger cannot take a seat on this flight: age on the flight date, mass and height."""
    model = flight.vehicle.model
    launch_day = flight.launch_at.astimezone(flight.spaceport.tzinfo).date()
    problems = []
    age = profile.age_on(launch_day)
    if age < MINIMUM_AGE:
        problems.append(
            f"Passengers must be {MINIMUM_AGE} or older on the flight date; on {launch_day:%Y-%m-%d} you will be {age}."
        )
    if not model.passenger_mass_min_kg <= profile.mass_kg <= model.passenger_mass_max_kg:
        problems.append(
            f"{model} carries passengers of {model.passenger_mass_min_kg} to {model.passenger_mass_max_kg} kg; "
            f"your profile gives {profile.mass_kg} kg."
        )
    if not model.passenger_height_min_cm <= profile.height_cm <= model.passenger_height_max_cm:
        problems.append(
            f"{model} carries passengers {model.passenger_height_min_cm} to {model.passenger_height_max_cm} cm tall; "
            f"your profile gives {profile.height_cm} cm."
        )
    return problems


def _require_eligible(profile: PassengerProfile, flight: Flight) -> None:
    problems = eligibility_problems(profile, flight)
    if problems:
        raise PassengerNotEligible(f"You cannot take a seat on flight {flight.code}: " + " ".join(problems))


def _already_booked(flight: Flight, booking_id: int, seat_number: int, status: str) -> AlreadyBooked:
    return AlreadyBooked(
        f"You already have booking #{booking_id} on flight {flight.code} "
        f"(seat {seat_number}, {Booking.Status(status).label.lower()})."
    )


def _require_no_seat_yet(flight: Flight, user) -> None:
    existing = (
        Booking.objects.filter(flight=flight, user=user, status__in=Booking.SEATED_STATUSES)
        .values_list("pk", "seat_number", "status")
        .first()
    )
    if existing:
        raise _already_booked(flight, *existing)


def _sold_out(flight: Flight) -> SoldOut:
    return SoldOut(
        f"Flight {flight.code} is sold out: all {flight.seats_total} seats are taken or offered to the waitlist. "
        "Join the waitlist to be offered a seat that comes back."
    )


def _refuse_from_snapshot(flight: Flight, *, user, now: dt.datetime) -> None:
    """Refusals that the committed state already proves, without queueing on the flight's lock: when a
    popular flight sells out, the many who come too late are told at once. Anything that might succeed
    (a free seat, a lapsed hold to expire) goes on to the locked path, which decides for good."""
    seats_left, own_booking = selectors.flight_hold_snapshot(flight, now=now, user=user)
    if own_booking is not None:
        _require_no_seat_yet(flight, user)  # reads the booking the refusal names
    if seats_left <= 0:
        raise _sold_out(flight)


def _free_seat_for(flight: Flight, *, user, now: dt.datetime) -> tuple[int, bool]:
    """Under the flight's lock: expire its lapsed holds and lapse its lapsed offers (`release_lapsed`), then
    the lowest free seat for `user`, or AlreadyBooked (the passenger has a seat on it) or SoldOut; and whether
    `user` has an active waitlist entry on the flight (accepted with the booking: `waitlist_accept_with`).

    One read after the lock (`selectors.flight_seat_rows`), which sees everything committed before it, so a hold
    or an offer committed while this one waited for the lock is counted. (Not so for subqueries on the locking
    SELECT: PostgreSQL re-reads the locked row once it has it, but its subqueries keep the older snapshot.)
    - the flight's seated bookings give the passenger's own, the live ones (counted as flight_seats_left counts
      them), the seat numbers taken, and the holds that lapsed;
    - the flight's offered waitlist entries and the passenger's active one give the other people's open offers
      (counted as flight_open_offers counts them), the offers that lapsed, and the passenger's entry.
    Only when a hold or an offer lapsed does `release_lapsed` run, with its own locked reads (SKIP LOCKED: a
    row another transaction holds is left, and still counted, as before), and the read is taken again.
    When nothing lapsed it would have found nothing: `now` is fixed and, under the flight's lock, none of the
    flight's bookings or entries moves (every service that moves one locks its flight first). For the same
    reason a passenger with no active entry here gets none before the booking is written.
    """
    seated, waitlist = selectors.flight_seat_rows(flight, user=user, now=now)
    if any(row.lapsed for row in seated) or any(row.lapsed for row in waitlist):
        release_lapsed(flight, now=now)
        seated, waitlist = selectors.flight_seat_rows(flight, user=user, now=now)
    own = next((row for row in seated if row.user_id == user.pk), None)
    if own is not None:
        raise _already_booked(flight, own.id, own.seat_number, own.status)
    live = sum(1 for row in seated if row.status in Booking.LIVE_STATUSES)
    open_offers = sum(
        1 for row in waitlist if row.status == WaitlistEntry.Status.OFFERED and not row.lapsed and row.user_id != user.pk
    )
    if flight.seats_total - live - open_offers <= 0:
        raise _sold_out(flight)
    seat = min(set(range(1, flight.seats_total + 1)) - {row.seat_number for row in seated})
    return seat, any(row.user_id == user.pk for row in waitlist)


# --- Holds and their expiry --------------------------------------------------------------------------


@dataclass(frozen=True)
class ReleaseResult:
    expired_holds: int = 0
    lapsed_offers: int = 0
    offers_made: int = 0

    def __add__(self, other: ReleaseResult) -> ReleaseResult:
        return ReleaseResult(
            self.expired_holds + other.expired_holds,
            self.lapsed_offers + other.lapsed_offers,
            self.offers_made + other.offers_made,
        )


def release_lapsed(flight: Flight, *, now: dt.datetime) -> ReleaseResult:
    """Under the flight's lock: expire its lapsed holds, lapse its expired waitlist offers, and offer the
    seats that came back to the next in line."""
    lapsed_holds = Booking.objects.select_for_update(skip_locked=True, of=("self",)).filter(
        flight=flight, status=Booking.Status.HELD, hold_expires_at__lte=now
    )
    expired = 0
    for booking in lapsed_holds:
        booking.flight = flight
        booking_move(
            booking,
            to_status=Booking.Status.EXPIRED,
            by=None,
            reason=f"The hold lapsed at {booking.hold_expires_at:%Y-%m-%d %H:%M} UTC; the seat went back on sale.",
            now=now,
            action="expire",
        )
        expired += 1
    lapsed = lapse_offers(flight, now=now)
    offers = offer_free_seats(flight, now=now) if (expired or lapsed) else []
    return ReleaseResult(expired, lapsed, len(offers))


def booking_hold(*, flight: Flight, user, now: dt.datetime | None = None) -> Booking:
    """Hold the lowest free seat of `flight` for `user` for SEAT_HOLD_HOURS, or refuse (sold out, already
    booked, not eligible, not on sale). A passenger offered a seat from the waitlist takes it this way."""
    now = now or timezone.now()
    require_email_verified(user)
    profile = require_profile(user)
    _refuse_from_snapshot(flight, user=user, now=now)  # reads flight.code and its model's seats as given
    registry.booking_guards.prefetch([flight])  # what the guards can prepare outside the lock (certification)
    with transaction.atomic():
        flight = lock_flight_for_hold(flight)
        require_on_sale(flight, now=now)
        _require_eligible(profile, flight)
        seat, waitlisted = _free_seat_for(flight, user=user, now=now)
        itinerary = flight.itinerary
        booking = Booking(
            user=user,
            flight=flight,
            seat_number=seat,
            status=Booking.Status.HELD,
            hold_expires_at=now + dt.timedelta(hours=settings.SEAT_HOLD_HOURS),
            price=itinerary.price,
            deposit=itinerary.deposit,
            deposit_non_refundable=itinerary.deposit_non_refundable,
            currency=itinerary.currency,
            created_at=now,
            status_changed_at=now,
        )
        booking._history_user = user
        save_new(booking)
        _record_start(booking, by=user, now=now, reason=f"Seat {seat} held until {booking.hold_expires_at:%Y-%m-%d %H:%M} UTC.")
        if waitlisted:
            waitlist_accept_with(flight, user=user, booking=booking, now=now)
    return booking


def _record_start(booking: Booking, *, by, now: dt.datetime, reason: str) -> None:
    """The booking's first status change, written with its email already in the outbox (one INSERT each)."""
    change = BookingStatusChange(
        booking=booking, from_status="", to_status=booking.status, reason=reason, changed_by=by, changed_at=now
    )
    notifications.queue_start_email(change)
    save_new(change)


def booking_expire_lapsed_holds(*, now: dt.datetime | None = None) -> ReleaseResult:
    """The periodic sweep: expire lapsed holds and waitlist offers of every flight, flight by flight.

    Each flight is claimed with SKIP LOCKED: a flight another sweep (or a passenger's hold, which expires
    the same holds itself) has locked is left to them, so two sweeps at once count nothing twice.
    """
    now = now or timezone.now()
    flight_ids = set(
        Booking.objects.filter(status=Booking.Status.HELD, hold_expires_at__lte=now).values_list("flight_id", flat=True)
    )
    flight_ids |= set(
        WaitlistEntry.objects.filter(status=WaitlistEntry.Status.OFFERED, offer_expires_at__lte=now).values_list(
            "flight_id", flat=True
        )
    )
    total = ReleaseResult()
    for flight_id in sorted(flight_ids):
        with transaction.atomic():
            flight = (
                Flight.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("vehicle__model", "itinerary", "spaceport")
                .filter(pk=flight_id)
                .first()
            )
            if flight is not None:
                total += release_lapsed(flight, now=now)
    return total


# --- Cancellation and transfer -----------------------------------------------------------------------


def booking_cancel(
    *, booking: Booking, by, reason: str = "", operator_fault: bool = False, now: dt.datetime | None = None
) -> Booking:
    """Cancel a booking and record the refund the itinerary's policy gives (everything paid when the
    operator cancels or cannot carry the passenger). The seat goes to the waitlist."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = lock_for_change(booking)
        flight = booking.flight
        require_transition(booking, Booking.Status.CANCELLED, action="cancel")
        quote = refund_quote(booking=booking, now=now, operator_fault=operator_fault)
        reason = (reason or "").strip() or (
            "Cancelled by the operator" if operator_fault else "Cancelled at the passenger's request"
        )
        booking_move(
            booking,
            to_status=Booking.Status.CANCELLED,
            by=by,
            reason=f"{reason.rstrip('.')}. Refund {quote.refund:,.2f} {quote.currency}: {quote.rule}",
            now=now,
            action="cancel",
        )
        if quote.refund > 0:
            LedgerEntry.objects.create(
                booking=booking,
                kind=LedgerEntry.Kind.REFUND,
                amount=quote.refund,
                currency=booking.currency,
                provider="bank_transfer",
                reference=f"REFUND-{booking.pk:06d}",
                note=quote.rule,
                recorded_by=by,
                recorded_at=now,
            )
        scrub_notices_close(booking, now=now, reason="Booking cancelled")
        offer_free_seats(flight, now=now)
    return booking


def booking_transfer(*, booking: Booking, to_flight: Flight, by, reason: str = "", now: dt.datetime | None = None) -> Booking:
    """Move a booking to another flight of the same itinerary. The old booking ends as transferred; the new
    one starts in its place with the same consent and the payments carried over in the ledger:

    - held stays held until the same deadline (consent and deposit still come before the reservation);
    - reserved or manifested starts reserved when the consent is current for the new flight (the gates
      are checked again there before it is manifested);
    - otherwise (the new flight's vehicle differs, its consent document is newer, or its record has new
      material facts: 14 CFR 460.45) it starts awaiting consent: the seat and the payments are the
      passenger's, but it is not reserved, takes no payment and cannot be manifested until they sign
      informed consent for the new flight, which reserves it (`consent_sign`)."""
    now = now or timezone.now()
    with transaction.atomic():
        flights = lock_flights(booking.flight_id, to_flight.pk)
        old_flight, new_flight = flights[booking.flight_id], flights[to_flight.pk]
        booking = lock_booking(booking.pk, flight=old_flight)
        require_transition(booking, Booking.Status.TRANSFERRED, action="transfer")
        if new_flight.pk == old_flight.pk:
            raise TransferRefused(f"Booking {booking} is already on flight {old_flight.code}.")
        require_hold_not_lapsed(booking, now=now, action="move")
        if new_flight.itinerary_id != old_flight.itinerary_id:
            raise TransferRefused(
                f"Booking {booking} can move only to another flight of {old_flight.itinerary}; flight {new_flight.code} "
                f"flies {new_flight.itinerary or new_flight.get_purpose_display().lower()}."
            )
        require_on_sale(new_flight, now=now)
        _require_eligible(require_profile(booking.user), new_flight)
        seat, waitlisted = _free_seat_for(new_flight, user=booking.user, now=now)
        held = booking.status == Booking.Status.HELD
        consent = consent_state(signature=booking.consent, vehicle=new_flight.vehicle)
        if held:
            status = Booking.Status.HELD
        elif consent.is_current:
            status = Booking.Status.RESERVED
        else:
            status = Booking.Status.AWAITING_CONSENT
        new = Booking(
            user=booking.user,
            flight=new_flight,
            seat_number=seat,
            status=status,
            hold_expires_at=booking.hold_expires_at if held else None,
            price=booking.price,
            deposit=booking.deposit,
            deposit_non_refundable=booking.deposit_non_refundable,
            currency=booking.currency,
            consent=booking.consent,
            transferred_from=booking,
            created_at=now,
            status_changed_at=now,
            reserved_at=now if status == Booking.Status.RESERVED else None,
        )
        new._history_user = by
        new.save()
        reason = (reason or "").strip() or "Moved at the passenger's request"
        booking_move(
            booking,
            to_status=Booking.Status.TRANSFERRED,
            by=by,
            reason=f"{reason.rstrip('.')}: now booking #{new.pk} on flight {new_flight.code}, seat {seat}.",
            now=now,
            action="transfer",
        )
        start_reason = f"Transferred from booking #{booking.pk} on flight {old_flight.code}."
        if status == Booking.Status.AWAITING_CONSENT:
            start_reason += (
                " Informed consent must be signed again for this flight before the seat is reserved: "
                + " ".join(consent.reasons)
            )
        _record_start(new, by=by, now=now, reason=start_reason)
        paid = selectors.booking_amount_paid(booking)
        if paid > 0:
            common = dict(currency=booking.currency, provider="transfer", recorded_by=by, recorded_at=now)
            LedgerEntry.objects.create(
                booking=booking, kind=LedgerEntry.Kind.TRANSFER_OUT, amount=paid, note=f"To booking #{new.pk}", **common
            )
            LedgerEntry.objects.create(
                booking=new, kind=LedgerEntry.Kind.TRANSFER_IN, amount=paid, note=f"From booking #{booking.pk}", **common
            )
        if waitlisted:
            waitlist_accept_with(new_flight, user=booking.user, booking=new, now=now)
        scrub_notices_close(booking, now=now, reason=f"Moved to booking #{new.pk} on flight {new_flight.code}")
        offer_free_seats(old_flight, now=now)
    return new


# --- Manifest and flight -------------------------------------------------------------------------------


def booking_manifest(*, booking: Booking, by, now: dt.datetime | None = None) -> Booking:
    """Put a reserved passenger on the flight's manifest when every registered gate is met (balance paid,
    current consent, vehicle limits, cabin mass; medical, training, waiver and security from other apps).
    A refusal lists every gate that fails."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = lock_for_change(booking)
        flight = booking.flight
        if booking.status == Booking.Status.AWAITING_CONSENT:
            raise ManifestGateFailed(
                f"Cannot manifest booking {booking}: it was transferred to flight {flight.code} and waits for the "
                "passenger to sign informed consent for it (14 CFR 460.45)."
            )
        require_transition(booking, Booking.Status.MANIFESTED, action="manifest")
        if not flight.is_upcoming:
            raise InvalidTransition(
                f"Cannot manifest booking {booking}: flight {flight.code} is {flight.get_status_display().lower()}."
            )
        try:
            registry.manifest_gates.enforce(booking, now=now)
        except DomainError as exc:
            raise ManifestGateFailed(f"Cannot manifest booking {booking}: {exc.message}") from exc
        booking.manifested_at = now
        booking_move(
            booking, to_status=Booking.Status.MANIFESTED, by=by, reason="Every pre-flight gate is met.", now=now,
            action="manifest", extra_fields=("manifested_at",),
        )
        scrub_notices_close(booking, now=now, reason="Back on the manifest")
    return booking


def _move_locked(
    booking: Booking, *, to_status: str, by, reason: str, now: dt.datetime, action: str, notify: bool = True
) -> Booking:
    with transaction.atomic():
        booking = lock_for_change(booking)
        if to_status == Booking.Status.FLOWN and booking.flight.status not in Flight.FLOWN_STATUSES:
            raise InvalidTransition(
                f"Cannot {action} booking {booking}: flight {booking.flight.code} is "
                f"{booking.flight.get_status_display().lower()}."
            )
        booking_move(booking, to_status=to_status, by=by, reason=reason, now=now, action=action, notify=notify)
    return booking


def booking_unmanifest(
    *, booking: Booking, by, reason: str, now: dt.datetime | None = None, notify: bool = True
) -> Booking:
    """Take a passenger off the manifest (a gate no longer holds, e.g. after a scrub moved the date).
    `notify=False`: the caller tells the passenger itself (the scrub notice says why and what to do)."""
    reason = _require_reason(reason, "take a booking off the manifest")
    return _move_locked(
        booking, to_status=Booking.Status.RESERVED, by=by, reason=reason, now=now or timezone.now(),
        action="take off the manifest", notify=notify,
    )


def booking_mark_flown(*, booking: Booking, by, now: dt.datetime | None = None) -> Booking:
    """The passenger flew: only once the flight has launched."""
    return _move_locked(
        booking, to_status=Booking.Status.FLOWN, by=by, reason=f"Flew on {booking.flight.code}.",
        now=now or timezone.now(), action="mark flown",
    )


def booking_mark_no_show(*, booking: Booking, by, reason: str, now: dt.datetime | None = None) -> Booking:
    """The manifested passenger did not come to fly. Nothing is refunded: this is not a cancellation."""
    reason = _require_reason(reason, "mark a booking no-show")
    return _move_locked(
        booking, to_status=Booking.Status.NO_SHOW, by=by, reason=reason, now=now or timezone.now(),
        action="mark no-show",
    )


def bookings_on_flight_cancelled(*, flight: Flight, by, reason: str, now: dt.datetime | None = None) -> int:
    """The operator cancelled the flight (inside its transaction, flight locked): every live booking is
    cancelled with everything paid refunded, and the waitlist is closed."""
    now = now or timezone.now()
    waitlist_cancel_for_flight(flight, by=by, now=now)
    live = list(Booking.objects.filter(flight=flight, status__in=Booking.LIVE_STATUSES).order_by("pk"))
    for booking in live:
        booking_cancel(
            booking=booking, by=by, operator_fault=True, now=now, reason=f"Flight {flight.code} was cancelled: {reason}"
        )
    return len(live)


def bookings_on_flight_launched(*, flight: Flight, by, now: dt.datetime | None = None) -> int:
    """Liftoff: every manifested passenger flew."""
    now = now or timezone.now()
    manifested = list(Booking.objects.filter(flight=flight, status=Booking.Status.MANIFESTED).order_by("pk"))
    for booking in manifested:
        booking_mark_flown(booking=booking, by=by, now=now)
    return len(manifested)
