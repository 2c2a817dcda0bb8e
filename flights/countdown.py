"""The countdown: milestone rows with due times, written when a flight is scheduled and moved when it
slips; a periodic sweep claims the due ones (SKIP LOCKED) and a task runs each. No Celery eta is used:
the broker would redeliver a far-future task and it could not follow a slipped launch (DESIGN.md).

An orbital flight's return (undocking, deorbit burn, landing) is the same rows in phase RETURN, written at
liftoff and moved when the stay changes (flights.returns); their runs judge the RETURN-phase checks."""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from flights.dispatch import dispatch_after_commit
from flights.models import CountdownMilestone, Flight, Position, PositionAssignment, Regime
from flights.notifications import notification_queue

logger = logging.getLogger(__name__)

H, M, D = dt.timedelta(hours=1), dt.timedelta(minutes=1), dt.timedelta(days=1)
# (key, name, time before launch, runs the readiness checks)
MILESTONE_TEMPLATES: dict[str, list[tuple[str, str, dt.timedelta, bool]]] = {
    Regime.SUBORBITAL: [
        ("frr", "Flight readiness review", 6 * D, True),
        ("lrr", "Launch readiness review", 2 * D, True),
        ("manifest-freeze", "Manifest freeze and self-certification", 1 * D, True),
        ("weather-brief", "Weather brief", 4 * H, True),
        ("go-for-propellant", "Go for propellant load", 45 * M, True),
    ],
    Regime.ORBITAL: [
        ("frr", "Flight readiness review", 6 * D, True),
        ("lrr", "Launch readiness review", 2 * D, True),
        ("manifest-freeze", "Manifest freeze and self-certification", 1 * D, True),
        ("weather-brief", "Weather brief", 4 * H + 15 * M, True),
        ("crew-at-pad", "Crew at the pad", 2 * H + 55 * M, False),
        ("hatch-close", "Hatch closed", 1 * H + 55 * M, True),
        ("go-for-propellant", "Go for propellant load", 45 * M, True),
    ],
}
STALE_CLAIM = dt.timedelta(minutes=15)  # a claimed run not finished by then is dispatched again


def _regime(flight: Flight) -> str:
    return flight.itinerary.regime if flight.itinerary_id else flight.vehicle.model.regime


def countdown_plan(*, flight: Flight, now: dt.datetime | None = None) -> list[CountdownMilestone]:
    """Write (or move) the flight's milestones for its planned launch."""
    return milestones_place(
        flight=flight, phase=CountdownMilestone.Phase.LAUNCH, anchor=flight.launch_at,
        templates=MILESTONE_TEMPLATES[_regime(flight)], now=now,
    )


def milestones_place(
    *, flight: Flight, phase: str, anchor: dt.datetime, templates, now: dt.datetime | None = None
) -> list[CountdownMilestone]:
    """Write (or move) one phase's milestones, each `offset` before `anchor` (the launch, or the landing).

    A milestone still ahead of the new time goes back to pending, so a slipped launch (or a moved return)
    repeats its reviews for the new date; a milestone already run and already past stays as it was.
    """
    now = now or timezone.now()
    milestones = []
    for key, name, offset, runs_checks in templates:
        due_at = anchor - offset
        milestone, created = CountdownMilestone.objects.get_or_create(
            flight=flight, key=key,
            defaults={"phase": phase, "name": name, "offset": offset, "due_at": due_at, "runs_checks": runs_checks},
        )
        if not created and milestone.due_at != due_at:
            milestone.due_at = due_at
            fields = ["due_at"]
            if due_at > now and milestone.status != CountdownMilestone.Status.PENDING:
                milestone.status = CountdownMilestone.Status.PENDING
                milestone.claimed_at = milestone.completed_at = None
                fields += ["status", "claimed_at", "completed_at"]
            milestone.save(update_fields=fields)
        milestones.append(milestone)
    return milestones


def countdown_stand_down(*, flight: Flight, phase: str | None = None) -> int:
    """Pending milestones that will never run: a cancelled flight's, a launched flight's countdown, a landed
    flight's return."""
    pending = CountdownMilestone.objects.filter(flight=flight, status=CountdownMilestone.Status.PENDING)
    if phase:
        pending = pending.filter(phase=phase)
    return pending.update(status=CountdownMilestone.Status.SKIPPED)


def on_flight_status_changed(sender, flight: Flight, to_status: str, **kwargs) -> None:
    from flights import returns

    if to_status == Flight.Status.SCHEDULED:
        countdown_plan(flight=flight)
    elif to_status == Flight.Status.CANCELLED:
        countdown_stand_down(flight=flight)
    elif to_status == Flight.Status.LAUNCHED:
        countdown_stand_down(flight=flight, phase=CountdownMilestone.Phase.LAUNCH)
        returns.return_start(flight=flight)
    elif to_status == Flight.Status.LANDED:
        countdown_stand_down(flight=flight, phase=CountdownMilestone.Phase.RETURN)


