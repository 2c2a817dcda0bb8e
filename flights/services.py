"""Every write that matters to the fleet and flights: one function per status change.

Each opens its own transaction, locks the row it decides on, checks the transition table and the
rules, writes the change with its history, and raises a DomainError with a clear message on refusal.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from flights import registry
from flights.exceptions import FlightNotSchedulable, InvalidInput, InvalidTransition, VehicleNotAvailable
from flights.models import Flight, FlightStatusChange, MaintenanceRecord, Vehicle, VehicleStatusChange
from flights.signals import flight_rescheduled, flight_status_changed, vehicle_status_changed
from flights.statemachine import require_transition

# Two flights of one vehicle need at least this much time between them (turnaround).
VEHICLE_TURNAROUND = dt.timedelta(days=1)


def _require_reason(reason: str, action: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(f"Give a reason to {action}.", fields={"reason": ["This field is required."]})
    return reason


# --- Vehicles ---------------------------------------------------------------------------------------


def _vehicle_set_status(*, vehicle: Vehicle, to_status: str, reason: str, by, action: str, now=None) -> Vehicle:
    now = now or timezone.now()
    with transaction.atomic():
        vehicle = Vehicle.objects.select_for_update().get(pk=vehicle.pk)
        require_transition(vehicle, to_status, action=action)
        from_status = vehicle.status
        if to_status == Vehicle.Status.ACTIVE:
            registry.return_to_service_guards.enforce(vehicle)
        if to_status == Vehicle.Status.RETIRED:
            upcoming = vehicle.flights.filter(status__in=Flight.UPCOMING_STATUSES + (Flight.Status.DRAFT,))
            if upcoming.exists():
                codes = ", ".join(upcoming.values_list("code", flat=True)[:5])
                raise VehicleNotAvailable(
                    f"Cannot retire {vehicle}: it still has flights planned ({codes}). Cancel or reassign them first."
                )
        vehicle.status = to_status
        vehicle.status_reason = reason
        vehicle.status_changed_at = now
        vehicle.status_changed_by = by
        vehicle.save(update_fields=["status", "status_reason", "status_changed_at", "status_changed_by"])
        VehicleStatusChange.objects.create(
            vehicle=vehicle, from_status=from_status, to_status=to_status, reason=reason, changed_by=by, changed_at=now
        )
        vehicle_status_changed.send(
            sender=Vehicle, vehicle=vehicle, from_status=from_status, to_status=to_status, reason=reason, by=by
        )
    return vehicle


def vehicle_ground(*, vehicle: Vehicle, reason: str, by, now=None) -> Vehicle:
    """Ground a vehicle: it flies nobody until returned to service."""
    reason = _require_reason(reason, "ground a vehicle")
    return _vehicle_set_status(
        vehicle=vehicle, to_status=Vehicle.Status.GROUNDED, reason=reason, by=by, action="ground", now=now
    )


def vehicle_start_maintenance(*, vehicle: Vehicle, reason: str, by, now=None) -> Vehicle:
    reason = _require_reason(reason, "take a vehicle into maintenance")
    return _vehicle_set_status(
        vehicle=vehicle, to_status=Vehicle.Status.MAINTENANCE, reason=reason, by=by, action="start maintenance on", now=now
    )


def vehicle_return_to_service(*, vehicle: Vehicle, reason: str, by, now=None) -> Vehicle:
    """Return a grounded or maintained vehicle to service, if every registered guard agrees."""
    reason = _require_reason(reason, "return a vehicle to service")
    return _vehicle_set_status(
        vehicle=vehicle, to_status=Vehicle.Status.ACTIVE, reason=reason, by=by, action="return to service", now=now
    )


def vehicle_retire(*, vehicle: Vehicle, reason: str, by, now=None) -> Vehicle:
    reason = _require_reason(reason, "retire a vehicle")
    return _vehicle_set_status(
        vehicle=vehicle, to_status=Vehicle.Status.RETIRED, reason=reason, by=by, action="retire", now=now
    )


def maintenance_record_add(
    *,
    vehicle: Vehicle,
    performed_on: dt.date,
    work_done: str,
    signed_by,
    is_inspection: bool = False,
    next_inspection_due: dt.date | None = None,
) -> MaintenanceRecord:
    """Record maintenance; an inspection moves the vehicle's next inspection date."""
    work_done = _require_reason(work_done, "record maintenance (describe the work done)")
    if performed_on > timezone.now().date():
        raise InvalidInput("Maintenance cannot be recorded for a future date.", fields={"performed_on": ["In the future."]})
    if next_inspection_due and next_inspection_due <= performed_on:
        raise InvalidInput(
            "The next inspection must fall after the work was done.", fields={"next_inspection_due": ["Too early."]}
        )
    with transaction.atomic():
        vehicle = Vehicle.objects.select_for_update().get(pk=vehicle.pk)
        record = MaintenanceRecord.objects.create(
            vehicle=vehicle,
            performed_on=performed_on,
            work_done=work_done,
            signed_by=signed_by,
            is_inspection=is_inspection,
            next_inspection_due=next_inspection_due,
        )
        if is_inspection and next_inspection_due:
            vehicle.next_inspection_due = next_inspection_due
            vehicle.save(update_fields=["next_inspection_due"])
    return record


