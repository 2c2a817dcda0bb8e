"""Reads of verification evidence that others reuse: record reviews, certification, the sign-off queue.

Nothing here trusts a stored status alone: a sign-off counts only while its hashes still match the
record and itself, recomputed on every read, so a change by any path (even raw SQL) voids it wherever
it is shown and takes the vehicle's certification with it. The one memo (vehicle_certification_answer,
for the booking and scheduling decisions) is keyed on the database's own hash of every row it reads, so
the same holds for it: a changed row is a new key, and the answer is computed again in full.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Prefetch, QuerySet

from flights.models import Vehicle
from verification.hashing import DOCUMENT_VERSION, SignOffCheck, check_signoff, record_hash, sha256_hex
from verification.models import (
    GENESIS_HASH,
    Anomaly,
    Mishap,
    SignOff,
    TestObjective,
    VerificationFlight,
)

Kind = VerificationFlight.Kind
Status = VerificationFlight.Status


def record_queryset(*, people: bool = True) -> QuerySet[VerificationFlight]:
    """Records with everything their hash and review need, in a fixed number of queries. `people=False`:
    without the accounts that entered, edited and signed them (the hashes and the rules read only their
    ids; pages name them), for the decisions that ask only whether a vehicle is certified."""
    if not people:
        return VerificationFlight.objects.select_related("flight", "vehicle").prefetch_related(
            "occupants", "objectives", "anomalies", "attachments",
            Prefetch("signoffs", queryset=SignOff.objects.order_by("sequence")),
        )
    return VerificationFlight.objects.select_related(
        "flight__spaceport", "vehicle__model", "created_by", "last_edited_by"
    ).prefetch_related(
        "occupants",
        Prefetch("objectives", queryset=TestObjective.objects.select_related("entered_by", "last_edited_by")),
        Prefetch("anomalies", queryset=Anomaly.objects.select_related("entered_by", "last_edited_by")),
        "attachments",
        Prefetch("signoffs", queryset=SignOff.objects.select_related("signer", "voided_by").order_by("sequence")),
    )


def required_signatures(record: VerificationFlight) -> int:
    """Crewed flights, and any flight with a critical or catastrophic anomaly, need two directors."""
    if record.kind == Kind.CREWED or any(anomaly.is_serious for anomaly in record.anomalies.all()):
        return 2
    return 1


@dataclass(frozen=True)
class SignOffView:
    signoff: SignOff
    check: SignOffCheck


@dataclass
class RecordReview:
    """A record with its current hash, each sign-off's validity, and whether it counts as evidence."""

    record: VerificationFlight
    current_hash: str  # in the current canonical form: what a new signature covers
    signoffs: list[SignOffView]
    required_signatures: int
    reasons: list[str] = field(default_factory=list)  # why it does not count towards certification
    hashes: dict[int, str] = field(default_factory=dict)  # the record's hash now, by document version

    def hash_now_for(self, signoff: SignOff) -> str:
        """The record's hash now in the canonical form this sign-off used (its stored record hash must match)."""
        return self.hashes[signoff.document_version]

    @property
    def counts(self) -> bool:
        return not self.reasons

    @property
    def live_signoffs(self) -> list[SignOffView]:
        return [view for view in self.signoffs if view.signoff.voided_at is None]

    @property
    def valid_approvers(self) -> set[int]:
        return {
            view.signoff.signer_id
            for view in self.signoffs
            if view.check.valid and view.signoff.decision == SignOff.Decision.APPROVE
        }

    @property
    def approvals_needed(self) -> int:
        return max(self.required_signatures - len(self.valid_approvers), 0)

    @property
    def void_signoffs(self) -> list[SignOffView]:
        """Live sign-offs that no longer stand (tampering); voided-by-reopen ones are history, not alarms."""
        return [view for view in self.live_signoffs if not view.check.valid]


def _previous_hashes(signoffs: Iterable[SignOff]) -> dict[int, str]:
    wanted = {s.sequence - 1 for s in signoffs if s.sequence > 1}
    found = dict(SignOff.objects.filter(sequence__in=wanted).values_list("sequence", "signoff_hash")) if wanted else {}
    found[0] = GENESIS_HASH
    return found