def countdown_sweep(*, now: dt.datetime | None = None) -> list[int]:
    """Claim the milestones that are due (and runs that went stale) and dispatch them after commit."""
    from flights.tasks import run_milestone

    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            CountdownMilestone.objects.select_for_update(skip_locked=True)
            .filter(due_at__lte=now)
            .filter(
                # The countdown runs for a flight on the schedule, the return for one in flight.
                Q(phase=CountdownMilestone.Phase.LAUNCH, flight__status__in=Flight.UPCOMING_STATUSES)
                | Q(phase=CountdownMilestone.Phase.RETURN, flight__status=Flight.Status.LAUNCHED)
            )
            .filter(
                status__in=[CountdownMilestone.Status.PENDING, CountdownMilestone.Status.RUNNING],
            )
            .exclude(status=CountdownMilestone.Status.RUNNING, claimed_at__gt=now - STALE_CLAIM)
            .order_by("due_at")[:100]
        )
        for milestone in due:
            milestone.status = CountdownMilestone.Status.RUNNING
            milestone.claimed_at = now
            milestone.attempts += 1
            milestone.save(update_fields=["status", "claimed_at", "attempts"])
        ids = [m.pk for m in due]
        for pk in ids:
            # A broker that refuses leaves the claim to go stale: the next sweep dispatches it again.
            dispatch_after_commit(run_milestone, pk)
    return ids


def milestone_run(*, milestone_id: int, now: dt.datetime | None = None) -> CountdownMilestone:
    """Run one milestone: the checks, a stored report, an email to each position with a NO-GO.

    Everything is written in one transaction under the milestone's lock, so a worker killed half-way
    leaves nothing behind and the redelivered task does the whole run once; a finished run is not repeated.
    """
    from flights.readiness import readiness_report_create

    now = now or timezone.now()
    with transaction.atomic():
        milestone = (
            CountdownMilestone.objects.select_for_update(of=("self",))
            .select_related("flight__vehicle__model", "flight__spaceport", "flight__itinerary")
            .get(pk=milestone_id)
        )
        if milestone.status in (CountdownMilestone.Status.DONE, CountdownMilestone.Status.SKIPPED):
            return milestone
        flight = milestone.flight
        if milestone.phase == CountdownMilestone.Phase.RETURN and flight.status != Flight.Status.LAUNCHED:
            # Landed before the step came due (the landing stood down the rest): nothing left to judge.
            milestone.status = CountdownMilestone.Status.SKIPPED
            milestone.save(update_fields=["status"])
            return milestone
        if milestone.runs_checks:
            report = readiness_report_create(
                flight=flight, trigger=f"{milestone.name} ({milestone.offset_text})", now=now, phase=milestone.phase
            )
            milestone.report = report
            _notify_positions(milestone, report)
        if settings.READINESS_TEST_DELAY_S:
            time.sleep(settings.READINESS_TEST_DELAY_S)
        milestone.status = CountdownMilestone.Status.DONE
        milestone.completed_at = now
        milestone.save(update_fields=["status", "completed_at", "report"])
    return milestone


def _notify_positions(milestone: CountdownMilestone, report) -> None:
    from flights.readiness import findings_of

    flight = milestone.flight
    holders = {a.position: a.person for a in PositionAssignment.objects.filter(flight=flight).select_related("person")}
    by_position: dict[str, list[str]] = {}
    for finding in findings_of(report):
        if not finding.is_go:
            by_position.setdefault(finding.position, []).append(finding.message)
    for position, messages in by_position.items():
        person = holders.get(position) or holders.get(Position.FLIGHT_DIRECTOR) or flight.flight_director
        if person is None:
            logger.warning("NO-GO for %s on %s but no one holds the position", position, flight)
            continue
        label = Position(position).label
        planned = (
            f"landing {flight.landing_planned_at:%Y-%m-%d %H:%M} UTC"
            if milestone.phase == CountdownMilestone.Phase.RETURN and flight.landing_planned_at
            else f"launch {flight.launch_at:%Y-%m-%d %H:%M} UTC"
        )
        notification_queue(
            dedupe_key=f"milestone:{milestone.pk}:{milestone.due_at:%Y%m%dT%H%M%S}:{position}",
            recipient=person.email,
            subject=f"{flight.code} {milestone.name}: {label} is NO-GO",
            body=(
                f"{milestone.name} for flight {flight.code} ({planned}) "
                f"found {len(messages)} NO-GO item(s) for {label}:\n\n"
                + "\n".join(f"- {m}" for m in messages)
            ),
        )