# --- Flights ----------------------------------------------------------------------------------------


def _flight_set_status(*, flight: Flight, to_status: str, reason: str, by, now, extra_fields=()) -> Flight:
    from_status = flight.status
    flight.status = to_status
    flight.status_reason = reason
    flight.status_changed_at = now
    flight.save(update_fields=["status", "status_reason", "status_changed_at", *extra_fields])
    FlightStatusChange.objects.create(
        flight=flight,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        changed_by=by,
        changed_at=now,
        launch_at=flight.launch_at,
    )
    flight_status_changed.send(
        sender=Flight, flight=flight, from_status=from_status, to_status=to_status, reason=reason, by=by
    )
    return flight


def _lock_flight(flight: Flight) -> Flight:
    # Lock only the flight row: the joined itinerary is nullable, and PostgreSQL refuses FOR UPDATE there.
    return (
        Flight.objects.select_for_update(of=("self",))
        .select_related("vehicle__model", "itinerary", "spaceport")
        .get(pk=flight.pk)
    )


def flight_schedule(
    *,
    flight: Flight,
    by,
    launch_at: dt.datetime | None = None,
    window_open: dt.datetime | None = None,
    window_close: dt.datetime | None = None,
    reason: str = "",
    now: dt.datetime | None = None,
) -> Flight:
    """Put a draft (or scrubbed) flight on the schedule, optionally at a new time and window.

    A scrubbed flight put on a new time (the poll's recycle, or operations later) sends `flight_rescheduled`
    in this transaction, with the time it was scrubbed at and the scrub's reason: listeners (bookings)
    check again everything that depends on the date.
    """
    now = now or timezone.now()
    with transaction.atomic():
        flight = _lock_flight(flight)
        require_transition(flight, Flight.Status.SCHEDULED, action="schedule")
        was_scrubbed, scrubbed_launch_at, scrub_reason = (
            flight.status == Flight.Status.SCRUBBED, flight.launch_at, flight.status_reason,
        )
        if launch_at is not None:
            flight.launch_at = launch_at
            flight.window_open, flight.window_close = window_open, window_close
        elif flight.status == Flight.Status.SCRUBBED:
            raise InvalidInput(
                f"Flight {flight} was scrubbed: give it a new launch time to reschedule.",
                fields={"launch_at": ["A new launch time is required after a scrub."]},
            )
        _check_schedulable(flight, now=now)
        reason = reason or ("Rescheduled after scrub" if flight.status == Flight.Status.SCRUBBED else "Scheduled")
        _flight_set_status(
            flight=flight,
            to_status=Flight.Status.SCHEDULED,
            reason=reason,
            by=by,
            now=now,
            extra_fields=["launch_at", "window_open", "window_close"],
        )
        if was_scrubbed and flight.launch_at != scrubbed_launch_at:
            flight_rescheduled.send(
                sender=Flight, flight=flight, old_launch_at=scrubbed_launch_at, reason=scrub_reason, by=by, now=now,
            )
    return flight


