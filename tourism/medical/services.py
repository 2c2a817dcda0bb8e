"""Every write to a medical clearance: one function per step of the lifecycle, one door per change.

Each locks the clearance row before it checks anything, moves the state machine through the
transition table, keeps a status-change row (and simple-history), and refuses with a DomainError whose
message names the record and the reason. Emails go out through Celery after the commit, and say
nothing medical: the passenger reads the details after logging in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from config.filestore import file_store_refusals
from flights.exceptions import InvalidInput
from flights.models import Flight, Regime
from flights.statemachine import require_transition
from tourism.medical import crypto, questionnaire, selectors
from tourism.medical.exceptions import ClearanceConflict, InvalidDocument, MedicalAccessDenied, SelfCertificationRefused
from tourism.medical.models import (
    ClearanceNote,
    ClearanceStatusChange,
    HealthSelfCertification,
    MedicalAccessLog,
    MedicalClearance,
    MedicalDocument,
    MedicalExamination,
    MedicalQuestionnaire,
)
from tourism.medical.registry import passenger_flights

Status = MedicalClearance.Status

# What a supporting document may be, told by its first bytes rather than its name or declared type.
MAGIC_NUMBERS = (
    (b"%PDF-", MedicalDocument.ContentType.PDF),
    (b"\x89PNG\r\n\x1a\n", MedicalDocument.ContentType.PNG),
    (b"\xff\xd8\xff", MedicalDocument.ContentType.JPEG),
)
MAX_G_LIMIT = Decimal("15")


# --- Helpers ----------------------------------------------------------------------------------------


def _lock(clearance: MedicalClearance) -> MedicalClearance:
    return MedicalClearance.objects.select_for_update(of=("self",)).select_related("passenger").get(pk=clearance.pk)


def _set_status(*, clearance: MedicalClearance, to_status: str, by, now: dt.datetime, fields: Iterable[str] = ()) -> None:
    from_status = clearance.status
    clearance.status = to_status
    clearance.status_changed_at = now
    clearance.save(update_fields=["status", "status_changed_at", *fields])
    ClearanceStatusChange.objects.create(
        clearance=clearance, from_status=from_status, to_status=to_status, changed_by=by, changed_at=now
    )


def _require_passenger(clearance: MedicalClearance, by, action: str) -> None:
    if by is None or clearance.passenger_id != by.pk:
        raise MedicalAccessDenied(f"Only the passenger may {action} their own medical questionnaire.")


def _require_surgeon(clearance: MedicalClearance, by, action: str) -> None:
    if by is None or not selectors.is_flight_surgeon(by):
        raise MedicalAccessDenied(f"Only a flight surgeon may {action} a medical clearance.")
    if clearance.passenger_id == by.pk:
        raise MedicalAccessDenied(f"A flight surgeon may not {action} their own medical clearance.")


def _require_text(text: str, *, field: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput(message, fields={field: ["This field is required."]})
    return text


def _notify(clearance: MedicalClearance, kind: str, *, now: dt.datetime, once: bool = False) -> None:
    """The passenger's email, into the outbox in this transaction (never the broker: a decision committed is
    a decision told). `once`: one such email per clearance ever; otherwise one per event (its time)."""
    from tourism.medical.notifications import queue_clearance_email

    key = f"medical.{kind}.{clearance.pk}" if once else f"medical.{kind}.{clearance.pk}.{now.astimezone(dt.UTC):%Y%m%dT%H%M%S.%f}"
    queue_clearance_email(clearance=clearance, kind=kind, dedupe_key=key, now=now)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it has no such day (29 Feb -> 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def default_valid_until(decided_on: dt.date) -> dt.date:
    """Policy (DOMAIN.md): valid 12 months from the decision, the last day inclusive."""
    return add_months(decided_on, settings.MEDICAL_CLEARANCE_VALIDITY_MONTHS) - dt.timedelta(days=1)


# --- The passenger's questionnaire ------------------------------------------------------------------


def clearance_start(*, passenger, now: dt.datetime | None = None) -> MedicalClearance:
    """Open a new draft questionnaire; one at a time per passenger."""
    now = now or timezone.now()
    existing = selectors.clearance_open(passenger)
    if existing is not None:
        raise ClearanceConflict(
            f"You already have a medical questionnaire in progress (#{existing.pk}, "
            f"{existing.get_status_display().lower()}): continue that one."
        )
    try:
        with transaction.atomic():
            clearance = MedicalClearance.objects.create(passenger=passenger, created_at=now, status_changed_at=now)
            MedicalQuestionnaire.objects.create(clearance=clearance, answers={}, updated_at=now)
    except IntegrityError as exc:  # a second tab started one at the same moment
        raise ClearanceConflict("You already have a medical questionnaire in progress: continue that one.") from exc
    return clearance


def questionnaire_save_section(
    *, clearance: MedicalClearance, by, section: str, data: dict, draft: bool = False, now: dt.datetime | None = None
) -> MedicalQuestionnaire:
    """Save one section's answers. A draft may leave questions blank but never holds an impossible value."""
    now = now or timezone.now()
    if section not in questionnaire.SECTIONS:
        raise InvalidInput(
            f"Unknown questionnaire section {section!r}: use one of {', '.join(questionnaire.SECTION_ORDER)}.",
            fields={"section": ["Unknown section."]},
        )
    form = questionnaire.section_form(section, data, draft=draft)
    if not form.is_valid():
        errors = {field: [str(message) for message in messages] for field, messages in form.errors.items()}
        first = next(iter(errors.values()))[0]
        raise InvalidInput(f"{form.title}: {first}", fields=errors)
    with transaction.atomic():
        clearance = _lock(clearance)
        _require_passenger(clearance, by, "change")
        if clearance.status not in MedicalClearance.EDITABLE_STATUSES:
            raise ClearanceConflict(
                f"Medical questionnaire #{clearance.pk} is {clearance.get_status_display().lower()}: "
                "answers can change only while it is a draft or more information was requested."
            )
        record = MedicalQuestionnaire.objects.select_for_update().get(clearance=clearance)
        record.answers = {**record.answers, section: form.to_answers(form.cleaned_data)}
        record.updated_at = now
        record.save(update_fields=["answers", "updated_at"])
    return record


