"""Writing verification records: create, fill in while planned, then mark flown (locked) and submit.

Every content change goes through `lock_editable_record`, so a flown record refuses edits here, and the
model's save() refuses them too for any path that skips the services (admin, a shell). Each change keeps
who entered and who last edited that part of the content (no one signs what they wrote).

The launch time is not typed in when the flight has a recorded liftoff: it is the flight's
`launched_at`. Without one it may be entered while the record is planned, and is locked once the record
has been signed (return-to-flight ordering relies on it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from config.filestore import file_store_refusals
from flights.exceptions import DomainError, InvalidInput
from flights.models import Flight
from flights.statemachine import require_transition
from verification.exceptions import RecordIncomplete, RecordLocked
from verification.models import Anomaly, Attachment, Occupant, SignOff, TestObjective, VerificationFlight
from verification.services._common import (
    DATA_ENTRY_ROLES,
    apply_changes,
    clean_or_refuse,
    lock_editable_record,
    lock_record,
    require_role,
    set_record_status,
)

Status = VerificationFlight.Status
RECORD_FIELDS = (
    "summary", "launched_at", "landed_at", "apogee_km", "peak_g_ascent", "peak_g_entry", "landing_distance_m",
)
OCCUPANT_FIELDS = ("name", "role", "is_test_dummy")
OBJECTIVE_FIELDS = ("description", "success_criterion", "measured_result", "result", "flight_rationale")
ANOMALY_FIELDS = (
    "title", "severity", "description", "root_cause", "corrective_actions", "disposition", "flight_rationale",
)
MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024


def verification_record_create(*, flight: Flight, by, summary: str = "", now: dt.datetime | None = None, **fields):
    """Open the verification record of a verification flight (one record per flight)."""
    require_role(by, DATA_ENTRY_ROLES, "open verification records")
    now = now or timezone.now()
    with transaction.atomic():
        flight = Flight.objects.select_for_update(of=("self",)).select_related("vehicle").get(pk=flight.pk)
        kind = VerificationFlight.KIND_FOR_PURPOSE.get(flight.purpose)
        if kind is None:
            raise InvalidInput(
                f"Flight {flight} is a {flight.get_purpose_display().lower()} flight: only uncrewed or crewed "
                "verification flights have verification records.",
                fields={"flight": ["Not a verification flight."]},
            )
        if flight.status == Flight.Status.CANCELLED:
            raise DomainError(f"Flight {flight} is cancelled: it has nothing to verify.", code="flight_cancelled")
        if VerificationFlight.objects.filter(flight=flight).exists():
            raise DomainError(f"Flight {flight} already has a verification record.", code="record_exists")
        record = VerificationFlight(
            flight=flight, vehicle=flight.vehicle, kind=kind, summary=summary, created_by=by, created_at=now,
            status_changed_at=now, status_reason="Opened", last_edited_by=by,
        )
        if fields.get("launched_at", "unset") is None or fields.get("launched_at") == flight.launched_at:
            fields.pop("launched_at", None)  # nothing typed in, or the liftoff itself: fine either way
        apply_changes(record, fields, RECORD_FIELDS, "A verification record")
        _check_launch_time(record, changing="launched_at" in fields)
        clean_or_refuse(record)
        record.save()
    return record


def verification_record_update(*, record: VerificationFlight, by, **changes) -> VerificationFlight:
    """Change the record's own fields while it is planned or reopened."""
    require_role(by, DATA_ENTRY_ROLES, "edit verification records")
    with transaction.atomic():
        record = lock_editable_record(record)
        stored_launch = record.launched_at
        if "launched_at" in changes and changes["launched_at"] == stored_launch:
            changes.pop("launched_at")  # unchanged: not an edit of the launch time
        if apply_changes(record, changes, RECORD_FIELDS, f"Verification record {record.flight.code}"):
            _check_launch_time(record, changing="launched_at" in changes)
            if record.launched_at != stored_launch:  # e.g. the flight lifted off since the record was opened
                changes["launched_at"] = record.launched_at
            record.last_edited_by = by
            clean_or_refuse(record)
            record.save(update_fields=[*changes, "last_edited_by"])
    return record


