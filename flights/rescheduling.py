"""One scrub, every door; and operations' reschedule.

`flight_scrub_recycle` is the only way a launch attempt is scrubbed: the admin action, the Go/No-Go poll
(`poll.poll_scrub`) and the API all call it. It records the reason (flight history, and every open poll
of the attempt closed as scrubbed), finds the next clear liftoff second in the current computation's
windows and closures, and puts the flight there. `flight_schedule` then sends `flight_rescheduled` in the
same transaction, and the tourism app re-checks every passenger for the new time and tells each one
once (tourism.services.scrub). With no clear second left (or the new time refused, e.g. the vehicle is
grounded) the flight stays scrubbed awaiting a time, the outcome says so, and `flight_scrubbed_unscheduled`
lets listeners tell passengers that a new time will follow.

`flight_reschedule` gives a scrubbed, scheduled or ready flight a time operations chose: the same
schedule rules (future, vehicle may fly, turnaround, certification), refused inside a known
collision-avoidance closure, the countdown milestones moved (flights.countdown listens to the status
change), an open poll closed, and the same re-check and notices. A time outside every computed window is
accepted: liftoff stays refused (the launch guards fail closed) until the windows are computed for it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from flights.exceptions import DomainError, InvalidInput, InvalidTransition
from flights.models import Flight, GoNoGoPoll, LaunchWindow
from flights.services import _check_schedulable, _flight_set_status, _lock_flight, flight_schedule, flight_scrub
from flights.signals import flight_rescheduled, flight_scrubbed_unscheduled

RECYCLE_MARGIN = dt.timedelta(minutes=30)  # the earliest new attempt after a scrub
RESCHEDULABLE = (Flight.Status.SCHEDULED, Flight.Status.READY, Flight.Status.SCRUBBED)
RESCHEDULE_HORIZON = dt.timedelta(days=730)  # a new launch time at most two years ahead


class RescheduleRefused(DomainError):
    code = "reschedule_refused"


@dataclass(frozen=True)
class ScrubOutcome:
    """What a scrub did: the flight as it is now, the attempt it scrubbed, and a sentence for the person."""

    flight: Flight
    scrubbed_launch_at: dt.datetime
    recycled: bool
    message: str


def spaceport_time_text(moment: dt.datetime, flight: Flight) -> str:
    """ "Wed 12 Jun 2030, 09:00:00 MDT (15:00:00 UTC)": the spaceport's local time with UTC beside it."""
    try:
        local = moment.astimezone(flight.spaceport.tzinfo)
    except OverflowError:  # a time at the edge of the calendar (bad input being refused): UTC alone
        return f"{moment.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S} UTC"
    return f"{local:%a %d %b %Y, %H:%M:%S %Z} ({moment.astimezone(dt.UTC):%H:%M:%S} UTC)"


def next_launch_opportunity(flight: Flight, *, after: dt.datetime) -> tuple[LaunchWindow, dt.datetime] | None:
    """The first computed window with a liftoff second after `after` clear of every closure.
    Prefers the in-plane instant when it is clear."""
    for window in flight.launch_windows.filter(closes_at__gt=after).prefetch_related("closures").order_by("opens_at"):
        closures = sorted(window.closures.all(), key=lambda c: c.starts_at)
        candidates = []
        if window.in_plane_at and window.in_plane_at > after:
            candidates.append(window.in_plane_at)
        candidates.append(max(window.opens_at, after).replace(microsecond=0) + dt.timedelta(seconds=1))
        candidates.extend(c.ends_at + dt.timedelta(seconds=1) for c in closures)
        for moment in candidates:
            if moment <= after or not window.contains(moment):
                continue
            if not any(c.starts_at <= moment <= c.ends_at for c in closures):
                return window, moment
    return None


def _close_open_polls(flight: Flight, *, reason: str, now: dt.datetime) -> int:
    """An attempt that is over leaves no poll open on which GO could still be declared."""
    return GoNoGoPoll.objects.filter(flight=flight, status=GoNoGoPoll.Status.OPEN).update(
        status=GoNoGoPoll.Status.SCRUBBED, closed_at=now, scrub_reason=reason
    )


