"""Verification flights (14 CFR 460.17), their evidence, the flight directors' sign-offs, and mishaps.

A verification record is edited while planned (or reopened). Once marked flown it is locked: its fields,
crew, objectives, anomalies and attachments refuse to save, here in the models as well as in the
services, so admin or a stray script cannot change a record that was reviewed. The only way back is the
reopen service, which voids the record's sign-offs. A change by any path that bypasses Python (raw SQL)
is caught by the SHA-256 each sign-off stores (see verification/hashing.py), and a change that recomputes
those hashes by the HMAC seal made with a key that is not in the database (verification/signing.py).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from config.history import HistoricalRecords
from flights.models import Flight, Vehicle
from flights.statemachine import TransitionsMixin
from verification.exceptions import RecordLocked
from verification.hashing import current_document_version

GENESIS_HASH = "0" * 64

# Set only by the lifecycle services, so a locked record's status can move while its content cannot.
_lifecycle_write = contextvars.ContextVar("verification_lifecycle_write", default=False)


@contextlib.contextmanager
def lifecycle_write():
    token = _lifecycle_write.set(True)
    try:
        yield
    finally:
        _lifecycle_write.reset(token)


class NeverDeletedQuerySet(models.QuerySet):
    """Records are kept (14 CFR 450.219): no bulk delete."""

    def delete(self):
        raise RecordLocked(f"{self.model._meta.verbose_name_plural.capitalize()} are never deleted.")

    delete.queryset_only = True


class NeverDeleted(models.Model):
    objects = NeverDeletedQuerySet.as_manager()

    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):
        raise RecordLocked(f"{self._meta.verbose_name.capitalize()} {self} is a record and is never deleted.")


class Severity(models.TextChoices):
    CATASTROPHIC = "catastrophic", "Catastrophic"
    CRITICAL = "critical", "Critical"
    MAJOR = "major", "Major"
    MINOR = "minor", "Minor"


# Anomalies of these severities must be closed or accepted with a flight rationale before approval,
# and make a record need two directors' signatures.
SERIOUS_SEVERITIES = (Severity.CATASTROPHIC, Severity.CRITICAL)


class VerificationFlight(TransitionsMixin, NeverDeleted):
    """The evidence of one verification flight: what flew, who or what was aboard, and how it went."""

    class Kind(models.TextChoices):
        UNCREWED = "uncrewed", "Uncrewed"
        CREWED = "crewed", "Crewed"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        FLOWN = "flown", "Flown"
        IN_REVIEW = "in_review", "In review"
        SIGNED_OFF = "signed_off", "Signed off"
        REJECTED = "rejected", "Rejected"
        REOPENED = "reopened", "Reopened"

    TRANSITIONS = {
        Status.PLANNED: {Status.FLOWN},
        Status.FLOWN: {Status.IN_REVIEW, Status.REOPENED},
        Status.IN_REVIEW: {Status.SIGNED_OFF, Status.REJECTED, Status.REOPENED},
        Status.SIGNED_OFF: {Status.REOPENED},
        Status.REJECTED: {Status.REOPENED},
        Status.REOPENED: {Status.FLOWN},
    }
    EDITABLE_STATUSES = (Status.PLANNED, Status.REOPENED)
    # Saved on a locked record only by the lifecycle services.
    LIFECYCLE_FIELDS = frozenset({"status", "status_reason", "status_changed_at", "revision"})
    KIND_FOR_PURPOSE = {
        Flight.Purpose.UNCREWED_VERIFICATION: Kind.UNCREWED,
        Flight.Purpose.CREWED_VERIFICATION: Kind.CREWED,
    }

    flight = models.OneToOneField(
        Flight, on_delete=models.PROTECT, related_name="verification_record",
        limit_choices_to={"purpose__in": list(KIND_FOR_PURPOSE)},
    )
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="verification_records")
    kind = models.CharField(max_length=16, choices=Kind.choices, editable=False)
    revision = models.PositiveIntegerField(default=1, editable=False, help_text="Goes up at every reopen.")
    summary = models.TextField(max_length=20000, blank=True)
    launched_at = models.DateTimeField(null=True, blank=True)
    landed_at = models.DateTimeField(null=True, blank=True)
    apogee_km = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    peak_g_ascent = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    peak_g_entry = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    landing_distance_m = models.DecimalField(
        max_digits=9, decimal_places=1, null=True, blank=True, help_text="Distance from the target landing point."
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLANNED, editable=False)
    status_reason = models.TextField(blank=True, editable=False)
    status_changed_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Separation of duties: whoever entered (created_by) or last edited the record's own fields cannot sign it.
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "verification flight"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["planned", "flown", "in_review", "signed_off", "rejected", "reopened"]),
                name="verification_status_valid",
            ),
            models.CheckConstraint(condition=Q(kind__in=["uncrewed", "crewed"]), name="verification_kind_valid"),
            models.CheckConstraint(
                condition=Q(landed_at__isnull=True) | Q(launched_at__isnull=False, landed_at__gte=F("launched_at")),
                name="verification_lands_after_launch",
                violation_error_message="The landing time must be after the launch time.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["planned", "reopened"])
                | Q(launched_at__isnull=False, landed_at__isnull=False, apogee_km__isnull=False,
                    peak_g_ascent__isnull=False, peak_g_entry__isnull=False),
                name="verification_flown_has_profile",
            ),
            models.CheckConstraint(
                condition=Q(apogee_km__isnull=True) | Q(apogee_km__gt=0), name="verification_apogee_positive",
                violation_error_message="The apogee must be above zero."
            ),
            models.CheckConstraint(
                condition=(Q(peak_g_ascent__isnull=True) | Q(peak_g_ascent__gt=0))
                & (Q(peak_g_entry__isnull=True) | Q(peak_g_entry__gt=0)),
                name="verification_peak_g_positive",
                violation_error_message="Peak loads must be above zero.",
            ),
            models.CheckConstraint(
                condition=Q(landing_distance_m__isnull=True) | Q(landing_distance_m__gte=0),
                name="verification_landing_distance_positive",
                violation_error_message="The landing distance cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.flight.code} ({self.get_kind_display().lower()} verification)"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            update_fields = kwargs.get("update_fields")
            lifecycle_only = (
                _lifecycle_write.get() and update_fields is not None and set(update_fields) <= self.LIFECYCLE_FIELDS
            )
            if not lifecycle_only:
                stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
                if stored is not None and stored not in self.EDITABLE_STATUSES:
                    raise RecordLocked(locked_message(self, stored))
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("verification:record-detail", args=[self.pk])

    def clean(self):
        super().clean()
        liftoff = self.flight.launched_at if self.flight_id else None
        if liftoff is not None and self.launched_at is not None and self.launched_at != liftoff:
            raise ValidationError({"launched_at": (
                f"The launch time comes from flight {self.flight.code}'s recorded liftoff "
                f"({liftoff.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S} UTC) and cannot be entered by hand."
            )})

    @property
    def entered_by(self):
        return self.created_by

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES

    @property
    def duration(self):
        if self.launched_at and self.landed_at:
            return self.landed_at - self.launched_at
        return None


def locked_message(record: VerificationFlight, status: str | None = None) -> str:
    label = dict(VerificationFlight.Status.choices).get(status or record.status, status)
    return (
        f"Verification record {record.flight.code} is {label.lower()} and locked against edits: "
        "reopen it (which voids its sign-offs) to change it."
    )


class RecordContent(NeverDeleted):
    """A row that is part of a verification record's content: saved only while the record is editable."""

    record = models.ForeignKey(VerificationFlight, on_delete=models.PROTECT)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        record_ids = {self.record_id}
        if self.pk is not None:
            record_ids |= set(type(self).objects.filter(pk=self.pk).values_list("record_id", flat=True))
        locked = (
            VerificationFlight.objects.filter(pk__in=record_ids)
            .exclude(status__in=VerificationFlight.EDITABLE_STATUSES)
            .select_related("flight")
            .first()
        )
        if locked is not None:
            raise RecordLocked(locked_message(locked))
        super().save(*args, **kwargs)


