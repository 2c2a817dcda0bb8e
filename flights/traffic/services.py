"""Writes of the space traffic app: CDM import (events and updates), alerts, decisions, closing.

Every write is one transaction: a CDM is imported whole or not at all (event, update, tier and the
outbox rows of its alert together). The protected object's row is locked while an update is matched
to an event, so two copies of one message arriving at once make one event and one update.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from flights import roles
from flights.notifications import notification_queue
from flights.orbits.conjunction.assess import assess_message
from flights.orbits.conjunction.cdm import ConjunctionMessage, parse_cdm, write_cdm
from flights.orbits.conjunction.errors import CdmError
from flights.orbits.conjunction.pc import relative_rtn
from flights.orbits.errors import OrbitError
from flights.traffic import tiers
from flights.traffic.exceptions import (
    CdmRefused,
    DomainError,
    DuplicateMessage,
    ExportRefused,
    InvalidInput,
    NotAllowed,
)
from flights.traffic.models import (
    ConjunctionDecision,
    ConjunctionEvent,
    ConjunctionUpdate,
    CovarianceState,
    ProtectedObject,
    Source,
)


def normalize_designator(value: str) -> str:
    """Catalog numbers compare as numbers ("000025994" is 25994); other designators as written."""
    text = (value or "").strip()
    return str(int(text)) if text.isdigit() else text.upper()


@dataclass(frozen=True)
class Observation:
    """One assessed close approach, from a CDM or from our screening, ready to be recorded."""

    source: str
    protected_designator: str
    other_designator: str
    other_name: str
    tca: dt.datetime
    miss_distance_m: float
    miss_rtn_m: tuple[float, float, float]
    relative_speed_m_s: float
    pc: float | None
    hbr_m: float
    covariance: str
    pc_method: str = ""
    stated_pc: float | None = None
    message_id: str = ""
    originator: str = ""
    created_by_originator_at: dt.datetime | None = None
    plane_miss_m: tuple = ()
    plane_covariance_m2: tuple = ()
    cdm_text: str = ""


@dataclass(frozen=True)
class ImportResult:
    event: ConjunctionEvent
    update: ConjunctionUpdate
    created: bool


def cdm_parse(text: str) -> ConjunctionMessage:
    """Parse a CDM, refusing (400, line and field) what is malformed."""
    if len((text or "").encode("utf-8")) > settings.TRAFFIC_CDM_MAX_BYTES:
        raise CdmRefused(
            f"The CDM is larger than {settings.TRAFFIC_CDM_MAX_BYTES // 1024} KB.", fields={"cdm": ["Too large."]}
        )
    try:
        return parse_cdm(text)
    except CdmError as error:
        field_name = error.field or "cdm"
        raise CdmRefused(
            f"The CDM was refused: {error}.", fields={"cdm": [str(error)], "line": [str(error.line or "")],
                                                    "field": [field_name]},
        ) from None


def observation_from_cdm(message: ConjunctionMessage, *, text: str, hbr_m: float | None = None) -> Observation:
    """Assess a parsed CDM against our protected objects (which of its two objects is ours)."""
    designators = [normalize_designator(message.object1.designator), normalize_designator(message.object2.designator)]
    active = set(
        ProtectedObject.objects.filter(is_active=True, designator__in=designators).values_list("designator", flat=True)
    )
    if not active:
        raise CdmRefused(
            f"Neither object of the CDM ({designators[0]}, {designators[1]}) is a protected object of ours in orbit: "
            "register the vehicle's or station's catalog number first.",
            fields={"cdm": ["No protected object."]},
        )
    ours, theirs = (message.object1, message.object2) if designators[0] in active else (message.object2, message.object1)
    radius = hbr_m or message.hbr_m or settings.TRAFFIC_DEFAULT_HBR_M
    try:
        assessment = assess_message(message, hbr_m=radius)
        miss_rtn, _ = relative_rtn(
            np.asarray(ours.position_km) * 1e3, np.asarray(ours.velocity_km_s) * 1e3,
            np.asarray(theirs.position_km) * 1e3, np.asarray(theirs.velocity_km_s) * 1e3,
        )
    except OrbitError as error:
        raise CdmRefused(f"The CDM cannot be assessed: {error}.", fields={"cdm": [str(error)]}) from None
    result = assessment.pc_result
    if result is None:
        covariance = CovarianceState.NONE
    else:
        covariance = CovarianceState.REMEDIATED if result.remediated else CovarianceState.GIVEN
    return Observation(
        source=Source.CDM,
        protected_designator=normalize_designator(ours.designator),
        other_designator=normalize_designator(theirs.designator),
        other_name=theirs.name if theirs.name != "UNKNOWN" else "",
        tca=message.tca,
        miss_distance_m=assessment.miss_distance_m,
        miss_rtn_m=tuple(float(value) for value in miss_rtn),
        relative_speed_m_s=assessment.relative_speed_m_s,
        pc=assessment.pc,
        hbr_m=radius,
        covariance=covariance,
        pc_method=result.method if result else "",
        stated_pc=message.collision_probability,
        message_id=message.message_id,
        originator=message.originator,
        created_by_originator_at=message.creation_date,
        plane_miss_m=tuple(float(v) for v in result.miss_vector_2d) if result else (),
        plane_covariance_m2=(
            (float(result.covariance_2d[0, 0]), float(result.covariance_2d[0, 1]), float(result.covariance_2d[1, 1]))
            if result else ()
        ),
        cdm_text=text,
    )


def cdm_import(*, text: str, received_by=None, hbr_m: float | None = None, now: dt.datetime | None = None) -> ImportResult:
    """Import one CDM: create or update its event, keep the update, set the tier, alert on a climb."""
    message = cdm_parse(text)
    if hbr_m is not None and not hbr_m > 0:
        raise InvalidInput("The hard-body radius must be positive.", fields={"hbr_m": ["Must be positive."]})
    return observation_record(observation=observation_from_cdm(message, text=text, hbr_m=hbr_m),
                              received_by=received_by, now=now)


def observation_record(*, observation: Observation, received_by=None, now: dt.datetime | None = None) -> ImportResult:
    """Record an assessed close approach as an update of its event (created when new)."""
    now = now or timezone.now()
    window = dt.timedelta(minutes=settings.TRAFFIC_SAME_EVENT_MINUTES)
    with transaction.atomic():
        protected = (
            ProtectedObject.objects.select_for_update(of=("self",))
            .select_related("flight__vehicle__model", "flight__flight_director")
            .get(is_active=True, designator=observation.protected_designator)
        )
        thresholds = tiers.thresholds_for(protected.flight.vehicle.model.name)
        tier = tiers.tier_of(pc=observation.pc, miss_rtn_m=observation.miss_rtn_m, thresholds=thresholds)
        event = (
            ConjunctionEvent.objects.select_for_update(of=("self",))
            .filter(
                protected=protected,
                other_designator=observation.other_designator,
                tca__gte=observation.tca - window,
                tca__lte=observation.tca + window,
            )
            .order_by("-status", "-updated_at")  # an open event before a closed one
            .first()
        )
        if event is not None and observation.message_id and event.updates.filter(
            message_id=observation.message_id
        ).exists():
            raise DuplicateMessage(
                f"Message {observation.message_id} was already imported for event {event.pk}.",
                fields={"cdm": ["Already imported."]},
            )
        if event is not None and event.status == ConjunctionEvent.Status.CLOSED and observation.tca > now:
            # Closed at its own TCA, but newer data puts this pair's approach still ahead: that is an approach
            # nobody has answered, so it opens a new event (fail closed) instead of being refused and lost.
            event = None
        created = event is None
        if event is not None and event.status == ConjunctionEvent.Status.CLOSED:
            raise DomainError(
                f"Event {event.pk} for this pair and TCA is closed ({event.outcome}): a closed event takes no updates.",
                code="event_closed",
            )
        superseded = (
            event is not None
            and observation.source == Source.SCREENING
            and event.updates.filter(source=Source.CDM).exists()
        )
        if created:
            event = ConjunctionEvent(protected=protected, created_at=now, alerted_tier="")
            _apply(event, observation, tier, now)
            event.save()
        update = ConjunctionUpdate.objects.create(
            event=event,
            source=observation.source,
            message_id=observation.message_id,
            originator=observation.originator,
            created_by_originator_at=observation.created_by_originator_at,
            received_at=now,
            received_by=received_by,
            tca=observation.tca,
            miss_distance_m=observation.miss_distance_m,
            miss_r_m=observation.miss_rtn_m[0],
            miss_t_m=observation.miss_rtn_m[1],
            miss_n_m=observation.miss_rtn_m[2],
            relative_speed_m_s=observation.relative_speed_m_s,
            pc=observation.pc,
            stated_pc=observation.stated_pc,
            pc_method=observation.pc_method,
            hbr_m=observation.hbr_m,
            covariance=observation.covariance,
            tier=tier,
            plane_miss_m=list(observation.plane_miss_m),
            plane_covariance_m2=list(observation.plane_covariance_m2),
            superseded=superseded,
            cdm_text=observation.cdm_text,
        )
        if not created and not superseded:
            _apply(event, observation, tier, now)
            event.save()
        if not superseded:
            _alert_on_climb(event, now=now)
    return ImportResult(event=event, update=update, created=created)


def _apply(event: ConjunctionEvent, observation: Observation, tier: str, now: dt.datetime) -> None:
    if event.pk is None or event.tier != tier:
        event.tier_since = now
    event.other_designator = observation.other_designator
    event.other_name = observation.other_name or event.other_name
    event.tca = observation.tca
    event.miss_distance_m = observation.miss_distance_m
    event.miss_r_m, event.miss_t_m, event.miss_n_m = observation.miss_rtn_m
    event.relative_speed_m_s = observation.relative_speed_m_s
    event.pc = observation.pc
    event.pc_method = observation.pc_method
    event.hbr_m = observation.hbr_m
    event.covariance = observation.covariance
    event.source = observation.source
    event.tier = tier
    event.updated_at = now


# --- alerts ---------------------------------------------------------------------------------------


def alert_recipients(event: ConjunctionEvent) -> list[str]:
    """The flight's flight director and every operations person with an address, each once."""
    flight = event.protected.flight
    addresses = []
    if flight.flight_director_id and flight.flight_director.email:
        addresses.append(flight.flight_director.email)
    operations = get_user_model().objects.filter(groups__name=roles.OPERATIONS, is_active=True).exclude(email="")
    addresses += list(operations.values_list("email", flat=True).order_by("email"))
    return list(dict.fromkeys(addresses))


