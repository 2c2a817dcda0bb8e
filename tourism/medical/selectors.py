"""Reads about medical clearance that other code reuses: who may see what, the gate, the review queue.

Reads of medical content (answers, notes, examinations, documents) go through `medical_record_read`
and `document_content_read`, which check the reader and leave an access-log row for each record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from config.filestore import file_store_refusals
from flights import roles
from flights.formats import moment_text
from flights.models import Flight, Regime
from tourism.medical import crypto
from tourism.medical.exceptions import MedicalAccessDenied
from tourism.medical.models import (
    ClearanceNote,
    HealthSelfCertification,
    MedicalAccessLog,
    MedicalClearance,
    MedicalDocument,
    MedicalExamination,
)
from tourism.medical.registry import passenger_flights

Status = MedicalClearance.Status


# --- Who may see what ------------------------------------------------------------------------------


def is_flight_surgeon(user) -> bool:
    return roles.user_has_role(user, roles.FLIGHT_SURGEON)


def can_read_content(user, clearance: MedicalClearance) -> bool:
    """Answers, notes, examinations and documents: the passenger and flight surgeons, nobody else."""
    if not user.is_authenticated:
        return False
    return clearance.passenger_id == user.pk or is_flight_surgeon(user)


def can_see_status(user) -> bool:
    """Status, validity and restrictions of anyone's clearance: surgeons, flight directors, operations."""
    return is_flight_surgeon(user) or roles.user_has_role(user, roles.FLIGHT_DIRECTOR) or roles.user_has_role(
        user, roles.OPERATIONS
    )


def clearances_visible_to(user) -> QuerySet[MedicalClearance]:
    """Clearances whose status this user may see: their own, or everyone's for the staff roles."""
    clearances = MedicalClearance.objects.select_related("passenger", "decided_by")
    if not user.is_authenticated:
        return clearances.none()
    if can_see_status(user):
        return clearances
    return clearances.filter(passenger=user)


# --- A passenger's clearances -----------------------------------------------------------------------


def clearance_list_for_passenger(user) -> QuerySet[MedicalClearance]:
    return MedicalClearance.objects.filter(passenger=user).select_related("decided_by").order_by("-created_at", "-id")


def clearance_open(user) -> MedicalClearance | None:
    """The questionnaire in progress (draft, submitted, under review, information requested), if any."""
    return MedicalClearance.objects.filter(passenger=user, status__in=MedicalClearance.OPEN_STATUSES).first()


def _standing_clearances() -> QuerySet[MedicalClearance]:
    return (
        MedicalClearance.objects.filter(status__in=(*MedicalClearance.DECISION_STATUSES, Status.EXPIRED))
        .select_related("passenger", "decided_by")
        .prefetch_related(
            Prefetch(
                "examinations",
                queryset=MedicalExamination.objects.filter(outcome=MedicalExamination.Outcome.SATISFACTORY).defer(
                    "findings"
                ),
                to_attr="satisfactory_examinations",
            )
        )
        .order_by("-decided_at", "-id")
    )


def clearance_standing(user) -> MedicalClearance | None:
    """The flight surgeon's latest decision about this passenger that a newer one has not superseded."""
    return _standing_clearances().filter(passenger=user).first()


@dataclass(frozen=True)
class MedicalFacts:
    """What the gate needs about one passenger and flight, loaded ahead for a whole manifest."""

    standing: MedicalClearance | None
    pending: MedicalClearance | None
    certifications: tuple[HealthSelfCertification, ...]


def medical_facts_for(pairs) -> dict[tuple[int, int], MedicalFacts]:
    """`{(passenger id, flight id): MedicalFacts}` for many pairs, in four queries whatever their number."""
    pairs = set(pairs)
    user_ids = {user_id for user_id, _ in pairs}
    flight_ids = {flight_id for _, flight_id in pairs}
    standings: dict[int, MedicalClearance] = {}
    for clearance in _standing_clearances().filter(passenger_id__in=user_ids):
        standings.setdefault(clearance.passenger_id, clearance)  # newest first
    pending: dict[int, MedicalClearance] = {}
    undecided = user_ids - standings.keys()
    if undecided:
        for clearance in MedicalClearance.objects.filter(
            passenger_id__in=undecided, status__in=MedicalClearance.OPEN_STATUSES
        ).order_by("-created_at", "-id"):
            pending.setdefault(clearance.passenger_id, clearance)
    certifications: dict[tuple[int, int], list[HealthSelfCertification]] = {}
    for certification in HealthSelfCertification.objects.filter(passenger_id__in=user_ids, flight_id__in=flight_ids):
        certifications.setdefault((certification.passenger_id, certification.flight_id), []).append(certification)
    return {
        (user_id, flight_id): MedicalFacts(
            standings.get(user_id), pending.get(user_id), tuple(certifications.get((user_id, flight_id), ()))
        )
        for user_id, flight_id in pairs
    }


# --- The gate: may this passenger fly this flight, medically? ---------------------------------------


