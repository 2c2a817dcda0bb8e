"""Medical clearance of passengers: questionnaire, flight-surgeon review, decision, and who read what.

Split by who may see it. `MedicalClearance` (status, validity, restrictions), its status changes and the
"no change in my health" self-certifications are seen by operations and flight directors. The content
(questionnaire answers, notes, examinations, documents) lives in its own models, encrypted at rest, read
only by the passenger and flight surgeons, and every read leaves a `MedicalAccessLog` row.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from config.history import HistoricalRecords
from flights.models import Flight, Regime
from flights.statemachine import TransitionsMixin
from tourism.medical.fields import EncryptedJSONField, EncryptedTextField
from tourism.medical.storage import private_medical_storage

# Status groups as plain values, for the constraints in Meta (which cannot see the class body).
_OPEN = ["draft", "submitted", "under_review", "information_requested"]
_CLEARED = ["cleared", "cleared_with_restrictions"]
_DECIDED = [*_CLEARED, "not_cleared"]


class MedicalClearance(TransitionsMixin, models.Model):
    """One screening of a passenger, from the draft questionnaire to the flight surgeon's decision.

    Never deleted: a newer decision supersedes it, time expires it (14 CFR 450.219 keeps records).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        UNDER_REVIEW = "under_review", "Under review"
        INFORMATION_REQUESTED = "information_requested", "More information requested"
        CLEARED = "cleared", "Cleared"
        CLEARED_WITH_RESTRICTIONS = "cleared_with_restrictions", "Cleared with restrictions"
        NOT_CLEARED = "not_cleared", "Not cleared"
        EXPIRED = "expired", "Expired"
        SUPERSEDED = "superseded", "Superseded"

    TRANSITIONS = {
        Status.DRAFT: {Status.SUBMITTED},
        Status.SUBMITTED: {Status.UNDER_REVIEW},
        Status.UNDER_REVIEW: {
            Status.CLEARED, Status.CLEARED_WITH_RESTRICTIONS, Status.INFORMATION_REQUESTED, Status.NOT_CLEARED,
        },
        Status.INFORMATION_REQUESTED: {Status.SUBMITTED},
        Status.CLEARED: {Status.EXPIRED, Status.SUPERSEDED},
        Status.CLEARED_WITH_RESTRICTIONS: {Status.EXPIRED, Status.SUPERSEDED},
        Status.NOT_CLEARED: {Status.SUPERSEDED},
        Status.EXPIRED: set(),
        Status.SUPERSEDED: set(),
    }
    OPEN_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.UNDER_REVIEW, Status.INFORMATION_REQUESTED)
    DECISION_STATUSES = (Status.CLEARED, Status.CLEARED_WITH_RESTRICTIONS, Status.NOT_CLEARED)
    CLEARED_STATUSES = (Status.CLEARED, Status.CLEARED_WITH_RESTRICTIONS)
    # The passenger may change answers and documents only while the questionnaire is with them.
    EDITABLE_STATUSES = (Status.DRAFT, Status.INFORMATION_REQUESTED)
    # A surgeon works on it (examinations, notes) while reviewing and while it stands cleared.
    REVIEWABLE_STATUSES = (Status.UNDER_REVIEW, Status.INFORMATION_REQUESTED, *CLEARED_STATUSES)

    passenger = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="medical_clearances")
    status = models.CharField(max_length=32, choices=Status.choices, default=Status.DRAFT, editable=False)
    status_changed_at = models.DateTimeField(default=timezone.now, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False,
        help_text="The flight surgeon who took it for review.",
    )
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    valid_until = models.DateField(
        null=True, blank=True, editable=False, help_text="Last day the clearance is valid (inclusive)."
    )
    allowed_regimes = models.JSONField(
        default=list, blank=True, editable=False, help_text="Regimes a cleared passenger may fly."
    )
    max_g = models.DecimalField(
        max_digits=3, decimal_places=1, null=True, blank=True, editable=False,
        help_text="Highest peak g allowed; empty for no limit.",
    )
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="supersedes", editable=False
    )
    expiry_reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "valid_until"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[*_OPEN, *_DECIDED, "expired", "superseded"]), name="medicalclearance_status_valid"
            ),
            # One questionnaire in progress per passenger, and one standing decision.
            models.UniqueConstraint(
                fields=["passenger"], condition=Q(status__in=_OPEN), name="medicalclearance_one_open"
            ),
            models.UniqueConstraint(
                fields=["passenger"], condition=Q(status__in=_DECIDED), name="medicalclearance_one_standing"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[*_DECIDED, "expired"])
                | Q(decided_at__isnull=False, decided_by__isnull=False),
                name="medicalclearance_decision_has_surgeon_and_time",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[*_CLEARED, "expired"]) | Q(valid_until__isnull=False),
                name="medicalclearance_cleared_has_validity",
            ),
            models.CheckConstraint(condition=Q(max_g__isnull=True) | Q(max_g__gt=0), name="medicalclearance_max_g_positive"),
            models.CheckConstraint(
                condition=~Q(status="cleared") | Q(max_g__isnull=True), name="medicalclearance_cleared_has_no_g_limit"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=_OPEN) | Q(decided_at__isnull=True), name="medicalclearance_open_undecided"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} ({self.passenger})"

    def get_absolute_url(self) -> str:
        return reverse("medical:clearance-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_cleared(self) -> bool:
        return self.status in self.CLEARED_STATUSES

    @property
    def restrictions_display(self) -> str:
        """What operations and flight directors may know: which regimes, what g (no medical detail)."""
        if self.status not in (*self.CLEARED_STATUSES, self.Status.EXPIRED):
            return "—"
        parts = []
        if set(self.allowed_regimes) != set(Regime.values):
            labels = [Regime(regime).label.lower() for regime in Regime.values if regime in self.allowed_regimes]
            parts.append(" and ".join(labels).capitalize() + " only" if labels else "No regime")
        if self.max_g is not None:
            parts.append(f"max {self.max_g} g")
        return ", ".join(parts) or "None"


class ClearanceStatusChange(models.Model):
    """One move of a clearance's state machine: who and when. The why is medical: it is a note."""

    clearance = models.ForeignKey(MedicalClearance, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=32, choices=MedicalClearance.Status.choices)
    to_status = models.CharField(max_length=32, choices=MedicalClearance.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"Clearance #{self.clearance_id}: {self.from_status} -> {self.to_status}"


class MedicalQuestionnaire(models.Model):
    """The passenger's answers (see questionnaire.py), encrypted. Private to the passenger and surgeons."""

    clearance = models.OneToOneField(MedicalClearance, on_delete=models.PROTECT, related_name="questionnaire")
    answers = EncryptedJSONField(default=dict)
    updated_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return f"Questionnaire of clearance #{self.clearance_id}"


class ClearanceNote(models.Model):
    """Written medical reasoning and exchanges: decision reasons, requests, replies. Encrypted, append-only."""

    class Kind(models.TextChoices):
        DECISION = "decision", "Decision reasons"
        INFORMATION_REQUEST = "information_request", "Request for more information"
        PASSENGER_REPLY = "passenger_reply", "Passenger's reply"
        SURGEON_NOTE = "surgeon_note", "Flight surgeon's note"

    clearance = models.ForeignKey(MedicalClearance, on_delete=models.PROTECT, related_name="notes")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    body = EncryptedTextField(max_length=10000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on clearance #{self.clearance_id}"


class MedicalExamination(models.Model):
    """A physical examination or mental-health evaluation, entered by a flight surgeon (orbital flights)."""

    class Kind(models.TextChoices):
        PHYSICAL = "physical", "Physical examination"
        MENTAL_HEALTH = "mental_health", "Mental-health evaluation"

    class Outcome(models.TextChoices):
        SATISFACTORY = "satisfactory", "Satisfactory"
        UNSATISFACTORY = "unsatisfactory", "Unsatisfactory"

    clearance = models.ForeignKey(MedicalClearance, on_delete=models.PROTECT, related_name="examinations")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    performed_on = models.DateField()
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    findings = EncryptedTextField(max_length=10000)
    examiner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-performed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["physical", "mental_health"]), name="medicalexamination_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=["satisfactory", "unsatisfactory"]), name="medicalexamination_outcome_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.performed_on:%Y-%m-%d} (clearance #{self.clearance_id})"


def _document_name(instance, filename: str) -> str:
    # The name on disk says nothing: no original file name, no passenger.
    return f"medical/{uuid.uuid4().hex}.bin"


class MedicalDocument(models.Model):
    """A supporting document (ECG, specialist letter): encrypted before it is written to private storage."""

    class Kind(models.TextChoices):
        ECG = "ecg", "ECG"
        SPECIALIST_LETTER = "specialist_letter", "Specialist letter"
        TEST_RESULT = "test_result", "Test result"
        OTHER = "other", "Other"

    class ContentType(models.TextChoices):
        PDF = "application/pdf", "PDF"
        PNG = "image/png", "PNG"
        JPEG = "image/jpeg", "JPEG"

    clearance = models.ForeignKey(MedicalClearance, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.OTHER)
    original_name = EncryptedTextField(max_length=255, help_text="The uploaded file's name (it can itself say something medical).")
    content_type = models.CharField(max_length=32, choices=ContentType.choices)
    size_bytes = models.PositiveIntegerField()
    file = models.FileField(storage=private_medical_storage, upload_to=_document_name, max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(size_bytes__gt=0), name="medicaldocument_not_empty"),
            models.CheckConstraint(
                condition=Q(content_type__in=["application/pdf", "image/png", "image/jpeg"]),
                name="medicaldocument_allowed_type",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} (clearance #{self.clearance_id})"

    def get_absolute_url(self) -> str:
        return reverse("medical:document-download", args=[self.pk])

    @property
    def extension(self) -> str:
        return {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}[self.content_type]


class HealthSelfCertification(models.Model):
    """The passenger's "no change in my health since my clearance" statement for one flight, in its final day."""

    STATEMENT = (
        "I certify that my health has not changed since my medical clearance: no new illness, injury, "
        "medication, surgery or pregnancy."
    )

    passenger = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="health_self_certifications"
    )
    flight = models.ForeignKey(Flight, on_delete=models.PROTECT, related_name="health_self_certifications")
    clearance = models.ForeignKey(MedicalClearance, on_delete=models.PROTECT, related_name="self_certifications")
    statement = models.TextField(default=STATEMENT, editable=False)
    certified_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-certified_at", "-id"]
        indexes = [models.Index(fields=["passenger", "flight", "certified_at"])]

    def __str__(self) -> str:
        return f"{self.passenger} for {self.flight}: no change in health ({self.certified_at:%Y-%m-%d %H:%M} UTC)"


class MedicalAccessLog(models.Model):
    """Who read which piece of a medical record, when, and through what (portal, API, admin)."""

    class RecordType(models.TextChoices):
        QUESTIONNAIRE = "questionnaire", "Questionnaire answers"
        NOTE = "note", "Note"
        EXAMINATION = "examination", "Examination"
        DOCUMENT = "document", "Document"

    class Channel(models.TextChoices):
        PORTAL = "portal", "Portal"
        API = "api", "API"
        ADMIN = "admin", "Admin"

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        DOWNLOAD = "download", "Downloaded"

    accessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    accessed_at = models.DateTimeField(default=timezone.now)
    clearance = models.ForeignKey(MedicalClearance, on_delete=models.PROTECT, related_name="access_logs")
    record_type = models.CharField(max_length=16, choices=RecordType.choices)
    record_id = models.PositiveBigIntegerField()
    action = models.CharField(max_length=16, choices=Action.choices, default=Action.VIEW)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    path = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-accessed_at", "-id"]
        indexes = [models.Index(fields=["clearance", "accessed_at"])]

    def __str__(self) -> str:
        return f"{self.accessed_by} {self.get_action_display().lower()} {self.record_type} #{self.record_id}"