def _alert_on_climb(event: ConjunctionEvent, *, now: dt.datetime) -> None:
    """A new yellow or red event, or one that climbs a tier, alerts at once; never twice for one tier."""
    if event.tier == tiers.GREEN or tiers.RANK[event.tier] <= tiers.RANK.get(event.alerted_tier, 0):
        return
    left = event.tca - now
    if left.total_seconds() >= 0:
        hours, rest = divmod(int(left.total_seconds()), 3600)
        time_left = f"{hours} h {rest // 60:02d} min before TCA"
    else:
        time_left = "TCA has passed"
    pc = "no covariance (judged by the screening volume)" if event.pc is None else f"{event.pc:.2e}"
    subject = f"{event.tier.upper()} conjunction: {event.protected.name} and {event.other_name or event.other_designator}"
    body = (
        f"{subject}\n\n"
        f"Flight: {event.protected.flight.code}\n"
        f"TCA: {event.tca.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S} UTC ({time_left})\n"
        f"Probability of collision: {pc} (HBR {event.hbr_m:g} m)\n"
        f"Miss distance: {event.miss_distance_m:.0f} m (radial {event.miss_r_m:.0f} m, in-track {event.miss_t_m:.0f} m, "
        f"cross-track {event.miss_n_m:.0f} m), relative speed {event.relative_speed_m_s:.0f} m/s\n\n"
        f"The flight director records a decision: {settings.SITE_URL}{event.get_absolute_url()}\n"
    )
    for recipient in alert_recipients(event):
        notification_queue(
            dedupe_key=f"traffic:event:{event.pk}:{event.tier}:{recipient}", recipient=recipient, subject=subject,
            body=body,
        )
    event.alerted_tier = event.tier
    event.save(update_fields=["alerted_tier"])