def document_upload(
    *, clearance: MedicalClearance, by, upload, kind: str = MedicalDocument.Kind.OTHER, now: dt.datetime | None = None
) -> MedicalDocument:
    """Store a supporting document, encrypted: PDF, PNG or JPEG by its bytes, within the size limit."""
    now = now or timezone.now()
    if kind not in MedicalDocument.Kind.values:
        raise InvalidInput(f"Unknown document kind {kind!r}.", fields={"kind": ["Unknown kind."]})
    if upload is None:
        raise InvalidDocument("Choose a file to upload.", fields={"file": ["This field is required."]})
    limit = settings.MEDICAL_DOCUMENT_MAX_BYTES
    size = upload.size or 0
    if size == 0:
        raise InvalidDocument("The uploaded file is empty.", fields={"file": ["The file is empty."]})
    if size > limit:
        raise InvalidDocument(
            f"The file is {size / 1_048_576:.1f} MB; documents may be at most {limit / 1_048_576:.0f} MB.",
            fields={"file": ["Too large."]},
        )
    content = b"".join(upload.chunks())
    content_type = next((ctype for magic, ctype in MAGIC_NUMBERS if content.startswith(magic)), None)
    if content_type is None:
        raise InvalidDocument(
            "Only PDF, PNG and JPEG documents are accepted, and this file is none of them.",
            fields={"file": ["Not a PDF, PNG or JPEG file."]},
        )
    original_name = (getattr(upload, "name", "") or "document")[-200:]
    with transaction.atomic():
        clearance = _lock(clearance)
        if clearance.passenger_id == getattr(by, "pk", None):
            if clearance.status not in MedicalClearance.EDITABLE_STATUSES:
                raise ClearanceConflict(
                    f"Medical questionnaire #{clearance.pk} is {clearance.get_status_display().lower()}: "
                    "documents can be added only while it is a draft or more information was requested."
                )
        else:
            _require_surgeon(clearance, by, "add documents to")
            if clearance.status not in MedicalClearance.REVIEWABLE_STATUSES:
                raise ClearanceConflict(
                    f"Medical clearance #{clearance.pk} is {clearance.get_status_display().lower()}: "
                    "a surgeon adds documents only once the review has started."
                )
        document = MedicalDocument(
            clearance=clearance, kind=kind, original_name=original_name, content_type=content_type,
            size_bytes=size, uploaded_by=by, uploaded_at=now,
        )
        # Encrypted before it touches the disk: the stored file is a Fernet token.
        with file_store_refusals(
            unreachable="The file store did not answer, so the document was not saved: upload it again in a minute."
        ):
            document.file.save("document.bin", ContentFile(crypto.encrypt_bytes(content)), save=False)
        stored_name = document.file.name
        try:
            document.save()
        except Exception:
            document.file.storage.delete(stored_name)
            raise
    return document


