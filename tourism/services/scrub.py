"""After a scrub: every passenger of the flight asked again for the new launch time, and told, once.

The flights app recycles a scrubbed flight to its next clear opportunity and sends `flight_rescheduled`
inside the scrub's transaction; `tourism.receivers` calls `bookings_on_flight_rescheduled` there, so the
re-check, the moves off the manifest, the scrub notices and the outbox rows commit with the scrub or not
at all. The emails leave from the outbox after the commit: a mail server that is down never fails the
flight director's scrub, and a second delivery of the signal finds its notices and does nothing.

For each live booking (held, reserved, manifested) every registered manifest gate is asked for the new
launch time (a clearance that ends before the new date, a self-certification now older than 24 hours
before the new launch, ...):

- every gate holds: the passenger keeps their place and gets a short "new launch time" email;
- a manifested booking with a failing gate goes back to reserved, and the passenger reads exactly what
  blocks them and their options: fix it, move to another flight, or cancel with everything refunded (a
  scrub is the operator's doing);
- a held or reserved booking with failing gates is told what still blocks it; the operator's refund
  terms apply when the scrub caused one of them (a gate that held for the old time fails for the new).
"""

from __future__ import annotations

import copy
import datetime as dt

from django.db import transaction
from django.utils import timezone

from flights.models import Flight
from tourism import notifications, selectors
from tourism.models import Booking, ScrubNotice
from tourism.readiness import GateResult, bookings_gate_results
from tourism.services.bookings import booking_unmanifest
from tourism.services.common import lock_flight
from tourism.services.payments import refund_quote


def bookings_on_flight_rescheduled(
    *, flight: Flight, old_launch_at: dt.datetime, reason: str, by, now: dt.datetime | None = None,
    scrubbed: bool = True,
) -> list[ScrubNotice]:
    """Re-check and inform every live booking of `flight`, now at its new launch time. Idempotent: a
    booking that already has its notice for this move (old time -> new time) is left alone. `scrubbed` is
    False when operations moved a flight that was not scrubbed (the notice says "moved", not "scrubbed")."""
    now = now or timezone.now()
    with transaction.atomic():
        flight = lock_flight(flight.pk)
        if flight.launch_at == old_launch_at:
            return []
        told = ScrubNotice.objects.filter(
            flight=flight, old_launch_at=old_launch_at, new_launch_at=flight.launch_at
        ).values_list("booking_id", flat=True)
        bookings = [
            booking
            for booking in Booking.objects.select_for_update(of=("self",))
            .filter(flight=flight, status__in=Booking.LIVE_STATUSES)
            .exclude(pk__in=list(told))
            .select_related("user__passenger_profile", "consent__document")
            .order_by("seat_number")
            if not booking.hold_lapsed(now)  # its seat is going back on sale: nothing to tell
        ]
        if not bookings:
            return []
        for booking in bookings:
            booking.flight = flight
        results = bookings_gate_results(bookings, now=now)
        before = _results_before(flight, old_launch_at, bookings, results, now=now)
        transfer_flights = _transfer_flights(flight, now=now)
        notices = []
        for booking in bookings:
            notices.append(_settle(
                booking, flight=flight, old_launch_at=old_launch_at, reason=reason, by=by, now=now,
                results=results[booking.pk], results_before=before.get(booking.pk, []),
                transfer_flights=transfer_flights, scrubbed=scrubbed,
            ))
    return notices


def bookings_on_flight_scrubbed_unscheduled(*, flight: Flight, reason: str, now: dt.datetime | None = None) -> int:
    """The flight was scrubbed and has no new time yet: tell each live booking's passenger once (per scrub:
    the dedupe key carries the flight's scrub count). The re-check comes with the new time."""
    now = now or timezone.now()
    with transaction.atomic():
        flight = lock_flight(flight.pk)
        bookings = [
            booking for booking in Booking.objects.filter(flight=flight, status__in=Booking.LIVE_STATUSES)
            .select_related("user").order_by("seat_number")
            if not booking.hold_lapsed(now)
        ]
        told = 0
        for booking in bookings:
            if notifications.scrub_pending_queue(booking=booking, flight=flight, reason=reason) is not None:
                told += 1
    return told


def _results_before(flight, old_launch_at, bookings, results, *, now) -> dict[int, list[GateResult]]:
    """The same gates for the old launch time, for the bookings that were not manifested and are blocked
    now: which of their blockers did the scrub cause?"""
    blocked = [b for b in bookings if b.status != Booking.Status.MANIFESTED and not all(r.passed for r in results[b.pk])]
    if not blocked:
        return {}
    as_planned = copy.copy(flight)
    as_planned.launch_at = old_launch_at
    copies = []
    for booking in blocked:
        twin = copy.copy(booking)
        twin.flight = as_planned
        copies.append(twin)
    return bookings_gate_results(copies, now=now)


def _transfer_flights(flight: Flight, *, now) -> list[Flight]:
    """Other flights of the itinerary a passenger could move to now (seats left), soonest first."""
    if flight.itinerary_id is None:
        return []
    bookable = selectors.flight_filter_bookable(selectors.flight_list_with_seats(now=now), now=now)
    return list(bookable.filter(itinerary_id=flight.itinerary_id).exclude(pk=flight.pk)[:3])


def _settle(
    booking: Booking, *, flight: Flight, old_launch_at, reason: str, by, now, results: list[GateResult],
    results_before: list[GateResult], transfer_flights: list[Flight], scrubbed: bool = True,
) -> ScrubNotice:
    blockers = [result for result in results if not result.passed]
    status_before = booking.status
    if not blockers:
        outcome = ScrubNotice.Outcome.GATES_HOLD
    elif status_before == Booking.Status.MANIFESTED:
        outcome = ScrubNotice.Outcome.UNMANIFESTED
    else:
        outcome = ScrubNotice.Outcome.BLOCKED
    failed_before = {result.name for result in results_before if not result.passed}
    caused_by_scrub = any(result.name not in failed_before for result in blockers)
    operator_terms = outcome == ScrubNotice.Outcome.UNMANIFESTED or (
        outcome == ScrubNotice.Outcome.BLOCKED and caused_by_scrub
    )
    if outcome == ScrubNotice.Outcome.UNMANIFESTED:
        booking = booking_unmanifest(
            booking=booking, by=by, now=now, notify=False,  # the scrub notice below tells the passenger
            reason=(
                f"Flight {flight.code} was {'scrubbed' if scrubbed else 'rescheduled'} ({reason}) and moved to {flight.launch_at:%Y-%m-%d %H:%M} UTC; "
                "for the new time: " + " ".join(result.refusal for result in blockers)
            ),
        )
    notice = ScrubNotice.objects.create(
        booking=booking, flight=flight, old_launch_at=old_launch_at, new_launch_at=flight.launch_at,
        scrub_reason=reason, scrubbed=scrubbed, status_before=status_before, outcome=outcome,
        blockers="\n".join(result.refusal for result in blockers), operator_terms=operator_terms, created_at=now,
    )
    quote = refund_quote(booking=booking, now=now, operator_fault=operator_terms)
    notice.notification = notifications.scrub_notice_queue(
        notice=notice, booking=booking, flight=flight, quote=quote, transfer_flights=transfer_flights
    )
    if notice.notification is not None:
        notice.save(update_fields=["notification"])
    return notice