def _vehicle_may_fly(flight: Flight) -> bool:
    """An active vehicle flies; a grounded one only the flights a registered permit allows."""
    status = flight.vehicle.status
    return status == Vehicle.Status.ACTIVE or (
        status == Vehicle.Status.GROUNDED and registry.grounded_flight_permits.permits(flight)
    )


def _check_schedulable(flight: Flight, *, now: dt.datetime) -> None:
    if flight.launch_at is None or flight.launch_at <= now:
        raise InvalidInput(
            f"Flight {flight}'s launch time must be in the future to schedule it.",
            fields={"launch_at": ["Must be in the future."]},
        )
    if (flight.window_open is None) != (flight.window_close is None):
        raise InvalidInput("Give both ends of the launch window, or neither.", fields={"window_close": ["Missing."]})
    if flight.window_open and not (flight.window_open <= flight.launch_at <= flight.window_close):
        raise InvalidInput(
            f"Flight {flight}'s launch time must fall inside its launch window.",
            fields={"launch_at": ["Outside the launch window."]},
        )
    vehicle = flight.vehicle
    if not _vehicle_may_fly(flight):
        raise VehicleNotAvailable(
            f"Cannot schedule flight {flight}: vehicle {vehicle} is {vehicle.get_status_display().lower()}"
            + (f" ({vehicle.status_reason})." if vehicle.status_reason else ".")
        )
    if flight.itinerary_id and flight.itinerary.regime != vehicle.model.regime:
        raise FlightNotSchedulable(
            f"Cannot schedule flight {flight}: the itinerary is {flight.itinerary.get_regime_display().lower()} "
            f"but {vehicle.model} flies {vehicle.model.get_regime_display().lower()}."
        )
    clash = (
        Flight.objects.filter(
            vehicle=vehicle,
            status__in=(Flight.Status.SCHEDULED, Flight.Status.READY, Flight.Status.LAUNCHED),
            launch_at__gt=flight.launch_at - VEHICLE_TURNAROUND,
            launch_at__lt=flight.launch_at + VEHICLE_TURNAROUND,
        )
        .exclude(pk=flight.pk)
        .first()
    )
    if clash:
        raise FlightNotSchedulable(
            f"Cannot schedule flight {flight}: vehicle {vehicle} already flies {clash.code} at "
            f"{clash.launch_at:%Y-%m-%d %H:%M} UTC, less than {VEHICLE_TURNAROUND.days} day apart."
        )
    registry.schedule_guards.enforce(flight)


def flight_mark_ready(*, flight: Flight, by, reason: str = "", now=None) -> Flight:
    now = now or timezone.now()
    with transaction.atomic():
        flight = _lock_flight(flight)
        require_transition(flight, Flight.Status.READY, action="mark ready")
        if not _vehicle_may_fly(flight):
            raise VehicleNotAvailable(
                f"Flight {flight} cannot be ready: vehicle {flight.vehicle} is {flight.vehicle.get_status_display().lower()}."
            )
        return _flight_set_status(flight=flight, to_status=Flight.Status.READY, reason=reason or "Ready", by=by, now=now)


def flight_stand_down(*, flight: Flight, by, reason: str, now=None) -> Flight:
    """A ready flight goes back to scheduled (readiness lost before the count), keeping its time."""
    reason = _require_reason(reason, "stand a flight down")
    now = now or timezone.now()
    with transaction.atomic():
        flight = _lock_flight(flight)
        if flight.status != Flight.Status.READY:
            raise InvalidTransition(
                f"Cannot stand down flight {flight}: it is {flight.get_status_display().lower()}; only a ready flight can."
            )
        return _flight_set_status(flight=flight, to_status=Flight.Status.SCHEDULED, reason=reason, by=by, now=now)