def clearance_submit(
    *, clearance: MedicalClearance, by, reply: str = "", now: dt.datetime | None = None
) -> MedicalClearance:
    """Hand the questionnaire to the flight surgeons; after a request for information, with a reply."""
    now = now or timezone.now()
    with transaction.atomic():
        clearance = _lock(clearance)
        _require_passenger(clearance, by, "submit")
        require_transition(clearance, Status.SUBMITTED, action="submit")
        missing = questionnaire.missing_sections(clearance.questionnaire.answers)
        if missing:
            titles = ", ".join(questionnaire.SECTIONS[section].title for section in missing)
            raise InvalidInput(
                f"Complete every section before submitting; still incomplete: {titles}.",
                fields={section: ["Incomplete."] for section in missing},
            )
        if clearance.status == Status.INFORMATION_REQUESTED:
            reply = _require_text(
                reply, field="reply", message="Answer the flight surgeon's request before submitting again."
            )
        if reply.strip():
            ClearanceNote.objects.create(
                clearance=clearance, kind=ClearanceNote.Kind.PASSENGER_REPLY, body=reply.strip(), author=by, created_at=now
            )
        clearance.submitted_at = now
        _set_status(clearance=clearance, to_status=Status.SUBMITTED, by=by, now=now, fields=["submitted_at"])
    return clearance


# --- The flight surgeon's review ---------------------------------------------------------------------


def clearance_start_review(*, clearance: MedicalClearance, by, now: dt.datetime | None = None) -> MedicalClearance:
    """A flight surgeon takes a submission for review."""
    now = now or timezone.now()
    with transaction.atomic():
        clearance = _lock(clearance)
        _require_surgeon(clearance, by, "review")
        require_transition(clearance, Status.UNDER_REVIEW, action="start the review of")
        clearance.reviewer = by
        _set_status(clearance=clearance, to_status=Status.UNDER_REVIEW, by=by, now=now, fields=["reviewer"])
    return clearance


def clearance_request_information(
    *, clearance: MedicalClearance, by, message: str, now: dt.datetime | None = None
) -> MedicalClearance:
    """Send the questionnaire back to the passenger with a question; they are told by email."""
    now = now or timezone.now()
    message = _require_text(
        message, field="message", message="Say what information the passenger should add."
    )
    with transaction.atomic():
        clearance = _lock(clearance)
        _require_surgeon(clearance, by, "request information on")
        require_transition(clearance, Status.INFORMATION_REQUESTED, action="request more information on")
        ClearanceNote.objects.create(
            clearance=clearance, kind=ClearanceNote.Kind.INFORMATION_REQUEST, body=message, author=by, created_at=now
        )
        _set_status(clearance=clearance, to_status=Status.INFORMATION_REQUESTED, by=by, now=now)
        _notify(clearance, "information_requested", now=now)
    return clearance


def _parse_max_g(max_g) -> Decimal | None:
    if max_g in (None, ""):
        return None
    try:
        value = Decimal(str(max_g)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError) as exc:
        raise InvalidInput(f"Maximum g {max_g!r} is not a number.", fields={"max_g": ["Not a number."]}) from exc
    if not (Decimal("0") < value <= MAX_G_LIMIT):
        raise InvalidInput(
            f"Maximum g must be above 0 and at most {MAX_G_LIMIT} g; {value} g is not possible.",
            fields={"max_g": ["Out of range."]},
        )
    return value


