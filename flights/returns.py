"""An orbital flight's return: undocking (where the itinerary docks), deorbit burn, landing.

Liftoff plans it (`return_start`, on the status change to launched): the planned landing is liftoff plus
the itinerary's duration, and each step is a milestone row of phase RETURN that many hours before it. The
same beat sweep as the countdown claims the due ones and the same task runs each: the RETURN-phase
readiness checks (the Traffic position's open conjunctions, the positions held), a stored report and an
email to each position with a NO-GO (flights.countdown). No Celery eta: a stay can be extended, and the
rows move with it (`flight_return_replan`, the one door for operations to extend or shorten the stay).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from flights.countdown import milestones_place
from flights.exceptions import InvalidInput, InvalidTransition
from flights.models import CountdownMilestone, Flight, FlightReturnChange, PositionAssignment, Regime
from flights.notifications import notification_queue

H, M = dt.timedelta(hours=1), dt.timedelta(minutes=1)
# (key, name, time before the planned landing, runs the readiness checks, only where the itinerary docks).
# Typical Crew Dragon returns: Axiom Mission 2 (May 2023) undocked about 12 h before splashdown; the deorbit
# burn starts under an hour before it.
RETURN_TEMPLATES: list[tuple[str, str, dt.timedelta, bool, bool]] = [
    ("undocking", "Undocking", 12 * H, True, True),
    ("deorbit-burn", "Deorbit burn", 50 * M, True, False),
    ("landing", "Landing", dt.timedelta(0), True, False),
]
# Crew Dragon is rated for at least 210 days docked to the station (NASA Commercial Crew): no longer stay.
RETURN_MAX_STAY = dt.timedelta(days=210)


def _is_orbital(flight: Flight) -> bool:
    return (flight.itinerary.regime if flight.itinerary_id else flight.vehicle.model.regime) == Regime.ORBITAL


def return_templates(flight: Flight) -> list[tuple[str, str, dt.timedelta, bool]]:
    """The return's steps for this flight: undocking only when its itinerary docks with a target (a station)."""
    docks = bool(flight.itinerary_id and flight.itinerary.target_norad_id)
    return [
        (key, name, offset, checks) for key, name, offset, checks, docking in RETURN_TEMPLATES if docks or not docking
    ]


def return_plan(*, flight: Flight, now: dt.datetime | None = None) -> list[CountdownMilestone]:
    """Write (or move) the return milestones for the flight's planned landing."""
    if flight.landing_planned_at is None:
        return []
    return milestones_place(
        flight=flight,
        phase=CountdownMilestone.Phase.RETURN,
        anchor=flight.landing_planned_at,
        templates=return_templates(flight),
        now=now,
    )


def return_start(*, flight: Flight) -> list[CountdownMilestone]:
    """At liftoff (in the launch's transaction): an orbital flight's planned landing and return milestones.

    A flight without an itinerary (a verification flight) has no duration to plan from: operations give its
    landing with `flight_return_replan`, which plans the milestones then."""
    if not _is_orbital(flight) or not flight.itinerary_id or flight.launched_at is None:
        return []
    flight.landing_planned_at = flight.launched_at + flight.itinerary.duration
    flight.save(update_fields=["landing_planned_at"])
    return return_plan(flight=flight, now=flight.launched_at)


def flight_return_replan(
    *, flight: Flight, landing_at: dt.datetime | None, by, reason: str, now: dt.datetime | None = None
) -> Flight:
    """Extend or shorten an orbital flight's stay: a new planned landing, its return milestones moved (a step
    still ahead goes back to pending and runs its checks again), the change kept with who and why, and the
    flight's director and position holders told once."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Give the reason the return moves.", fields={"reason": ["This field is required."]})
    if landing_at is None:
        raise InvalidInput("Give the new landing time.", fields={"landing_at": ["This field is required."]})
    if timezone.is_naive(landing_at):
        raise InvalidInput("Give the new landing time with its time zone.", fields={"landing_at": ["No time zone."]})
    landing_at = landing_at.replace(microsecond=0)
    with transaction.atomic():
        flight = (
            Flight.objects.select_for_update(of=("self",))
            .select_related("vehicle__model", "itinerary", "spaceport", "flight_director")
            .get(pk=flight.pk)
        )
        if flight.status != Flight.Status.LAUNCHED or not _is_orbital(flight):
            hint = " Reschedule its launch instead." if flight.is_upcoming else ""
            raise InvalidTransition(
                f"Cannot move the return of flight {flight.code}: it is {flight.get_status_display().lower()}"
                f"{'' if _is_orbital(flight) else ' and suborbital'}; only an orbital flight in flight has a return "
                f"to move.{hint}"
            )
        if landing_at <= now:
            raise InvalidInput(
                f"The new landing time {landing_at:%Y-%m-%d %H:%M:%S} UTC is in the past.",
                fields={"landing_at": ["Must be in the future."]},
            )
        if landing_at > flight.launched_at + RETURN_MAX_STAY:
            raise InvalidInput(
                f"A stay lasts at most {RETURN_MAX_STAY.days} days from liftoff "
                f"({flight.launched_at + RETURN_MAX_STAY:%Y-%m-%d %H:%M} UTC); {landing_at:%Y-%m-%d %H:%M} UTC is later.",
                fields={"landing_at": [f"At most {RETURN_MAX_STAY.days} days after liftoff."]},
            )
        if landing_at == flight.landing_planned_at:
            raise InvalidInput(
                f"Flight {flight.code} already plans to land at {landing_at:%Y-%m-%d %H:%M:%S} UTC.",
                fields={"landing_at": ["That is the current landing time."]},
            )
        change = FlightReturnChange.objects.create(
            flight=flight,
            from_landing_at=flight.landing_planned_at,
            to_landing_at=landing_at,
            reason=reason,
            changed_by=by,
            changed_at=now,
        )
        flight.landing_planned_at = landing_at
        flight.save(update_fields=["landing_planned_at"])
        milestones = return_plan(flight=flight, now=now)
        _tell_return_moved(flight, change, milestones)
    return flight


def _tell_return_moved(flight: Flight, change: FlightReturnChange, milestones: list[CountdownMilestone]) -> None:
    people = [flight.flight_director] if flight.flight_director_id else []
    people += [a.person for a in PositionAssignment.objects.filter(flight=flight).select_related("person")]
    addresses = list(dict.fromkeys(person.email for person in people if person.email))
    before = f"{change.from_landing_at:%Y-%m-%d %H:%M} UTC" if change.from_landing_at else "no planned landing"
    steps = "\n".join(f"- {m.name}: {m.due_at:%Y-%m-%d %H:%M} UTC" for m in milestones)
    for address in addresses:
        notification_queue(
            dedupe_key=f"return:{change.pk}:{address}",
            recipient=address,
            subject=f"{flight.code} return moved to {change.to_landing_at:%Y-%m-%d %H:%M} UTC",
            body=(
                f"The return of flight {flight.code} moved from {before} to "
                f"{change.to_landing_at:%Y-%m-%d %H:%M} UTC: {change.reason}\n\nReturn steps, each with its readiness "
                f"checks:\n{steps}\n"
            ),
        )