def record_reviews(records: Iterable[VerificationFlight]) -> list[RecordReview]:
    """Review records loaded with record_queryset(): one extra query for the chain links, however many."""
    records = list(records)
    previous = _previous_hashes(s for record in records for s in record.signoffs.all())
    reviews = []
    for record in records:
        current = record_hash(record)
        hashes = {DOCUMENT_VERSION: current}
        for signoff in record.signoffs.all():  # an old signature is checked in the form it was made in
            if signoff.document_version not in hashes:
                hashes[signoff.document_version] = record_hash(record, version=signoff.document_version)
        views = [
            SignOffView(
                signoff,
                check_signoff(
                    signoff, current_record_hash=hashes[signoff.document_version],
                    previous_hash=previous.get(signoff.sequence - 1, ""),  # a missing link never matches
                ),
            )
            for signoff in record.signoffs.all()
        ]
        review = RecordReview(record, current, views, required_signatures(record), hashes=hashes)
        review.reasons = _evidence_problems(review)
        reviews.append(review)
    return reviews


def record_review(record: VerificationFlight) -> RecordReview:
    return record_reviews([record])[0]


def _evidence_problems(review: RecordReview) -> list[str]:
    """The rules for a verification flight to count (DESIGN.md): signed off (approve) by enough directors
    with signatures that still stand, no failed objective, a partial one only with a written flight
    rationale, and no critical or catastrophic anomaly left open."""
    record, problems = review.record, []
    if record.status != Status.SIGNED_OFF:
        problems.append(f"not signed off (it is {record.get_status_display().lower()})")
    for view in review.void_signoffs:
        problems.append(f"the sign-off by {view.signoff.signer_name} is void: {view.check.problem}")
    if record.status == Status.SIGNED_OFF and review.approvals_needed:
        problems.append(
            f"{len(review.valid_approvers)} of {review.required_signatures} required director sign-offs stand"
        )
    for objective in record.objectives.all():
        if objective.result == TestObjective.Result.FAIL:
            problems.append(f"objective {objective.sequence} failed")
        elif objective.result == TestObjective.Result.PARTIAL and not objective.flight_rationale.strip():
            problems.append(f"objective {objective.sequence} is partial without a written flight rationale")
        elif objective.result == TestObjective.Result.PENDING:
            problems.append(f"objective {objective.sequence} has no result")
    for anomaly in record.anomalies.all():
        if anomaly.blocks_approval:
            problems.append(f"{anomaly.get_severity_display().lower()} anomaly “{anomaly.title}” is open")
    return problems


# --- Mishaps and certification ---------------------------------------------------------------------


@dataclass
class MishapState:
    """A mishap is resolved when its investigation's corrective actions are all closed (at least one)
    and an uncrewed verification flight launched after it counts as evidence (return to flight)."""

    mishap: Mishap
    open_actions: list
    action_count: int
    return_to_flight: RecordReview | None

    @property
    def resolved(self) -> bool:
        return not self.problems

    @property
    def problems(self) -> list[str]:
        problems = []
        if not self.action_count:
            problems.append("no corrective actions recorded yet")
        elif self.open_actions:
            problems.append(f"{len(self.open_actions)} of {self.action_count} corrective actions still open")
        if self.return_to_flight is None:
            problems.append("no uncrewed return-to-flight verification flight signed off since")
        return problems

    @property
    def summary(self) -> str:
        mishap = self.mishap
        text = f"Mishap on flight {mishap.flight.code} ({mishap.occurred_at:%Y-%m-%d})"
        return text + (": resolved." if self.resolved else ": " + "; ".join(self.problems) + ".")