def _require_reason(reason: str, action: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(f"Give the reason for the {action}.", fields={"reason": ["This field is required."]})
    return reason


def flight_scrub_recycle(*, flight: Flight, reason: str, by, now: dt.datetime | None = None) -> ScrubOutcome:
    """Scrub the current attempt and put the flight on its next clear opportunity, or leave it scrubbed
    awaiting a time and say so. Passengers are re-checked and told once, in this transaction."""
    reason = _require_reason(reason, "scrub")
    now = now or timezone.now()
    with transaction.atomic():
        flight = _lock_flight(flight)
        scrubbed_launch_at = flight.launch_at
        flight = flight_scrub(flight=flight, reason=reason, by=by, now=now)
        _close_open_polls(flight, reason=reason, now=now)
        opportunity = next_launch_opportunity(flight, after=max(now, scrubbed_launch_at) + RECYCLE_MARGIN)
        why_not = "no clear liftoff second is left in the computed launch windows"
        if opportunity is not None:
            window, launch_at = opportunity
            try:
                with transaction.atomic():  # a refused recycle leaves the scrub standing
                    flight = flight_schedule(
                        flight=flight, by=by, launch_at=launch_at, window_open=window.opens_at,
                        window_close=window.closes_at, reason=f"Recycled after scrub: {reason}", now=now,
                    )
            except DomainError as exc:
                why_not = f"the next clear second, {spaceport_time_text(launch_at, flight)}, cannot be used: {exc.message}"
            else:
                return ScrubOutcome(flight, scrubbed_launch_at, True, (
                    f"Flight {flight.code} scrubbed ({reason}) and recycled to {spaceport_time_text(launch_at, flight)}; "
                    "every passenger is checked again for the new time and told."
                ))
        flight = Flight.objects.get(pk=flight.pk)
        flight_scrubbed_unscheduled.send(sender=Flight, flight=flight, reason=reason, by=by, now=now)
        return ScrubOutcome(flight, scrubbed_launch_at, False, (
            f"Flight {flight.code} scrubbed ({reason}): {why_not}. It stays scrubbed until operations reschedule it; "
            "passengers are told a new time will follow."
        ))


def flight_reschedule(
    *, flight: Flight, launch_at: dt.datetime | None, by, reason: str = "", now: dt.datetime | None = None
) -> Flight:
    """Give a scrubbed, scheduled or ready flight the launch time operations chose."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if launch_at is None:
        raise InvalidInput("Give the new launch time.", fields={"launch_at": ["This field is required."]})
    if timezone.is_naive(launch_at):
        raise InvalidInput("Give the new launch time with its time zone.", fields={"launch_at": ["No time zone."]})
    launch_at = launch_at.replace(microsecond=0)
    with transaction.atomic():
        flight = _lock_flight(flight)
        if flight.status not in RESCHEDULABLE:
            hint = " Schedule a draft flight instead." if flight.status == Flight.Status.DRAFT else ""
            raise InvalidTransition(
                f"Cannot reschedule flight {flight.code}: it is {flight.get_status_display().lower()}; only a scheduled, "
                f"ready or scrubbed flight gets a new launch time.{hint}"
            )
        if launch_at <= now:
            raise InvalidInput(
                f"The new launch time {spaceport_time_text(launch_at, flight)} is in the past.",
                fields={"launch_at": ["Must be in the future."]},
            )
        if launch_at > now + RESCHEDULE_HORIZON:
            raise InvalidInput(
                f"A new launch time is at most {RESCHEDULE_HORIZON.days} days ahead; {launch_at:%Y-%m-%d} is further.",
                fields={"launch_at": [f"At most {RESCHEDULE_HORIZON.days} days ahead."]},
            )
        if launch_at == flight.launch_at and flight.status != Flight.Status.SCRUBBED:
            raise InvalidInput(
                f"Flight {flight.code} is already planned for {spaceport_time_text(launch_at, flight)}.",
                fields={"launch_at": ["That is the current launch time."]},
            )
        window = next((w for w in flight.launch_windows.prefetch_related("closures") if w.contains(launch_at)), None)
        if window is not None:
            blocking = [c for c in window.closures.all() if c.starts_at <= launch_at <= c.ends_at]
            if blocking:
                closure = blocking[0]
                raise RescheduleRefused(
                    f"Cannot reschedule flight {flight.code} to {spaceport_time_text(launch_at, flight)}: it is inside "
                    f"the collision-avoidance closure {closure.starts_at:%H:%M:%S}-{closure.ends_at:%H:%M:%S} UTC by "
                    f"{closure.norad_id} {closure.object_name}. The next clear second after it is "
                    f"{spaceport_time_text(closure.ends_at + dt.timedelta(seconds=1), flight)}.",
                    fields={"launch_at": ["Inside a collision-avoidance closure."]},
                )
        window_open, window_close = (window.opens_at, window.closes_at) if window else (None, None)
        old_launch_at, was_scrubbed = flight.launch_at, flight.status == Flight.Status.SCRUBBED
        reason = reason or ("Rescheduled after scrub" if was_scrubbed else "Rescheduled by operations")
        _close_open_polls(flight, reason=f"Rescheduled to {launch_at:%Y-%m-%d %H:%M:%S} UTC: {reason}", now=now)
        if was_scrubbed:
            # flight_schedule sends `flight_rescheduled` with the scrub's reason.
            flight = flight_schedule(flight=flight, by=by, launch_at=launch_at, window_open=window_open,
                                     window_close=window_close, reason=reason, now=now)
        else:
            flight.launch_at, flight.window_open, flight.window_close = launch_at, window_open, window_close
            _check_schedulable(flight, now=now)
            # A ready flight goes back to scheduled: its readiness was for the old time. The status change
            # moves the countdown milestones (flights.countdown).
            _flight_set_status(flight=flight, to_status=Flight.Status.SCHEDULED, reason=reason, by=by, now=now,
                               extra_fields=["launch_at", "window_open", "window_close"])
            flight_rescheduled.send(sender=Flight, flight=flight, old_launch_at=old_launch_at, reason=reason, by=by,
                                    now=now, scrubbed=False)
    return flight

