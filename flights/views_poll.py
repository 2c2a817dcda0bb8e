"""Launch day in the portal: readiness, the Go/No-Go board that updates in place, votes, GO, scrub."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from flights import poll, readiness, roles
from flights.exceptions import DomainError
from flights.forms import ReasonForm, VoteForm, WaiverForm
from flights.models import Flight, GoNoGoPoll, PositionAssignment


def _flight(pk: int) -> Flight:
    return get_object_or_404(Flight.objects.select_related("vehicle__model", "spaceport", "itinerary", "flight_director"), pk=pk)


def _is_director(user, flight: Flight) -> bool:
    return user == flight.flight_director or roles.user_has_role(user, roles.FLIGHT_DIRECTOR)


def _require_launch_team(user, flight: Flight) -> list[str]:
    """People on the launch team: the director, anyone holding a position, operations. Returns held positions."""
    held = list(PositionAssignment.objects.filter(flight=flight, person=user).values_list("position", flat=True))
    if not (held or _is_director(user, flight) or roles.user_has_role(user, roles.OPERATIONS)):
        raise PermissionDenied("Only the launch team sees the Go/No-Go board.")
    return held


def _board_context(request, flight: Flight) -> dict:
    held = _require_launch_team(request.user, flight)
    current = flight.polls.first()
    rows = poll.poll_board(current) if current else None
    # In flight, the board leads with the return's readiness (undocking, deorbit burn, landing) as it stands,
    # with Waive for the director; the launch poll below it is history.
    in_flight = flight.status == Flight.Status.LAUNCHED
    findings = readiness.flight_findings(flight) if in_flight or not current else None
    return {
        "flight": flight,
        "poll": current,
        "rows": rows,
        "in_flight": in_flight,
        "findings": findings,
        "held_positions": held,
        "is_director": _is_director(request.user, flight),
        "vote_form": VoteForm(positions=held) if held else None,
        "reason_form": ReasonForm(),
        "all_go": bool(rows) and all(row["go"] for row in rows),
    }


@login_required
def poll_board_page(request, pk: int):
    flight = _flight(pk)
    return render(request, "flights/poll_board.html", _board_context(request, flight))


@login_required
def poll_board_partial(request, pk: int):
    flight = _flight(pk)
    return render(request, "flights/_poll_board.html", _board_context(request, flight))


def _act(request, flight: Flight, action, success: str):
    try:
        action()
        messages.success(request, success)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("flights:poll-board", args=[flight.pk]))


@login_required
@require_POST
def poll_open_view(request, pk: int):
    flight = _flight(pk)
    return _act(request, flight, lambda: poll.poll_open(flight=flight, by=request.user), "Poll open: positions, report GO or NO-GO.")


@login_required
@require_POST
def poll_vote_view(request, pk: int, poll_id: int):
    flight = _flight(pk)
    held = _require_launch_team(request.user, flight)
    the_poll = get_object_or_404(GoNoGoPoll, pk=poll_id, flight=flight)
    form = VoteForm(request.POST, positions=held)
    if not form.is_valid():
        messages.error(request, "Choose your position and GO or NO-GO.")
        return redirect(reverse("flights:poll-board", args=[flight.pk]))
    data = form.cleaned_data
    return _act(
        request, flight,
        lambda: poll.poll_vote(poll=the_poll, position=data["position"], vote=data["vote"], comment=data["comment"], by=request.user),
        "Your answer is recorded.",
    )


@login_required
@require_POST
def poll_declare_view(request, pk: int, poll_id: int):
    flight = _flight(pk)
    the_poll = get_object_or_404(GoNoGoPoll, pk=poll_id, flight=flight)
    return _act(request, flight, lambda: poll.poll_declare_launch(poll=the_poll, by=request.user), "GO for launch. Liftoff recorded.")


@login_required
@require_POST
def poll_scrub_view(request, pk: int, poll_id: int):
    flight = _flight(pk)
    the_poll = get_object_or_404(GoNoGoPoll, pk=poll_id, flight=flight)
    reason = request.POST.get("reason", "")
    if request.POST.get("confirm") != "yes":  # the portal's scrub asks for an explicit confirmation (issue 14)
        messages.error(request, "Tick the confirmation to scrub: nothing was scrubbed.")
        return redirect(reverse("flights:poll-board", args=[flight.pk]))
    try:
        outcome = poll.poll_scrub_outcome(poll=the_poll, by=request.user, reason=reason)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        # The one scrub service says where the flight went: its new time, or why it waits for one.
        (messages.success if outcome.recycled else messages.warning)(request, outcome.message)
    return redirect(reverse("flights:poll-board", args=[flight.pk]))


@login_required
@require_POST
def waiver_view(request, pk: int):
    flight = _flight(pk)
    form = WaiverForm(request.POST)
    if not form.is_valid():
        messages.error(request, "A waiver needs the finding and a written reason.")
        return redirect(reverse("flights:poll-board", args=[flight.pk]))
    data = form.cleaned_data
    return _act(request, flight, lambda: readiness.waiver_grant(flight=flight, check_key=data["check_key"], reason=data["reason"], by=request.user),
                "Waiver recorded.")