def _mishap_states(mishaps: Iterable[Mishap], reviews: list[RecordReview]) -> list[MishapState]:
    states = []
    for mishap in mishaps:
        actions = list(mishap.corrective_actions.all())
        rtf = next(
            (
                review for review in sorted(reviews, key=_flown_order)
                if review.record.kind == Kind.UNCREWED and review.counts
                and review.record.flight_id != mishap.flight_id
                and review.record.launched_at and review.record.launched_at > mishap.occurred_at
            ),
            None,
        )
        states.append(MishapState(mishap, [a for a in actions if a.status == a.Status.OPEN], len(actions), rtf))
    return states


class CertificationState:
    UNCERTIFIED = "uncertified"
    UNCREWED_PHASE_COMPLETE = "uncrewed_phase_complete"
    CERTIFIED_FOR_PASSENGERS = "certified_for_passengers"
    LABELS = {
        UNCERTIFIED: "Uncertified",
        UNCREWED_PHASE_COMPLETE: "Uncrewed phase complete",
        CERTIFIED_FOR_PASSENGERS: "Certified for passengers",
    }


@dataclass
class Evidence:
    """One verification flight of the vehicle and whether it counts, with every reason it does not."""

    review: RecordReview
    reasons: list[str]

    @property
    def record(self) -> VerificationFlight:
        return self.review.record

    @property
    def counts(self) -> bool:
        return not self.reasons


class _StateWords:
    """What a certification state means, for anything with a `state`."""

    state: str

    @property
    def state_label(self) -> str:
        return CertificationState.LABELS[self.state]

    @property
    def certified_for_passengers(self) -> bool:
        return self.state == CertificationState.CERTIFIED_FOR_PASSENGERS

    @property
    def uncrewed_phase_complete(self) -> bool:
        return self.state in (CertificationState.UNCREWED_PHASE_COMPLETE, CertificationState.CERTIFIED_FOR_PASSENGERS)


@dataclass
class Certification(_StateWords):
    """What the evidence says about a vehicle: never typed in, always derived."""

    vehicle: Vehicle
    state: str
    uncrewed_required: int
    uncrewed_counted: int
    crewed_required: int
    crewed_counted: int
    evidence: list[Evidence]
    blockers: list[str]
    mishaps: list[MishapState]

    @property
    def shortfall(self) -> list[str]:
        """What is missing for the next state, in words."""
        missing = list(self.blockers)
        if self.uncrewed_counted < self.uncrewed_required:
            missing.append(
                f"{self.uncrewed_counted} of {self.uncrewed_required} uncrewed verification flights count"
            )
        if self.crewed_counted < self.crewed_required:
            missing.append(f"{self.crewed_counted} of {self.crewed_required} crewed verification flights count")
        if not missing and not self.certified_for_passengers:
            missing.append("no verification flight counts yet (14 CFR 460.17 needs at least one)")
        return missing


def _flown_order(review: RecordReview):
    record = review.record
    return (record.launched_at or dt.datetime.max.replace(tzinfo=dt.UTC), record.pk)


