"""Reads of the space traffic app that the API, portal and readiness share (query counts flat)."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet

from flights.traffic import tiers
from flights.traffic.models import (
    ConjunctionDecision,
    ConjunctionEvent,
    ConjunctionUpdate,
    ProtectedObject,
    ScreeningRun,
)


def event_queryset() -> QuerySet[ConjunctionEvent]:
    """Events with their protected object, flight and decisions loaded (decision state needs them)."""
    return ConjunctionEvent.objects.select_related(
        "protected__flight__spaceport", "protected__flight__flight_director", "protected__flight__vehicle__model"
    ).prefetch_related(
        Prefetch("decisions", queryset=ConjunctionDecision.objects.select_related("signer").order_by("signed_at", "id"))
    )


def event_with_updates(pk: int) -> ConjunctionEvent:
    return event_queryset().prefetch_related(
        Prefetch("updates", queryset=ConjunctionUpdate.objects.select_related("received_by").order_by("received_at", "id"))
    ).get(pk=pk)


def open_events_for_flight(flight) -> list[ConjunctionEvent]:
    return list(event_queryset().filter(protected__flight=flight, status=ConjunctionEvent.Status.OPEN).order_by("tca"))


def protected_objects_for_flight(flight) -> QuerySet[ProtectedObject]:
    return ProtectedObject.objects.filter(flight=flight, is_active=True)


def latest_finished_screening(*, now) -> ScreeningRun | None:
    """The on-orbit screening run that finished last by `now` (done or failed)."""
    return (
        ScreeningRun.objects.filter(status__in=[ScreeningRun.Status.DONE, ScreeningRun.Status.FAILED], finished_at__lte=now)
        .order_by("-finished_at", "-id")
        .first()
    )


def latest_screening() -> ScreeningRun | None:
    """The newest run, whatever its state (the board's "last screening" line)."""
    return ScreeningRun.objects.order_by("-requested_at", "-id").first()
def open_event_counts() -> dict[str, int]:
    """Open red and yellow events, and how many of them no decision answers yet (services.current_decision's
    rule: signed for the event's present tier since it took that tier), in one query for the role homes."""
    answered = ConjunctionDecision.objects.filter(
        event=OuterRef("pk"), tier=OuterRef("tier"), signed_at__gte=OuterRef("tier_since")
    )
    rows = (
        ConjunctionEvent.objects.filter(status=ConjunctionEvent.Status.OPEN, tier__in=(tiers.RED, tiers.YELLOW))
        .annotate(answered=Exists(answered))
        .values_list("tier", "answered")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {tiers.RED: 0, tiers.YELLOW: 0, "undecided": 0}
    for tier, is_answered, n in rows:
        counts[tier] += n
        if not is_answered:
            counts["undecided"] += n
    return counts