def flight_scrub(*, flight: Flight, reason: str, by, now=None) -> Flight:
    """Scrub a launch attempt. Bookings are untouched: the same flight gets a new launch time."""
    reason = _require_reason(reason, "scrub a flight")
    now = now or timezone.now()
    with transaction.atomic():
        flight = _lock_flight(flight)
        require_transition(flight, Flight.Status.SCRUBBED, action="scrub")
        flight.scrub_count += 1
        return _flight_set_status(
            flight=flight, to_status=Flight.Status.SCRUBBED, reason=reason, by=by, now=now, extra_fields=["scrub_count"]
        )


def flight_cancel(*, flight: Flight, reason: str, by, now=None) -> Flight:
    """Cancel a flight for good. Listeners (bookings) refund and tell passengers."""
    reason = _require_reason(reason, "cancel a flight")
    now = now or timezone.now()
    with transaction.atomic():
        flight = _lock_flight(flight)
        require_transition(flight, Flight.Status.CANCELLED, action="cancel")
        return _flight_set_status(flight=flight, to_status=Flight.Status.CANCELLED, reason=reason, by=by, now=now)


def flight_launch(*, flight: Flight, by, at: dt.datetime | None = None, now=None) -> Flight:
    """Declare liftoff. Registered launch guards (window, closures, Go/No-Go poll) must all agree."""
    now = now or timezone.now()
    at = at or now
    with transaction.atomic():
        flight = _lock_flight(flight)
        require_transition(flight, Flight.Status.LAUNCHED, action="launch")
        if flight.window_open and not (flight.window_open <= at <= flight.window_close):
            raise FlightNotSchedulable(
                f"Flight {flight} cannot launch at {at:%Y-%m-%d %H:%M:%S} UTC: outside its launch window "
                f"{flight.window_open:%H:%M:%S}-{flight.window_close:%H:%M:%S} UTC.",
                code="launch_refused",
            )
        if not _vehicle_may_fly(flight):
            # Fail closed: a vehicle grounded (or taken into maintenance) after the poll does not lift off.
            vehicle = flight.vehicle
            raise VehicleNotAvailable(
                f"Flight {flight} cannot launch: vehicle {vehicle} is {vehicle.get_status_display().lower()}"
                + (f" ({vehicle.status_reason})." if vehicle.status_reason else "."),
                code="launch_refused",
            )
        registry.launch_guards.enforce(flight, at=at)
        flight.launched_at = at
        return _flight_set_status(
            flight=flight, to_status=Flight.Status.LAUNCHED, reason="Liftoff", by=by, now=now, extra_fields=["launched_at"]
        )


def flight_land(*, flight: Flight, by, at: dt.datetime | None = None, now=None) -> Flight:
    now = now or timezone.now()
    at = at or now
    with transaction.atomic():
        flight = _lock_flight(flight)
        require_transition(flight, Flight.Status.LANDED, action="land")
        if at < flight.launched_at:
            raise InvalidInput("A flight cannot land before it launched.", fields={"at": ["Before liftoff."]})
        flight.landed_at = at
        return _flight_set_status(
            flight=flight, to_status=Flight.Status.LANDED, reason="Landed", by=by, now=now, extra_fields=["landed_at"]
        )


def flight_complete(*, flight: Flight, by, reason: str = "", now=None) -> Flight:
    now = now or timezone.now()
    with transaction.atomic():
        flight = _lock_flight(flight)
        require_transition(flight, Flight.Status.COMPLETED, action="complete")
        return _flight_set_status(
            flight=flight, to_status=Flight.Status.COMPLETED, reason=reason or "Post-flight closed out", by=by, now=now
        )