def _check_launch_time(record: VerificationFlight, *, changing: bool) -> None:
    """The flight's recorded liftoff is the launch time; without one, a hand-entered time is locked once signed."""
    if not changing:
        if record.flight.launched_at is not None:
            record.launched_at = record.flight.launched_at
        return
    liftoff = record.flight.launched_at
    if liftoff is not None:
        raise InvalidInput(
            f"The launch time of {record.flight.code} comes from the flight's recorded liftoff "
            f"({liftoff.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S} UTC) and cannot be entered by hand.",
            fields={"launched_at": ["Taken from the flight's recorded liftoff; not editable."]},
        )
    if record.pk is not None and SignOff.objects.filter(record=record).exists():
        raise RecordLocked(
            f"The launch time of {record.flight.code} was signed and orders the vehicle's return-to-flight "
            "evidence: it is locked and cannot change, even on a reopened record.",
        )


def _add_row(*, record: VerificationFlight, by, build, fields: dict, allowed: tuple[str, ...], label: str, check=None):
    """Add a row to an editable record: lock the record, build the row, validate, save."""
    require_role(by, DATA_ENTRY_ROLES, "edit verification records")
    with transaction.atomic():
        record = lock_editable_record(record)
        row = build(record)
        if hasattr(row, "entered_by_id"):
            row.entered_by = row.last_edited_by = by
        apply_changes(row, fields, allowed, label)
        if check:
            check(record, row)
        clean_or_refuse(row)
        row.save()
    return row


def _update_row(row, *, by, changes: dict, allowed: tuple[str, ...], label, check=None):
    """Change a row of an editable record: lock the record, re-read the row, validate, save what changed."""
    require_role(by, DATA_ENTRY_ROLES, "edit verification records")
    with transaction.atomic():
        record = lock_editable_record(row.record)
        row = type(row).objects.get(pk=row.pk)
        if apply_changes(row, changes, allowed, label(row)):
            if check:
                check(record, row)
            row.last_edited_by = by
            clean_or_refuse(row)
            row.save(update_fields=[*changes, "last_edited_by"])
    return row


def occupant_add(*, record: VerificationFlight, by, name: str, role: str, is_test_dummy: bool = False) -> Occupant:
    """List a crew member, or an instrumented test dummy, aboard the flight."""
    return _add_row(
        record=record, by=by, build=lambda record: Occupant(record=record),
        fields={"name": (name or "").strip(), "role": (role or "").strip(), "is_test_dummy": is_test_dummy},
        allowed=OCCUPANT_FIELDS, label="An occupant", check=_check_occupant,
    )


def occupant_update(*, occupant: Occupant, by, **changes) -> Occupant:
    return _update_row(occupant, by=by, changes=changes, allowed=OCCUPANT_FIELDS, label=lambda row: "An occupant",
                       check=_check_occupant)


def _check_occupant(record: VerificationFlight, occupant: Occupant) -> None:
    if record.kind == VerificationFlight.Kind.UNCREWED and not occupant.is_test_dummy:
        raise InvalidInput(
            f"{record.flight.code} is an uncrewed verification flight: it can carry instrumented test dummies, "
            "not crew.",
            fields={"is_test_dummy": ["An uncrewed flight carries no crew."]},
        )


def objective_add(
    *, record: VerificationFlight, by, description: str, success_criterion: str, **fields
) -> TestObjective:
    """Add a test objective with its success criterion; the next sequence number is given to it."""

    def build(record):
        last = record.objectives.aggregate(last=Max("sequence"))["last"] or 0  # under the record's lock
        return TestObjective(record=record, sequence=last + 1)

    return _add_row(
        record=record, by=by, build=build, allowed=OBJECTIVE_FIELDS, label="A test objective",
        fields={"description": description, "success_criterion": success_criterion, **fields},
    )


def objective_update(*, objective: TestObjective, by, **changes) -> TestObjective:
    """Record a measured result (pass, fail, partial with its flight rationale) or reword an objective."""
    return _update_row(objective, by=by, changes=changes, allowed=OBJECTIVE_FIELDS,
                       label=lambda row: f"Objective {row.sequence}")


def anomaly_add(*, record: VerificationFlight, by, title: str, severity: str, description: str, **fields) -> Anomaly:
    return _add_row(
        record=record, by=by, build=lambda record: Anomaly(record=record), allowed=ANOMALY_FIELDS,
        label="An anomaly", fields={"title": title, "severity": severity, "description": description, **fields},
    )


def anomaly_update(*, anomaly: Anomaly, by, **changes) -> Anomaly:
    """Record the root cause and corrective actions, or change the disposition (closed, or accepted with a
    written flight rationale)."""
    return _update_row(anomaly, by=by, changes=changes, allowed=ANOMALY_FIELDS,
                       label=lambda row: f"Anomaly “{row.title}”")