# --- decisions ------------------------------------------------------------------------------------


def current_decision(event: ConjunctionEvent, decisions=None) -> ConjunctionDecision | None:
    """The decision that answers the event's present tier: the latest one signed since the tier last changed."""
    decisions = list(event.decisions.all()) if decisions is None else decisions
    valid = [d for d in decisions if d.tier == event.tier and d.signed_at >= event.tier_since]
    return max(valid, key=lambda d: (d.signed_at, d.pk)) if valid else None


def decision_needed(event: ConjunctionEvent, decisions=None) -> bool:
    return (
        event.status == ConjunctionEvent.Status.OPEN
        and event.tier in (tiers.YELLOW, tiers.RED)
        and current_decision(event, decisions) is None
    )


def default_meaning(kind: str) -> str:
    return {
        ConjunctionDecision.Kind.MONITOR: "I have reviewed this conjunction and decide to keep monitoring it.",
        ConjunctionDecision.Kind.MANOEUVRE: "I have reviewed this conjunction and order the debris avoidance manoeuvre.",
        ConjunctionDecision.Kind.SHELTER: "I have reviewed this conjunction and order the crew to shelter in the capsule.",
    }[kind]


def decision_record(
    *,
    event: ConjunctionEvent,
    signer,
    password: str,
    kind: str,
    reason: str,
    meaning: str,
    manoeuvre_at: dt.datetime | None = None,
    delta_v_m_s: float | None = None,
    shelter_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> ConjunctionDecision:
    """The flight director's signed decision on a yellow or red event (password re-entered)."""
    now = now or timezone.now()
    if not roles.user_has_role(signer, roles.FLIGHT_DIRECTOR):
        raise NotAllowed("Only a flight director records a conjunction decision.")
    flight = event.protected.flight
    if flight.flight_director_id and flight.flight_director_id != signer.pk:
        raise NotAllowed(f"Only this flight's director ({flight.flight_director}) records its conjunction decisions.")
    reason, meaning = (reason or "").strip(), (meaning or "").strip()
    errors = {}
    if kind not in ConjunctionDecision.Kind.values:
        errors["kind"] = [f"Choose one of: {', '.join(ConjunctionDecision.Kind.values)}."]
    if not reason:
        errors["reason"] = ["Give the reason for the decision."]
    if not meaning:
        errors["meaning"] = ["State the meaning of your signature (what you are attesting to)."]
    if kind == ConjunctionDecision.Kind.MANOEUVRE:
        if manoeuvre_at is None:
            errors["manoeuvre_at"] = ["A manoeuvre needs its planned time."]
        elif not now <= manoeuvre_at < event.tca:
            errors["manoeuvre_at"] = ["The manoeuvre must be planned between now and the TCA."]
        if delta_v_m_s is None or not 0 < delta_v_m_s <= 10:
            errors["delta_v_m_s"] = ["A debris avoidance manoeuvre needs a delta-v above 0 and at most 10 m/s."]
    if kind == ConjunctionDecision.Kind.SHELTER:
        if shelter_at is None:
            errors["shelter_at"] = ["Shelter in place needs the time the crew must be in the capsule."]
        elif not shelter_at < event.tca:
            errors["shelter_at"] = ["The crew must be in the capsule before the TCA."]
    if errors:
        raise InvalidInput("The decision is incomplete: " + " ".join(m[0] for m in errors.values()), fields=errors)
    if not password or not signer.check_password(password):  # checked before any lock: hashing is slow
        raise InvalidInput("The password is not correct: re-enter your own password to sign.",
                           fields={"password": ["Incorrect password."]}, code="signature_refused")
    with transaction.atomic():
        event = ConjunctionEvent.objects.select_for_update(of=("self",)).get(pk=event.pk)
        if event.status != ConjunctionEvent.Status.OPEN:
            raise DomainError("The event is closed: it takes no decision.", code="event_closed")
        if event.tier == tiers.GREEN:
            raise DomainError("The event is green: no decision is needed.", code="decision_not_needed")
        if now >= event.tca:
            raise DomainError("The TCA has passed: close the event with what happened instead.", code="tca_passed")
        update = event.updates.filter(superseded=False).order_by("-received_at", "-id").first()
        return ConjunctionDecision.objects.create(
            event=event,
            update=update,
            tier=event.tier,
            kind=kind,
            reason=reason,
            manoeuvre_at=manoeuvre_at if kind == ConjunctionDecision.Kind.MANOEUVRE else None,
            delta_v_m_s=delta_v_m_s if kind == ConjunctionDecision.Kind.MANOEUVRE else None,
            shelter_at=shelter_at if kind == ConjunctionDecision.Kind.SHELTER else None,
            signer=signer,
            signer_name=signer.get_full_name() or signer.get_username(),
            signed_at=now,
            meaning=meaning,
        )


def event_close(*, event: ConjunctionEvent, outcome: str, by, now: dt.datetime | None = None) -> ConjunctionEvent:
    """Close an event after its TCA with what happened (manoeuvre flown, crew sheltered, passed safely...)."""
    now = now or timezone.now()
    if not roles.user_has_any_role(by, (roles.FLIGHT_DIRECTOR, roles.OPERATIONS)):
        raise NotAllowed("Only flight directors and operations close conjunction events.")
    outcome = (outcome or "").strip()
    if not outcome:
        raise InvalidInput("Say what happened.", fields={"outcome": ["This field is required."]})
    with transaction.atomic():
        event = ConjunctionEvent.objects.select_for_update(of=("self",)).get(pk=event.pk)
        if event.status == ConjunctionEvent.Status.CLOSED:
            raise DomainError("The event is already closed.", code="event_closed")
        if now < event.tca:
            raise DomainError("The event closes only after its TCA.", code="tca_ahead")
        event.status = ConjunctionEvent.Status.CLOSED
        event.closed_at = now
        event.outcome = outcome
        event.save(update_fields=["status", "closed_at", "outcome"])
    return event


# --- export ---------------------------------------------------------------------------------------


def event_export_cdm(*, event: ConjunctionEvent, now: dt.datetime | None = None) -> str:
    """The event's latest assessed message as a standard CDM with our Pc, or a refusal with the reason.

    Catalog-only screening has no covariance, and CCSDS 508.0-B-1 makes both objects' covariances
    mandatory: such an event is refused rather than exported with an invented covariance.
    """
    now = now or timezone.now()
    update = event.updates.filter(superseded=False).exclude(cdm_text="").order_by("-received_at", "-id").first()
    if update is None:
        raise ExportRefused(
            "This event comes from our own catalog-only screening: it has no covariance, and a standard CDM "
            "(CCSDS 508.0-B-1) requires one for each object. Export refused; send the screening provider the "
            "element sets instead."
        )
    message = parse_cdm(update.cdm_text)
    if not message.has_covariance:
        raise ExportRefused(
            "The latest message for this event has no covariance, which a standard CDM (CCSDS 508.0-B-1) requires."
        )
    ours = dataclasses.replace(
        message,
        message_id=f"{settings.TRAFFIC_ORIGINATOR}_{event.pk}_{update.pk}_{now:%Y%m%d%H%M%S}",
        originator=settings.TRAFFIC_ORIGINATOR,
        creation_date=now,
        collision_probability=update.pc,
        collision_probability_method=update.pc_method or "FOSTER-1992",
        hbr_m=update.hbr_m,
        comments=(f"Assessed by {settings.TRAFFIC_ORIGINATOR} from {message.originator} message {message.message_id}",),
    )
    return write_cdm(ours)