@dataclass(frozen=True)
class Refusal:
    """One failed condition: a stable code for programs, a sentence for people."""

    code: str
    message: str

    def __str__(self) -> str:
        return self.message


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def flight_local_date(flight: Flight) -> dt.date:
    """The flight date as the spaceport sees it: a clearance must be valid on that day."""
    return flight.launch_at.astimezone(flight.spaceport.tzinfo).date()


def flight_medical_profile(flight: Flight) -> tuple[str, object, bool]:
    """(regime, peak g, physical exam required) from the itinerary, or the vehicle model for flights without one."""
    if flight.itinerary_id:
        itinerary = flight.itinerary
        return itinerary.regime, itinerary.peak_g, itinerary.physical_exam_required
    model = flight.vehicle.model
    return model.regime, model.peak_g, False


def self_certification_window(flight: Flight) -> tuple[dt.datetime, dt.datetime]:
    hours = settings.MEDICAL_SELF_CERTIFICATION_HOURS
    return flight.launch_at - dt.timedelta(hours=hours), flight.launch_at


def clearance_check(
    user, flight: Flight, now: dt.datetime | None = None, *, facts: MedicalFacts | None = None
) -> list[Refusal]:
    """Every medical condition that keeps `user` off `flight`; an empty list means medically eligible.

    The rule (DOMAIN.md): a clearance valid on the flight date whose restrictions admit the flight's
    regime and peak g, the examinations orbital flights need, and a "no change in my health"
    self-certification made in the final 24 hours before launch. `facts`, when given, are this
    passenger's records loaded ahead (`medical_facts_for`), so no query is made.
    """
    now = now or timezone.now()
    name = _name(user)
    label = f"flight {flight.code}" + (f" ({flight.itinerary.name})" if flight.itinerary_id else "")
    standing = facts.standing if facts is not None else clearance_standing(user)
    if standing is None:
        pending = facts.pending if facts is not None else clearance_open(user)
        if pending is not None:
            return [Refusal(
                "clearance_not_decided",
                f"Medical: {name}'s medical questionnaire is {pending.get_status_display().lower()} "
                "and not yet decided by a flight surgeon.",
            )]
        return [Refusal(
            "no_clearance",
            f"Medical: {name} has no medical clearance. Submit the medical questionnaire for a flight surgeon's review.",
        )]
    if standing.status == Status.NOT_CLEARED:
        return [Refusal(
            "not_cleared",
            f"Medical: {name} was not cleared by the flight surgeon on {standing.decided_at:%Y-%m-%d}.",
        )]

    refusals = []
    flight_date = flight_local_date(flight)
    if standing.status == Status.EXPIRED or standing.valid_until < flight_date:
        verb = "expired after" if standing.valid_until < now.date() else "is valid only until"
        refusals.append(Refusal(
            "clearance_not_valid_on_flight_date",
            f"Medical: {name}'s clearance {verb} {standing.valid_until:%Y-%m-%d}, "
            f"but {label} launches on {flight_date:%Y-%m-%d}.",
        ))
    regime, peak_g, exam_required = flight_medical_profile(flight)
    if regime not in standing.allowed_regimes:
        allowed = " or ".join(Regime(r).label.lower() for r in Regime.values if r in standing.allowed_regimes)
        refusals.append(Refusal(
            "regime_restricted",
            f"Medical: {name}'s clearance is restricted to {allowed or 'no'} flights; {label} is {Regime(regime).label.lower()}.",
        ))
    if standing.max_g is not None and standing.max_g < peak_g:
        refusals.append(Refusal(
            "peak_g_exceeds_limit",
            f"Medical: {name}'s clearance allows at most {standing.max_g} g; {label} peaks at {peak_g} g.",
        ))
    kinds = {exam.kind for exam in standing.satisfactory_examinations if exam.performed_on <= flight_date}
    if (regime == Regime.ORBITAL or exam_required) and MedicalExamination.Kind.PHYSICAL not in kinds:
        refusals.append(Refusal(
            "physical_examination_missing",
            f"Medical: {name} has no satisfactory physical examination on record, which {label} requires.",
        ))
    if regime == Regime.ORBITAL and MedicalExamination.Kind.MENTAL_HEALTH not in kinds:
        refusals.append(Refusal(
            "mental_health_evaluation_missing",
            f"Medical: {name} has no satisfactory mental-health evaluation on record, which orbital {label} requires.",
        ))
    opens, closes = self_certification_window(flight)
    if facts is not None:
        certified = any(
            c.clearance_id == standing.pk and opens <= c.certified_at <= min(closes, now) for c in facts.certifications
        )
    else:
        certified = HealthSelfCertification.objects.filter(
            passenger=user, flight=flight, clearance=standing, certified_at__gte=opens, certified_at__lte=min(closes, now)
        ).exists()
    if not certified:
        refusals.append(Refusal(
            "self_certification_missing",
            f"Medical: {name} has not certified “no change in my health” in the "
            f"{settings.MEDICAL_SELF_CERTIFICATION_HOURS} hours before {label} launches "
            f"(it opens {moment_text(opens, flight.spaceport.timezone)}).",
        ))
    return refusals