def attachment_add(
    *, record: VerificationFlight, by, title: str, file: UploadedFile, kind: str = Attachment.Kind.TELEMETRY,
    now: dt.datetime | None = None,
) -> Attachment:
    """Keep a file with the record, privately, with its SHA-256 (which the record's hash then covers)."""
    require_role(by, DATA_ENTRY_ROLES, "edit verification records")
    if file is None or not getattr(file, "name", ""):
        raise InvalidInput("Choose a file to attach.", fields={"file": ["This field is required."]})
    if file.size > MAX_ATTACHMENT_BYTES:
        raise InvalidInput(
            f"{file.name} is {file.size // (1024 * 1024)} MB; attachments may be at most "
            f"{MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB.",
            fields={"file": ["Too large."]},
        )
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    name = file.name.rsplit("/", 1)[-1]
    content_type = getattr(file, "content_type", "") or mimetypes.guess_type(name)[0] or ""
    with transaction.atomic():
        record = lock_editable_record(record)
        attachment = Attachment(
            record=record, kind=kind, title=(title or "").strip() or name, original_name=name,
            content_type=content_type[:100], sha256=digest.hexdigest(), size_bytes=file.size, uploaded_by=by,
            uploaded_at=now or timezone.now(),
        )
        with file_store_refusals(
            unreachable="The file store did not answer, so the file was not attached: attach it again in a minute."
        ):
            attachment.file.save(name, file, save=False)
        try:
            clean_or_refuse(attachment, exclude=("file",))
            attachment.save()
        except Exception:
            attachment.file.delete(save=False)  # no orphan file for a refused upload
            raise
    return attachment


def verification_mark_flown(*, record: VerificationFlight, by, reason: str = "", now: dt.datetime | None = None):
    """The flight has flown and its record is complete: lock it against edits."""
    require_role(by, DATA_ENTRY_ROLES, "mark verification records flown")
    now = now or timezone.now()
    with transaction.atomic():
        record = lock_record(record)
        require_transition(record, Status.FLOWN, action="mark flown")
        flight = record.flight
        # The recorded liftoff wins over anything entered before it happened (return-to-flight order).
        record.launched_at = flight.launched_at or record.launched_at
        record.landed_at = record.landed_at or flight.landed_at
        problems = _incomplete(record)
        if problems:
            raise RecordIncomplete(f"Cannot mark {flight.code} flown: " + "; ".join(problems) + ".")
        record.save(update_fields=["launched_at", "landed_at"])  # still editable here: this is its last edit
        return set_record_status(
            record, to_status=Status.FLOWN, reason=reason or "Flown; record complete and locked", by=by, now=now
        )


def _incomplete(record: VerificationFlight) -> list[str]:
    problems = []
    flight = record.flight
    if flight.status not in Flight.FLOWN_STATUSES:
        problems.append(f"flight {flight.code} has not flown (it is {flight.get_status_display().lower()})")
    missing = [
        label for name, label in (
            ("launched_at", "launch time"), ("landed_at", "landing time"), ("apogee_km", "apogee"),
            ("peak_g_ascent", "peak g on ascent"), ("peak_g_entry", "peak g on entry"),
        ) if getattr(record, name) is None
    ]
    if missing:
        problems.append("the achieved profile lacks " + ", ".join(missing))
    objectives = list(record.objectives.all())
    if not objectives:
        problems.append("it has no test objectives")
    pending = [str(o.sequence) for o in objectives if o.result == TestObjective.Result.PENDING]
    if pending:
        problems.append(f"objective {', '.join(pending)} {'has' if len(pending) == 1 else 'have'} no result")
    if record.kind == VerificationFlight.Kind.CREWED and not record.occupants.filter(is_test_dummy=False).exists():
        problems.append("a crewed flight needs its crew listed with their roles")
    return problems


def verification_submit_for_review(*, record: VerificationFlight, by, reason: str = "", now=None):
    """Put a flown record in the flight directors' sign-off queue."""
    require_role(by, DATA_ENTRY_ROLES, "submit verification records for review")
    now = now or timezone.now()
    with transaction.atomic():
        record = lock_record(record)
        require_transition(record, Status.IN_REVIEW, action="submit for review")
        return set_record_status(
            record, to_status=Status.IN_REVIEW, reason=reason or "Submitted for sign-off", by=by, now=now
        )
