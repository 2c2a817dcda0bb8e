"""The launch-day Go/No-Go poll: opened by the flight director, answered by every position, declared
GO (and the flight launched) only when every position and every automated check is GO. A scrub records
its reason, closes the poll, and puts the same flight on its next clear launch opportunity."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from flights import registry, roles, services
from flights.exceptions import DomainError, InvalidInput, NotAllowed
from flights.models import Flight, GoNoGoPoll, PollVote, Position, PositionAssignment, Verdict
from flights.readiness import flight_findings, readiness_report_create
from flights.rescheduling import RECYCLE_MARGIN, ScrubOutcome, flight_scrub_recycle, next_launch_opportunity  # noqa: F401  (re-exported)
from flights.statemachine import require_transition

POLL_VALID_FOR = dt.timedelta(hours=2)  # a GO poll authorises liftoff for this long


class PollRefused(DomainError):
    code = "poll_refused"


def _is_director(user, flight: Flight) -> bool:
    return user == flight.flight_director or roles.user_has_role(user, roles.FLIGHT_DIRECTOR)


def _lock(flight: Flight) -> Flight:
    return (
        Flight.objects.select_for_update(of=("self",))
        .select_related("vehicle__model", "spaceport", "itinerary", "flight_director")
        .get(pk=flight.pk)
    )


def poll_open(*, flight: Flight, by, now: dt.datetime | None = None) -> GoNoGoPoll:
    now = now or timezone.now()
    with transaction.atomic():
        flight = _lock(flight)
        if not _is_director(by, flight):
            raise NotAllowed("Only the flight director opens the Go/No-Go poll.")
        if flight.status not in (Flight.Status.SCHEDULED, Flight.Status.READY):
            raise PollRefused(f"Flight {flight} is {flight.get_status_display().lower()}: there is nothing to poll.")
        if flight.polls.filter(status=GoNoGoPoll.Status.OPEN).exists():
            raise PollRefused(f"A poll is already open for {flight}.", code="poll_already_open")
        poll = GoNoGoPoll.objects.create(flight=flight, opened_by=by, opened_at=now, launch_at=flight.launch_at)
        readiness_report_create(flight=flight, trigger=f"Go/No-Go poll opened by {by.get_username()}", now=now)
    return poll


def poll_vote(*, poll: GoNoGoPoll, position: str, vote: str, by, comment: str = "", now=None) -> PollVote:
    """The person holding `position` answers GO or NO-GO; answering again replaces the answer."""
    now = now or timezone.now()
    if position not in Position.values:
        raise InvalidInput(f"{position!r} is not a position.", fields={"position": ["Unknown position."]})
    if vote not in (Verdict.GO, Verdict.NO_GO):
        raise InvalidInput("A vote is GO or NO-GO.", fields={"vote": ["Must be go or no_go."]})
    comment = (comment or "").strip()
    if vote == Verdict.NO_GO and not comment:
        raise InvalidInput("Say why the position is NO-GO.", fields={"comment": ["Required with NO-GO."]})
    with transaction.atomic():
        _lock(poll.flight)
        poll = GoNoGoPoll.objects.select_for_update().get(pk=poll.pk)
        if poll.status != GoNoGoPoll.Status.OPEN:
            raise PollRefused(f"The poll is {poll.get_status_display().lower()}: votes are closed.", code="poll_closed")
        holder = PositionAssignment.objects.filter(flight=poll.flight, position=position).first()
        if holder is None or holder.person_id != by.pk:
            raise NotAllowed(
                f"{by.get_username()} does not hold the {Position(position).label} position on {poll.flight}.",
            )
        answer, _ = PollVote.objects.update_or_create(
            poll=poll, position=position,
            defaults={"vote": vote, "voter": by, "comment": comment, "voted_at": now},
        )
    return answer


def poll_board(poll: GoNoGoPoll, *, now: dt.datetime | None = None) -> list[dict]:
    """Every position: who holds it, their answer, and the automated findings they own, as it stands now."""
    flight = poll.flight
    holders = {a.position: a.person for a in PositionAssignment.objects.filter(flight=flight).select_related("person")}
    votes = {v.position: v for v in poll.votes.select_related("voter")}
    findings = flight_findings(flight, now=now)
    rows = []
    for position in Position:
        owned = [f for f in findings if f.position == position]
        vote = votes.get(position.value)
        automated_go = all(f.is_go for f in owned)
        rows.append({
            "position": position.value,
            "label": position.label,
            "holder": holders.get(position.value),
            "vote": vote,
            "findings": owned,
            "automated_go": automated_go,
            "go": bool(vote and vote.vote == Verdict.GO and automated_go),
        })
    return rows


def poll_declare_launch(*, poll: GoNoGoPoll, by, at: dt.datetime | None = None, now=None) -> Flight:
    """GO for launch: refused, with every reason, unless every position and every check is GO."""
    now = now or timezone.now()
    at = at or now
    with transaction.atomic():
        flight = _lock(poll.flight)
        poll = GoNoGoPoll.objects.select_for_update().get(pk=poll.pk)
        if not _is_director(by, flight):
            raise NotAllowed("Only the flight director declares GO for launch.")
        require_transition(poll, GoNoGoPoll.Status.GO, action="declare GO on")
        if poll.launch_at != flight.launch_at:
            raise PollRefused(
                f"This poll was for the attempt at {poll.launch_at:%Y-%m-%d %H:%M:%S} UTC; flight {flight} is now planned "
                f"for {flight.launch_at:%Y-%m-%d %H:%M:%S} UTC. Open a new poll.",
                code="launch_refused",
            )
        board = poll_board(poll, now=now)
        blockers = []
        for row in board:
            if row["holder"] is None:
                blockers.append(f"{row['label']}: no one holds the position.")
            elif row["vote"] is None:
                blockers.append(f"{row['label']}: has not answered.")
            elif row["vote"].vote != Verdict.GO:
                blockers.append(f"{row['label']}: NO-GO ({row['vote'].comment}).")
            blockers.extend(f"{row['label']}: {f.message}" for f in row["findings"] if not f.is_go)
        # The board judged the planned launch time; liftoff is the second of this click (or the `at` given).
        # That second is checked here, always, against the current windows, closures and catalog: this
        # check is not a registry switch that a test or a misconfiguration can turn off.
        blockers.extend(f"Liftoff at {at:%H:%M:%S} UTC: {problem}" for problem in liftoff_problems(flight, at=at))
        if blockers:
            raise PollRefused("Launch refused. " + " ".join(blockers), code="launch_refused")
        poll.status = GoNoGoPoll.Status.GO
        poll.closed_at = now
        poll.save(update_fields=["status", "closed_at"])
        readiness_report_create(flight=flight, trigger=f"GO declared by {by.get_username()}", now=now)
        if flight.status == Flight.Status.SCHEDULED:
            services.flight_mark_ready(flight=flight, by=by, reason="All positions GO", now=now)
        return services.flight_launch(flight=flight, by=by, at=at, now=now)


def poll_scrub(*, poll: GoNoGoPoll, by, reason: str, now: dt.datetime | None = None) -> Flight:
    """Scrub this attempt from the poll: close the poll, then the one scrub service (`flight_scrub_recycle`)
    records the reason, recycles the flight to its next clear opportunity (or leaves it scrubbed awaiting
    a time), and re-checks and tells every passenger once."""
    return poll_scrub_outcome(poll=poll, by=by, reason=reason, now=now).flight


def poll_scrub_outcome(*, poll: GoNoGoPoll, by, reason: str, now: dt.datetime | None = None) -> ScrubOutcome:
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Give the reason for the scrub.", fields={"reason": ["This field is required."]})
    with transaction.atomic():
        flight = _lock(poll.flight)
        poll = GoNoGoPoll.objects.select_for_update().get(pk=poll.pk)
        if not _is_director(by, flight):
            raise NotAllowed("Only the flight director scrubs a launch attempt.")
        require_transition(poll, GoNoGoPoll.Status.SCRUBBED, action="scrub")
        poll.status = GoNoGoPoll.Status.SCRUBBED
        poll.closed_at = now
        poll.scrub_reason = reason
        poll.save(update_fields=["status", "closed_at", "scrub_reason"])
        return flight_scrub_recycle(flight=flight, reason=reason, by=by, now=now)


def require_go_poll(flight: Flight, *, at: dt.datetime, **context) -> str | None:
    """Launch guard: liftoff only after an all-GO poll for this launch attempt, within its validity."""
    poll = flight.polls.filter(status=GoNoGoPoll.Status.GO, launch_at=flight.launch_at).order_by("-closed_at").first()
    if poll is None:
        return f"Flight {flight} has no all-GO poll for this launch attempt."
    if at - poll.closed_at > POLL_VALID_FOR:
        return f"The GO poll of {poll.closed_at:%H:%M} UTC has lapsed (valid {POLL_VALID_FOR}); poll again."
    return None


def liftoff_problems(flight: Flight, *, at: dt.datetime) -> list[str]:
    """Why liftoff cannot happen at the second `at`: outside every computed window, inside a collision-
    avoidance closure, closures not current, or no windows at all (fail closed). Judged as of `at`."""
    from flights.launch_windows import flight_window_status

    return list(flight_window_status(flight, at=at, now=at).problems)


def require_clear_window(flight: Flight, *, at: dt.datetime, **context) -> str | None:
    """Launch guard: inside a computed window, outside every COLA closure, closures current."""
    return " ".join(liftoff_problems(flight, at=at)) or None


registry.launch_guards.register(require_clear_window)
registry.launch_guards.register(require_go_poll)