def certification_from(vehicle: Vehicle, reviews: list[RecordReview], mishaps: list[Mishap]) -> Certification:
    """Apply the certification rules to loaded evidence (see README, "Verification and certification").

    - An open critical or catastrophic anomaly on any of the vehicle's records, or a mishap whose
      return-to-flight conditions are not met, leaves the vehicle uncertified.
    - After a mishap, the evidence flown before it counts again once the mishap is resolved (corrective
      actions closed and an uncrewed return-to-flight verification flight signed off); until then none
      of it does.
    - The uncrewed phase is complete with the model's required number of counting uncrewed flights;
      a crewed flight counts only if it launched after the uncrewed phase was complete.
    - Certified for passengers: the uncrewed phase complete, the required counting crewed flights, and
      at least one counting verification flight in all (a model requiring none still needs one).
    """
    model = vehicle.model
    reviews = sorted(reviews, key=_flown_order)
    mishap_states = _mishap_states(mishaps, reviews)
    unresolved = [state for state in mishap_states if not state.resolved]
    blockers = [state.summary for state in unresolved]
    for review in reviews:
        for anomaly in review.record.anomalies.all():
            if anomaly.blocks_approval:
                blockers.append(
                    f"{anomaly.get_severity_display()} anomaly “{anomaly.title}” on {review.record.flight.code} is open"
                )
    first_unresolved = min((state.mishap.occurred_at for state in unresolved), default=None)

    evidence, uncrewed, crewed = [], [], []
    for review in reviews:
        record, reasons = review.record, list(review.reasons)
        if not reasons and first_unresolved and record.launched_at <= first_unresolved:
            reasons.append("flown before a mishap whose return-to-flight conditions are not met")
        if not reasons and record.kind == Kind.CREWED:
            needed = model.required_uncrewed_flights
            if needed and (len(uncrewed) < needed or record.launched_at <= uncrewed[needed - 1].record.launched_at):
                reasons.append("flown before the uncrewed phase was complete")
        item = Evidence(review, reasons)
        evidence.append(item)
        if item.counts:
            (crewed if record.kind == Kind.CREWED else uncrewed).append(item)

    state = CertificationState.UNCERTIFIED
    if not blockers and len(uncrewed) >= model.required_uncrewed_flights:
        state = CertificationState.UNCREWED_PHASE_COMPLETE
        if len(crewed) >= model.required_crewed_flights and uncrewed + crewed:
            state = CertificationState.CERTIFIED_FOR_PASSENGERS
    return Certification(
        vehicle=vehicle,
        state=state,
        uncrewed_required=model.required_uncrewed_flights,
        uncrewed_counted=len(uncrewed),
        crewed_required=model.required_crewed_flights,
        crewed_counted=len(crewed),
        evidence=evidence,
        blockers=blockers,
        mishaps=mishap_states,
    )


def vehicle_certifications(vehicles: Iterable[Vehicle], *, people: bool = True) -> dict[int, Certification]:
    """Certification of many vehicles in a fixed number of queries (vehicles need `model` loaded); `people`
    as record_queryset's."""
    vehicles = list(vehicles)
    ids = [vehicle.pk for vehicle in vehicles]
    reviews_by_vehicle = defaultdict(list)
    for review in record_reviews(record_queryset(people=people).filter(vehicle_id__in=ids)):
        reviews_by_vehicle[review.record.vehicle_id].append(review)
    mishaps_by_vehicle = defaultdict(list)
    for mishap in Mishap.objects.filter(vehicle_id__in=ids).select_related("flight").prefetch_related(
        "corrective_actions"
    ):
        mishaps_by_vehicle[mishap.vehicle_id].append(mishap)
    return {
        vehicle.pk: certification_from(vehicle, reviews_by_vehicle[vehicle.pk], mishaps_by_vehicle[vehicle.pk])
        for vehicle in vehicles
    }


def vehicle_certification_get(vehicle: Vehicle, *, people: bool = True) -> Certification:
    """The vehicle's certification state with the evidence list behind it (`people` as record_queryset's)."""
    return vehicle_certifications([vehicle], people=people)[vehicle.pk]


# --- The decisions' answer, memoised on a fingerprint of the evidence -------------------------------


@dataclass(frozen=True)
class CertificationAnswer(_StateWords):
    """What a decision (may this flight take bookings? be scheduled?) reads of a vehicle's certification: its
    state and, in words, what it lacks for the next one."""

    state: str
    shortfall: tuple[str, ...]


# vehicle id -> (fingerprint, answer), in this process only: nothing shared that another host could poison.
_answers: dict[int, tuple[str, CertificationAnswer]] = {}
_fingerprint_broken = False  # the database function failed (code deployed before its migration): compute in full

logger = logging.getLogger(__name__)


def evidence_fingerprint(vehicle_id: int) -> str | None:
    """The SHA-256 of every row `vehicle_id`'s certification is computed from (the database function
    verification_evidence_fingerprint, migrations 0005 and 0006, lists them), with the signing keys seals are
    verified with; None where there is none (only PostgreSQL has the function)."""
    if connection.vendor != "postgresql" or _fingerprint_broken:
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT verification_evidence_fingerprint(%s)", [vehicle_id])
        (rows,) = cursor.fetchone()
    keys = sha256_hex(repr(sorted(settings.SIGNOFF_KEYS)).encode()) + f"/v{DOCUMENT_VERSION}"
    return f"{rows}/{keys}"


