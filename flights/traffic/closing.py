"""Closing events after their TCA: the beat's sweep, and the record of what happened.

An event whose TCA has passed (by `TRAFFIC_CLOSE_AFTER_TCA_MINUTES`, so a last-minute message still finds it
open) is closed by the sweep with its outcome in words: the final tier, Pc and miss (the latest update's, as
the event carries them), how many updates came, and the decision that answered the event, or that none did.
A person may close an event sooner with what they know (services.event_close); the sweep leaves a closed
event alone, so running it twice changes nothing. Rows are claimed with SKIP LOCKED: two beats, or a sweep
and a person closing by hand, never close one event twice.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from flights.traffic import tiers
from flights.traffic.models import ConjunctionDecision, ConjunctionEvent
from flights.traffic.services import current_decision

BATCH = 200  # events closed per sweep run; the next run takes the rest


def _utc(moment: dt.datetime) -> str:
    return f"{moment.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S} UTC"


def event_outcome_text(event: ConjunctionEvent, decisions: list[ConjunctionDecision], *, updates: int) -> str:
    """What happened, from the records: the final figures and the decision (or its absence)."""
    pc = (
        "none (no covariance: judged by the screening volume)"
        if event.pc is None
        else (f"{event.pc:.2e} ({event.pc_method or 'method not stated'}, HBR {event.hbr_m:g} m)")
    )
    text = (
        f"TCA {_utc(event.tca)} passed. Final: {event.tier.upper()}, Pc {pc}, miss {event.miss_distance_m:.0f} m "
        f"(radial {event.miss_r_m:.0f} m, in-track {event.miss_t_m:.0f} m, cross-track {event.miss_n_m:.0f} m) "
        f"at {event.relative_speed_m_s:.0f} m/s, after {updates} update{'' if updates == 1 else 's'}."
    )
    decision = current_decision(event, decisions)
    if decision is not None:
        text += (
            f" Decision: {decision.get_kind_display()}, signed by {decision.signer_name} at {_utc(decision.signed_at)}"
        )
        if decision.kind == ConjunctionDecision.Kind.MANOEUVRE:
            text += f" (burn planned {_utc(decision.manoeuvre_at)}, {decision.delta_v_m_s:g} m/s)"
        elif decision.kind == ConjunctionDecision.Kind.SHELTER:
            text += f" (crew in the capsule by {_utc(decision.shelter_at)})"
        text += f": {decision.reason}"
        if event.tier == tiers.RED and not decision.clears_red:
            text += " A red event closed without a manoeuvre or shelter decision."
        return text
    if decisions:
        latest = decisions[-1]
        return text + (
            f" No decision answered the final {event.tier} tier; the last one ({latest.get_kind_display()}, "
            f"{latest.signer_name}, {_utc(latest.signed_at)}) was for {latest.tier}."
        )
    if event.tier in (tiers.YELLOW, tiers.RED):
        return text + f" No decision was recorded for this {event.tier} event."
    return text + " No decision was needed."


def events_close_passed(*, now: dt.datetime | None = None) -> list[int]:
    """Close every open event whose TCA is past by the setting's margin; the ids closed."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=settings.TRAFFIC_CLOSE_AFTER_TCA_MINUTES)
    with transaction.atomic():
        events = list(
            ConjunctionEvent.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=ConjunctionEvent.Status.OPEN, tca__lte=cutoff)
            .order_by("tca", "id")[:BATCH]
        )
        ids = [event.pk for event in events]
        decisions: dict[int, list[ConjunctionDecision]] = {pk: [] for pk in ids}
        for decision in ConjunctionDecision.objects.filter(event_id__in=ids).order_by("signed_at", "id"):
            decisions[decision.event_id].append(decision)
        updates = dict(ConjunctionEvent.objects.filter(pk__in=ids).annotate(n=Count("updates")).values_list("pk", "n"))
        for event in events:
            event.status = ConjunctionEvent.Status.CLOSED
            event.closed_at = now
            event.outcome = event_outcome_text(event, decisions[event.pk], updates=updates[event.pk])
            event.save(update_fields=["status", "closed_at", "outcome"])
    return ids