def clearance_decide(
    *,
    clearance: MedicalClearance,
    by,
    outcome: str,
    reasons: str,
    valid_until: dt.date | None = None,
    allowed_regimes: Iterable[str] | None = None,
    max_g=None,
    now: dt.datetime | None = None,
) -> MedicalClearance:
    """Record the flight surgeon's decision: cleared, cleared with restrictions, or not cleared.

    The decision supersedes the passenger's previous standing decision, so only the newest counts.
    """
    now = now or timezone.now()
    if outcome not in MedicalClearance.DECISION_STATUSES:
        raise InvalidInput(
            f"Unknown decision {outcome!r}: choose cleared, cleared with restrictions or not cleared.",
            fields={"outcome": ["Unknown decision."]},
        )
    reasons = _require_text(reasons, field="reasons", message="A decision needs its reasons: write them down.")
    regimes = sorted(set(allowed_regimes)) if allowed_regimes is not None else list(Regime.values)
    unknown = set(regimes) - set(Regime.values)
    if unknown:
        raise InvalidInput(
            f"Unknown regime {', '.join(sorted(unknown))}: use suborbital or orbital.",
            fields={"allowed_regimes": ["Unknown regime."]},
        )
    limit_g = _parse_max_g(max_g)
    today = now.date()
    if outcome == Status.NOT_CLEARED:
        regimes, limit_g, valid_until = [], None, None
    else:
        if not regimes:
            raise InvalidInput(
                "A clearance must allow at least one regime; to allow none, decide not cleared.",
                fields={"allowed_regimes": ["Choose at least one regime."]},
            )
        restricted = set(regimes) != set(Regime.values) or limit_g is not None
        if outcome == Status.CLEARED and restricted:
            raise InvalidInput(
                "A clearance without restrictions cannot limit regimes or g: decide cleared with restrictions.",
                fields={"outcome": ["Restrictions given."]},
            )
        if outcome == Status.CLEARED_WITH_RESTRICTIONS and not restricted:
            raise InvalidInput(
                "Cleared with restrictions needs a restriction: fewer regimes or a maximum g.",
                fields={"allowed_regimes": ["No restriction given."], "max_g": ["No restriction given."]},
            )
        longest = default_valid_until(today)
        if valid_until is None:
            valid_until = longest
        elif valid_until < today:
            raise InvalidInput(
                f"The validity end {valid_until:%Y-%m-%d} is in the past.", fields={"valid_until": ["In the past."]}
            )
        elif valid_until > longest:
            raise InvalidInput(
                f"A clearance is valid at most {settings.MEDICAL_CLEARANCE_VALIDITY_MONTHS} months, until "
                f"{longest:%Y-%m-%d}; {valid_until:%Y-%m-%d} is later.",
                fields={"valid_until": ["Beyond the policy limit."]},
            )
    with transaction.atomic():
        clearance = _lock(clearance)
        _require_surgeon(clearance, by, "decide")
        require_transition(clearance, outcome, action="decide")
        previous = list(
            MedicalClearance.objects.select_for_update()
            .filter(passenger_id=clearance.passenger_id, status__in=MedicalClearance.DECISION_STATUSES)
            .exclude(pk=clearance.pk)
        )
        for old in previous:
            old.superseded_by = clearance
            _set_status(clearance=old, to_status=Status.SUPERSEDED, by=by, now=now, fields=["superseded_by"])
        ClearanceNote.objects.create(
            clearance=clearance, kind=ClearanceNote.Kind.DECISION, body=reasons, author=by, created_at=now
        )
        clearance.decided_at, clearance.decided_by = now, by
        clearance.valid_until, clearance.allowed_regimes, clearance.max_g = valid_until, regimes, limit_g
        _set_status(
            clearance=clearance, to_status=outcome, by=by, now=now,
            fields=["decided_at", "decided_by", "valid_until", "allowed_regimes", "max_g"],
        )
        _notify(clearance, "decided", now=now)
    return clearance


def examination_record(
    *,
    clearance: MedicalClearance,
    by,
    kind: str,
    performed_on: dt.date,
    outcome: str,
    findings: str,
    now: dt.datetime | None = None,
) -> MedicalExamination:
    """A flight surgeon enters a physical examination or mental-health evaluation (orbital flights need both)."""
    now = now or timezone.now()
    if kind not in MedicalExamination.Kind.values:
        raise InvalidInput(f"Unknown examination {kind!r}.", fields={"kind": ["Unknown kind."]})
    if outcome not in MedicalExamination.Outcome.values:
        raise InvalidInput(f"Unknown outcome {outcome!r}.", fields={"outcome": ["Unknown outcome."]})
    findings = _require_text(findings, field="findings", message="Record the examination's findings.")
    if performed_on is None or performed_on > now.date():
        raise InvalidInput(
            "An examination cannot be recorded before it took place.", fields={"performed_on": ["In the future."]}
        )
    oldest = add_months(now.date(), -settings.MEDICAL_CLEARANCE_VALIDITY_MONTHS)
    if performed_on < oldest:
        raise InvalidInput(
            f"An examination from {performed_on:%Y-%m-%d} is older than the {settings.MEDICAL_CLEARANCE_VALIDITY_MONTHS}"
            f"-month validity of a clearance (earliest {oldest:%Y-%m-%d}).",
            fields={"performed_on": ["Too old."]},
        )
    with transaction.atomic():
        clearance = _lock(clearance)
        _require_surgeon(clearance, by, "record an examination on")
        if clearance.status not in MedicalClearance.REVIEWABLE_STATUSES:
            raise ClearanceConflict(
                f"Medical clearance #{clearance.pk} is {clearance.get_status_display().lower()}: "
                "examinations are recorded once the review has started, and not after it ended."
            )
        return MedicalExamination.objects.create(
            clearance=clearance, kind=kind, performed_on=performed_on, outcome=outcome, findings=findings,
            examiner=by, recorded_at=now,
        )