def _answer_of(certification: Certification) -> CertificationAnswer:
    return CertificationAnswer(certification.state, tuple(certification.shortfall))


def _answer_in_one_snapshot(vehicle_id: int) -> CertificationAnswer | None:
    """Fingerprint and certification read in one REPEATABLE READ transaction, so the answer is exactly that of
    the rows fingerprinted, whatever commits meanwhile (two fingerprints around a computation in READ COMMITTED
    would not prove it: rows can change and change back between them). The vehicle and its model are read in the
    same snapshot, never taken from the caller's older copy. Only outside a transaction (it opens its own)."""
    global _fingerprint_broken
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")  # the transaction's first statement
            fingerprint = evidence_fingerprint(vehicle_id)
            vehicle = Vehicle.objects.select_related("model").get(pk=vehicle_id)
            answer = _answer_of(vehicle_certification_get(vehicle, people=False))
    except DatabaseError:
        _fingerprint_broken = True
        logger.exception("The evidence fingerprint failed (is migration verification 0006 applied?): every "
                         "certification answer is computed in full until this process restarts.")
        return None
    if fingerprint is None:
        return None
    _answers[vehicle_id] = (fingerprint, answer)
    return answer


def certification_answers_prepare(vehicle_ids) -> None:
    """Before a decision's transaction (a hold locks its flight, then asks): compute and keep, in one snapshot,
    the answer of each vehicle that has none kept, so the decision pays one query for it."""
    if connection.vendor != "postgresql" or _fingerprint_broken or connection.in_atomic_block:
        return
    for vehicle_id in set(vehicle_ids) - set(_answers):
        _answer_in_one_snapshot(vehicle_id)


def vehicle_certification_answer(vehicle: Vehicle) -> CertificationAnswer:
    """The vehicle's certification as vehicle_certification_get computes it from the records (every hash,
    seal and sign-off checked), memoised on the evidence's fingerprint: asked again while not one row it
    reads has changed, the answer costs one query; after any change it is computed again in full.

    Certification is a function of those rows alone (and the signing keys, part of the fingerprint), so an
    answer computed from exactly the fingerprinted rows is the answer for as long as the fingerprint holds.
    Answers are kept only when computed in one snapshot with their fingerprint (`_answer_in_one_snapshot`):
    outside a transaction here, or beforehand by `certification_answers_prepare`. Inside a transaction a changed
    fingerprint means a full computation, as before the memo, and the stale answer is dropped."""
    before = evidence_fingerprint(vehicle.pk)
    if before is None:
        return _answer_of(vehicle_certification_get(vehicle, people=False))
    kept = _answers.get(vehicle.pk)
    if kept is not None and kept[0] == before:
        return kept[1]
    _answers.pop(vehicle.pk, None)
    computed = None if connection.in_atomic_block else _answer_in_one_snapshot(vehicle.pk)
    return computed or _answer_of(vehicle_certification_get(vehicle, people=False))


def forget_certification_answers() -> None:
    """Drop every memoised answer (tests, so that none outlives the code or settings it was computed with)."""
    global _fingerprint_broken
    _answers.clear()
    _fingerprint_broken = False


def vehicle_unresolved_mishaps(vehicle: Vehicle) -> list[MishapState]:
    return [state for state in vehicle_certification_get(vehicle).mishaps if not state.resolved]


# --- Portal and API lists --------------------------------------------------------------------------


def signoff_queue(records: QuerySet[VerificationFlight] | None = None) -> QuerySet[VerificationFlight]:
    """Records waiting for a director's signature, oldest submission first (of `records`, e.g. filtered)."""
    records = record_queryset() if records is None else records
    return records.filter(status=Status.IN_REVIEW).order_by("status_changed_at", "id")


def vehicle_list() -> QuerySet[Vehicle]:
    return Vehicle.objects.select_related("model", "home_spaceport").exclude(status=Vehicle.Status.RETIRED)