class EditedContent(RecordContent):
    """Record content whose author and last editor are kept: neither may sign the record (separation of duties)."""

    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )

    class Meta:
        abstract = True


class Occupant(EditedContent):
    """Who or what flew: crew with their roles, or instrumented test dummies on an uncrewed flight."""

    name = models.CharField(max_length=120)
    role = models.CharField(max_length=120, help_text="E.g. commander, mission specialist, instrumented dummy.")
    is_test_dummy = models.BooleanField(default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["record", "id"]
        default_related_name = "occupants"

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"


class TestObjective(EditedContent):
    """One thing the flight set out to show, how success is judged, and what was measured."""

    __test__ = False  # not a pytest test class, despite the name

    class Result(models.TextChoices):
        PENDING = "pending", "Pending"
        PASS = "pass", "Pass"
        FAIL = "fail", "Fail"
        PARTIAL = "partial", "Partial"

    sequence = models.PositiveSmallIntegerField()
    description = models.TextField(max_length=10000)
    success_criterion = models.TextField(max_length=10000)
    measured_result = models.TextField(max_length=10000, blank=True)
    result = models.CharField(max_length=16, choices=Result.choices, default=Result.PENDING)
    flight_rationale = models.TextField(
        max_length=10000,
        blank=True, help_text="For a partial result: why it is safe to proceed (written flight rationale)."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["record", "sequence"]
        default_related_name = "objectives"
        constraints = [
            models.UniqueConstraint(fields=["record", "sequence"], name="objective_sequence_unique_per_record"),
            models.CheckConstraint(
                condition=Q(result__in=["pending", "pass", "fail", "partial"]), name="objective_result_valid"
            ),
            models.CheckConstraint(
                condition=Q(result="pending") | ~Q(measured_result=""), name="objective_result_has_measurement",
                violation_error_message="A pass, fail or partial result needs the measured result that supports it."
            ),
        ]

    def __str__(self) -> str:
        return f"Objective {self.sequence}: {self.description[:60]}"


class Anomaly(EditedContent):
    """Something that went differently than expected, its cause, what was done, and its disposition."""

    class Disposition(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"
        ACCEPTED = "accepted", "Accepted with flight rationale"

    title = models.CharField(max_length=200)
    severity = models.CharField(max_length=16, choices=Severity.choices)
    description = models.TextField(max_length=10000)
    root_cause = models.TextField(max_length=10000, blank=True)
    corrective_actions = models.TextField(max_length=10000, blank=True)
    disposition = models.CharField(max_length=16, choices=Disposition.choices, default=Disposition.OPEN)
    flight_rationale = models.TextField(max_length=10000, blank=True, help_text="Why it is safe to fly with this anomaly accepted.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["record", "id"]
        default_related_name = "anomalies"
        verbose_name_plural = "anomalies"
        constraints = [
            models.CheckConstraint(
                condition=Q(severity__in=["catastrophic", "critical", "major", "minor"]), name="anomaly_severity_valid"
            ),
            models.CheckConstraint(
                condition=Q(disposition__in=["open", "closed", "accepted"]), name="anomaly_disposition_valid"
            ),
            models.CheckConstraint(
                condition=~Q(disposition="accepted") | ~Q(flight_rationale=""), name="anomaly_accepted_has_rationale",
                violation_error_message="An anomaly accepted for flight needs a written flight rationale."
            ),
            models.CheckConstraint(
                condition=~Q(disposition="closed") | ~Q(corrective_actions=""), name="anomaly_closed_has_actions",
                violation_error_message="A closed anomaly needs the corrective actions that closed it."
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_severity_display()}: {self.title}"

    @property
    def is_serious(self) -> bool:
        return self.severity in SERIOUS_SEVERITIES

    @property
    def blocks_approval(self) -> bool:
        """A serious anomaly still open (neither closed nor accepted with a flight rationale)."""
        return self.is_serious and self.disposition == self.Disposition.OPEN


def attachment_upload_to(instance: Attachment, filename: str) -> str:
    # A random prefix: names are not guessable and never collide. The folder is not served by URL.
    return f"verification/{instance.record_id}/{uuid.uuid4().hex}-{filename}"


class Attachment(RecordContent):
    """A telemetry summary, photo or report, kept privately under MEDIA_ROOT with its SHA-256."""

    class Kind(models.TextChoices):
        TELEMETRY = "telemetry", "Telemetry summary"
        PHOTO = "photo", "Photo"
        REPORT = "report", "Report"
        OTHER = "other", "Other"

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.TELEMETRY)
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=attachment_upload_to, max_length=255)
    original_name = models.CharField(max_length=255, editable=False)
    content_type = models.CharField(max_length=100, blank=True, editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    size_bytes = models.PositiveBigIntegerField(editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False)
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["record", "id"]
        default_related_name = "attachments"
        constraints = [
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="attachment_sha256_hex"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("verification:attachment-download", args=[self.pk])


class RecordStatusChange(models.Model):
    """One move of a verification record's lifecycle: who, when, why. Kept forever."""

    record = models.ForeignKey(VerificationFlight, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=VerificationFlight.Status.choices)
    to_status = models.CharField(max_length=16, choices=VerificationFlight.Status.choices)
    revision = models.PositiveIntegerField()
    reason = models.TextField(max_length=2000, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.record_id}: {self.from_status} -> {self.to_status}"


class SignOff(NeverDeleted):
    """A flight director's electronic signature on one revision of a verification record.

    It stores who, when, what the signature means, approve or reject with a comment, the SHA-256 of the
    record as signed, and the hash of the previous sign-off: all sign-offs form one chain. Once written
    it never changes, except that a reopen of its record marks it void (the void fields are outside the
    hash).
    """

    class Decision(models.TextChoices):
        APPROVE = "approve", "Approve"
        REJECT = "reject", "Reject"

    VOID_FIELDS = frozenset({"voided_at", "voided_by", "void_reason"})
    SEAL_FIELDS = frozenset({"key_id", "mac", "sealed_at"})

    sequence = models.PositiveBigIntegerField(unique=True, editable=False, help_text="Position in the chain.")
    record = models.ForeignKey(VerificationFlight, on_delete=models.PROTECT, related_name="signoffs")
    revision = models.PositiveIntegerField(help_text="The record's revision this signature covers.")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="verification_signoffs")
    signer_name = models.CharField(max_length=300, help_text="The signer's full name when signing.")
    signed_at = models.DateTimeField()
    meaning = models.TextField(max_length=1000, help_text='What the signature means, e.g. "objectives met; safe to proceed".')
    decision = models.CharField(max_length=16, choices=Decision.choices)
    comment = models.TextField(max_length=4000, blank=True)
    record_hash = models.CharField(max_length=64)
    document_version = models.PositiveSmallIntegerField(
        default=current_document_version, editable=False,
        help_text="The canonical form (verification/hashing.py) its record hash and its own hash use.",
    )
    previous_hash = models.CharField(max_length=64, unique=True)
    signoff_hash = models.CharField(max_length=64, unique=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    void_reason = models.TextField(blank=True)
    # The keyed seal (verification/signing.py): HMAC-SHA256 of signoff_hash under the deployment key `key_id`.
    key_id = models.CharField(max_length=32, blank=True, help_text="Which SIGNOFF_KEYS key sealed it.")
    mac = models.CharField(max_length=64, blank=True, help_text="HMAC-SHA256 seal; empty on unsealed legacy rows.")
    sealed_at = models.DateTimeField(
        null=True, blank=True, help_text="Set only when a legacy unkeyed sign-off was sealed later (seal_signoffs)."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["sequence"]
        verbose_name = "sign-off"
        constraints = [
            models.CheckConstraint(condition=Q(decision__in=["approve", "reject"]), name="signoff_decision_valid"),
            models.CheckConstraint(condition=~Q(decision="reject") | ~Q(comment=""), name="signoff_reject_has_comment"),
            models.CheckConstraint(condition=~Q(meaning=""), name="signoff_has_meaning"),
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True, void_reason="") | Q(voided_at__isnull=False) & ~Q(void_reason=""),
                name="signoff_void_has_reason",
            ),
            # The database itself refuses a second live signature by the same director on one record.
            models.UniqueConstraint(
                fields=["record", "signer"], condition=Q(voided_at__isnull=True), name="signoff_one_live_per_signer"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.get_decision_display().lower()} by {self.signer_name}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            update_fields = set(kwargs.get("update_fields") or ()) or None
            voiding = update_fields is not None and update_fields <= self.VOID_FIELDS
            sealing = (  # a legacy unkeyed row gets its seal once (seal_signoffs), never a second one
                update_fields is not None and update_fields <= self.SEAL_FIELDS
                and not type(self).objects.filter(pk=self.pk).exclude(mac="").exists()
            )
            if not (_lifecycle_write.get() and (voiding or sealing)):
                raise RecordLocked(f"Sign-off #{self.sequence} is a signature and cannot be changed.")
        super().save(*args, **kwargs)


class SignOffChainHead(models.Model):
    """The one row that says where the sign-off chain ends. Signing locks it, so signatures queue up."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    updated_at = models.DateTimeField(default=timezone.now)
    key_id = models.CharField(max_length=32, blank=True)
    mac = models.CharField(max_length=64, blank=True, help_text="HMAC-SHA256 seal of (last_sequence, last_hash).")

    class Meta:
        ordering = ["id"]
        verbose_name = "sign-off chain head"
        constraints = [models.CheckConstraint(condition=Q(id=1), name="signoff_chain_head_singleton")]

    def __str__(self) -> str:
        return f"Sign-off chain at #{self.last_sequence}"


class Mishap(NeverDeleted):
    """A flight ended in a mishap: the vehicle is grounded until the return-to-flight conditions are met."""

    flight = models.OneToOneField(Flight, on_delete=models.PROTECT, related_name="mishap")
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="mishaps")
    occurred_at = models.DateTimeField()
    description = models.TextField(max_length=10000)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    declared_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"Mishap on {self.flight.code}"


class CorrectiveAction(TransitionsMixin, NeverDeleted):
    """One action a mishap investigation calls for; the vehicle returns to service once all are closed."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    TRANSITIONS = {Status.OPEN: {Status.CLOSED}, Status.CLOSED: set()}

    mishap = models.ForeignKey(Mishap, on_delete=models.PROTECT, related_name="corrective_actions")
    description = models.TextField(max_length=10000)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    closure_note = models.TextField(blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["mishap", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["open", "closed"]), name="corrective_action_status_valid"),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | Q(status="closed", closed_at__isnull=False) & ~Q(closure_note=""),
                name="corrective_action_closed_has_note",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:80]
