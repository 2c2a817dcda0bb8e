"""What bookings do when a flight changes: a cancelled flight cancels them (full refund), a launch flies
the manifested passengers. A scrub keeps them on the same flight at its new launch time; each passenger is
checked again for the new time and told once (tourism.services.scrub)."""

from __future__ import annotations

from flights.models import Flight
from flights.signals import flight_rescheduled, flight_scrubbed_unscheduled, flight_status_changed


def on_flight_status_changed(sender, flight, from_status, to_status, reason, by, **kwargs) -> None:
    from tourism import services

    if to_status == Flight.Status.CANCELLED:
        services.bookings_on_flight_cancelled(flight=flight, by=by, reason=reason)
    elif to_status == Flight.Status.LAUNCHED:
        services.bookings_on_flight_launched(flight=flight, by=by)


def on_flight_rescheduled(sender, flight, old_launch_at, reason, by, now=None, scrubbed=True, **kwargs) -> None:
    """Inside the scrub's transaction: a failure here rolls the scrub back, so nothing is half-done."""
    from tourism.services.scrub import bookings_on_flight_rescheduled

    if flight.purpose == Flight.Purpose.COMMERCIAL:
        bookings_on_flight_rescheduled(
            flight=flight, old_launch_at=old_launch_at, reason=reason, by=by, now=now, scrubbed=scrubbed
        )


def on_flight_scrubbed_unscheduled(sender, flight, reason, by, now=None, **kwargs) -> None:
    """A scrub left the flight without a new time: each passenger is told once that one will follow."""
    from tourism.services.scrub import bookings_on_flight_scrubbed_unscheduled

    if flight.purpose == Flight.Purpose.COMMERCIAL:
        bookings_on_flight_scrubbed_unscheduled(flight=flight, reason=reason, now=now)


def connect() -> None:
    flight_status_changed.connect(on_flight_status_changed, sender=Flight, dispatch_uid="tourism.on_flight_status_changed")
    flight_rescheduled.connect(on_flight_rescheduled, sender=Flight, dispatch_uid="tourism.on_flight_rescheduled")
    flight_scrubbed_unscheduled.connect(
        on_flight_scrubbed_unscheduled, sender=Flight, dispatch_uid="tourism.on_flight_scrubbed_unscheduled"
    )


def passengers_upcoming_flights(user_ids, *, now):
    """The medical app's source of passengers' flights (tourism.medical.registry.passenger_flights): live bookings."""
    from tourism.models import Booking

    return (
        (booking.user_id, booking.flight)
        for booking in Booking.objects.filter(user_id__in=user_ids, status__in=Booking.LIVE_STATUSES)
        .select_related("flight__spaceport", "flight__itinerary")
    )