def note_add(*, clearance: MedicalClearance, by, body: str, now: dt.datetime | None = None) -> ClearanceNote:
    """A flight surgeon's note on the record (kept, never edited)."""
    now = now or timezone.now()
    body = _require_text(body, field="body", message="A note cannot be empty.")
    with transaction.atomic():
        clearance = _lock(clearance)
        _require_surgeon(clearance, by, "add a note to")
        if clearance.status == Status.DRAFT:
            raise ClearanceConflict(f"Medical questionnaire #{clearance.pk} is still a draft: it has not been submitted.")
        return ClearanceNote.objects.create(
            clearance=clearance, kind=ClearanceNote.Kind.SURGEON_NOTE, body=body, author=by, created_at=now
        )


# --- Before the flight ------------------------------------------------------------------------------


def self_certification_record(*, passenger, flight: Flight, now: dt.datetime | None = None) -> HealthSelfCertification:
    """The passenger certifies "no change in my health" in the final hours before launch."""
    now = now or timezone.now()
    if flight.status not in Flight.UPCOMING_STATUSES or flight.launch_at <= now:
        raise SelfCertificationRefused(f"Flight {flight.code} is not an upcoming flight: there is nothing to certify for.")
    opens, _ = selectors.self_certification_window(flight)
    if now < opens:
        raise SelfCertificationRefused(
            f"Self-certification for flight {flight.code} opens {settings.MEDICAL_SELF_CERTIFICATION_HOURS} hours "
            f"before launch, at {opens:%Y-%m-%d %H:%M} UTC."
        )
    standing = selectors.clearance_standing(passenger)
    if standing is None or not standing.is_cleared:
        raise SelfCertificationRefused(
            "There is no current medical clearance to certify against: a flight surgeon must clear you first."
        )
    return HealthSelfCertification.objects.create(passenger=passenger, flight=flight, clearance=standing, certified_at=now)


# --- Periodic work ----------------------------------------------------------------------------------


def clearance_expire_due(*, now: dt.datetime | None = None, batch_size: int = 200) -> int:
    """Expire clearances whose last valid day has passed. Running it twice changes nothing the second time."""
    now = now or timezone.now()
    expired = 0
    while True:
        with transaction.atomic():
            due = list(
                MedicalClearance.objects.select_for_update(skip_locked=True)
                .filter(status__in=MedicalClearance.CLEARED_STATUSES, valid_until__lt=now.date())
                .order_by("valid_until", "id")[:batch_size]
            )
            for clearance in due:
                _set_status(clearance=clearance, to_status=Status.EXPIRED, by=None, now=now)
        expired += len(due)
        if len(due) < batch_size:
            return expired


def clearance_send_expiry_reminders(*, now: dt.datetime | None = None) -> int:
    """Tell passengers with upcoming flights that their clearance ends within the reminder period (30 days).

    Each clearance is reminded once: the sent-at stamp is set in the same transaction that claims it.
    """
    now = now or timezone.now()
    horizon = now.date() + dt.timedelta(days=settings.MEDICAL_EXPIRY_REMINDER_DAYS)
    with transaction.atomic():
        due = list(
            MedicalClearance.objects.select_for_update(skip_locked=True)
            .filter(
                status__in=MedicalClearance.CLEARED_STATUSES,
                valid_until__gte=now.date(),
                valid_until__lte=horizon,
                expiry_reminder_sent_at__isnull=True,
            )
            .order_by("valid_until", "id")
        )
        flights = passenger_flights.upcoming({c.passenger_id for c in due}, now=now)
        reminded = [c for c in due if flights.get(c.passenger_id)]
        for clearance in reminded:
            clearance.expiry_reminder_sent_at = now
            clearance.save(update_fields=["expiry_reminder_sent_at"])
            _notify(clearance, "expiry_reminder", now=now, once=True)
    return len(reminded)


# --- The access log ----------------------------------------------------------------------------------


def access_log_record(
    *,
    reader,
    clearance: MedicalClearance,
    records: list[tuple[str, int]],
    channel: str,
    path: str = "",
    action: str = MedicalAccessLog.Action.VIEW,
    now: dt.datetime | None = None,
) -> list[MedicalAccessLog]:
    """One row per record read: who, when, which record, through what."""
    now = now or timezone.now()
    return MedicalAccessLog.objects.bulk_create(
        MedicalAccessLog(
            accessed_by=reader, accessed_at=now, clearance=clearance, record_type=record_type, record_id=record_id,
            action=action, channel=channel, path=path[:300],
        )
        for record_type, record_id in records
    )
