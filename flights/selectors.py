"""Reads about flights and the fleet that other code reuses, with query counts kept flat."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from flights.models import Flight, Vehicle


def flight_list_upcoming(*, now: dt.datetime | None = None) -> QuerySet[Flight]:
    """Flights still to fly (scheduled, ready, or scrubbed awaiting a new time), soonest first."""
    now = now or timezone.now()
    return (
        Flight.objects.filter(status__in=Flight.UPCOMING_STATUSES, launch_at__gte=now - dt.timedelta(hours=12))
        .select_related("itinerary", "vehicle__model", "spaceport")
        .order_by("launch_at", "code")
    )


def vehicle_list_with_record() -> QuerySet[Vehicle]:
    """Vehicles annotated with the flights they have flown in this system."""
    return Vehicle.objects.select_related("model", "home_spaceport").annotate(
        flights_flown_tracked=Count("flights", filter=Q(flights__status__in=Flight.FLOWN_STATUSES))
    )


def vehicle_flights_flown(vehicle: Vehicle) -> int:
    tracked = getattr(vehicle, "flights_flown_tracked", None)
    if tracked is None:
        tracked = vehicle.flights.filter(status__in=Flight.FLOWN_STATUSES).count()
    return vehicle.flights_before_tracking + tracked


@dataclass(frozen=True)
class MaintenanceStatus:
    due: bool
    reasons: list[str]
    flights_since_inspection: int


def vehicle_maintenance_status(vehicle: Vehicle, *, on: dt.date | None = None) -> MaintenanceStatus:
    """Is an inspection due by date, or by flights flown since the last inspection?"""
    on = on or timezone.now().date()
    reasons = []
    if vehicle.next_inspection_due and vehicle.next_inspection_due <= on:
        reasons.append(f"Inspection was due on {vehicle.next_inspection_due:%Y-%m-%d}.")
    last_inspection = vehicle.maintenance_records.filter(is_inspection=True).order_by("-performed_on").first()
    flown = vehicle.flights.filter(status__in=Flight.FLOWN_STATUSES)
    if last_inspection:
        flown = flown.filter(launched_at__date__gt=last_inspection.performed_on)
    flights_since = flown.count()
    if vehicle.flights_between_inspections is not None and flights_since >= vehicle.flights_between_inspections:
        reasons.append(
            f"{flights_since} flights since the last inspection; the limit is {vehicle.flights_between_inspections}."
        )
    return MaintenanceStatus(due=bool(reasons), reasons=reasons, flights_since_inspection=flights_since)