# --- The flight surgeons' queue -------------------------------------------------------------------


QUEUE_STATUSES = (Status.SUBMITTED, Status.UNDER_REVIEW, Status.INFORMATION_REQUESTED)


@dataclass(frozen=True)
class QueueEntry:
    clearance: MedicalClearance
    next_flight: Flight | None


def review_queue(*, now: dt.datetime | None = None, clearances: QuerySet | None = None) -> list[QueueEntry]:
    """Submissions awaiting a surgeon, soonest flight first; those without a known flight after, oldest first.

    `clearances` (ClearanceFilter's rows) replaces the queue's own statuses with what a surgeon asked for.
    """
    now = now or timezone.now()
    if clearances is None:
        clearances = MedicalClearance.objects.filter(status__in=QUEUE_STATUSES)
    clearances = list(clearances.select_related("passenger", "reviewer", "decided_by").order_by("submitted_at", "id"))
    flights = passenger_flights.upcoming({c.passenger_id for c in clearances}, now=now)
    entries = [QueueEntry(c, (flights.get(c.passenger_id) or [None])[0]) for c in clearances]
    far_future = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(entries, key=lambda e: e.next_flight.launch_at if e.next_flight else far_future)


# --- Reading medical content, logged ---------------------------------------------------------------


@dataclass(frozen=True)
class MedicalRecord:
    clearance: MedicalClearance
    answers: dict
    notes: list[ClearanceNote]
    examinations: list[MedicalExamination]
    documents: list[MedicalDocument]


def medical_record_read(*, clearance: MedicalClearance, reader, channel: str, path: str = "") -> MedicalRecord:
    """The content of a clearance for someone allowed to read it; each record read is logged."""
    from tourism.medical.services import access_log_record

    if not can_read_content(reader, clearance):
        raise MedicalAccessDenied("Only the passenger and flight surgeons may read a medical record.")
    questionnaire = clearance.questionnaire
    notes = list(clearance.notes.select_related("author"))
    examinations = list(clearance.examinations.select_related("examiner"))
    documents = list(clearance.documents.select_related("uploaded_by"))
    Type = MedicalAccessLog.RecordType
    access_log_record(
        reader=reader,
        clearance=clearance,
        records=[(Type.QUESTIONNAIRE, questionnaire.pk)]
        + [(Type.NOTE, note.pk) for note in notes]
        + [(Type.EXAMINATION, exam.pk) for exam in examinations]
        + [(Type.DOCUMENT, document.pk) for document in documents],
        channel=channel,
        path=path,
    )
    return MedicalRecord(clearance, questionnaire.answers, notes, examinations, documents)


def content_records_read(*, clearance: MedicalClearance, reader, record_type: str, records: list, channel: str, path: str = ""):
    """Log the read of already-fetched records of one kind (an API page of notes, say) and return them."""
    from tourism.medical.services import access_log_record

    if not can_read_content(reader, clearance):
        raise MedicalAccessDenied("Only the passenger and flight surgeons may read a medical record.")
    access_log_record(
        reader=reader, clearance=clearance, records=[(record_type, record.pk) for record in records],
        channel=channel, path=path,
    )
    return records


def questionnaire_answers_read(*, clearance: MedicalClearance, reader, channel: str, path: str = "") -> dict:
    """Only the answers (a questionnaire step being edited); logged like any other read."""
    from tourism.medical.services import access_log_record

    if not can_read_content(reader, clearance):
        raise MedicalAccessDenied("Only the passenger and flight surgeons may read a medical questionnaire.")
    questionnaire = clearance.questionnaire
    access_log_record(
        reader=reader, clearance=clearance, records=[(MedicalAccessLog.RecordType.QUESTIONNAIRE, questionnaire.pk)],
        channel=channel, path=path,
    )
    return questionnaire.answers


def document_content_read(*, document: MedicalDocument, reader, channel: str, path: str = "") -> bytes:
    """The decrypted bytes of a document, for the passenger or a flight surgeon; the download is logged."""
    from tourism.medical.services import access_log_record

    if not can_read_content(reader, document.clearance):
        raise MedicalAccessDenied("Only the passenger and flight surgeons may read a medical document.")
    with (
        file_store_refusals(
            unreachable="The file store did not answer, so the document cannot be shown now: try again in a minute.",
            missing="This document's file is not in the file store (its record is kept): tell operations.",
        ),
        document.file.open("rb") as handle,
    ):
        token = handle.read()
    content = crypto.decrypt_bytes(token)
    access_log_record(
        reader=reader,
        clearance=document.clearance,
        records=[(MedicalAccessLog.RecordType.DOCUMENT, document.pk)],
        channel=channel,
        path=path,
        action=MedicalAccessLog.Action.DOWNLOAD,
    )
    return content


def access_log_for_clearance(clearance: MedicalClearance) -> QuerySet[MedicalAccessLog]:
    return clearance.access_logs.select_related("accessed_by")
