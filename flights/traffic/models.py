"""Conjunction events: a protected object of ours, another object, their closest approach, its updates.

An event is one pair (protected object, other object) and one time of closest approach (TCA): a new
message for the same pair with a TCA within `TRAFFIC_SAME_EVENT_MINUTES` is an update of it. Every
update is kept (the trend of Pc is read from them); the event carries the latest one's figures.
Nothing here is deleted: events close after their TCA with what happened.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from flights.models.windows import CatalogChunk
from flights.traffic import tiers

TIER_CHOICES = [(tiers.GREEN, "Green"), (tiers.YELLOW, "Yellow"), (tiers.RED, "Red")]


class Source(models.TextChoices):
    CDM = "cdm", "Conjunction Data Message"
    SCREENING = "screening", "Our own screening (catalog)"


class CovarianceState(models.TextChoices):
    GIVEN = "given", "Covariance given"
    REMEDIATED = "remediated", "Covariance remediated (eigenvalue clipping)"
    NONE = "none", "No covariance"


class ProtectedObject(models.Model):
    """Something of ours in orbit whose conjunctions we assess: the flight's vehicle, or its station."""

    class Kind(models.TextChoices):
        VEHICLE = "vehicle", "Our vehicle in orbit"
        STATION = "station", "The station it is docked to"

    flight = models.ForeignKey("flights.Flight", on_delete=models.PROTECT, related_name="protected_objects")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    designator = models.CharField(
        max_length=32, help_text="Catalog number (SATCAT), as CDMs name it in OBJECT_DESIGNATOR."
    )
    name = models.CharField(max_length=120)
    is_active = models.BooleanField(default=True, help_text="Still in orbit and screened.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["flight", "kind", "designator"]
        constraints = [
            models.UniqueConstraint(
                fields=["designator"], condition=Q(is_active=True), name="traffic_one_active_protected_designator"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.designator})"


class ConjunctionEvent(models.Model):
    """A close approach between a protected object and another object, with its latest figures."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    protected = models.ForeignKey(ProtectedObject, on_delete=models.PROTECT, related_name="events")
    other_designator = models.CharField(max_length=32)
    other_name = models.CharField(max_length=120, blank=True)
    tca = models.DateTimeField(help_text="Time of closest approach (latest update), UTC.")
    miss_distance_m = models.FloatField()
    miss_r_m = models.FloatField(help_text="Radial part of the miss, in the protected object's RTN frame.")
    miss_t_m = models.FloatField(help_text="In-track part of the miss.")
    miss_n_m = models.FloatField(help_text="Cross-track part of the miss.")
    relative_speed_m_s = models.FloatField()
    pc = models.FloatField(null=True, blank=True, help_text="Probability of collision; empty: no covariance.")
    pc_method = models.CharField(max_length=32, blank=True)
    hbr_m = models.FloatField(help_text="Combined hard-body radius used for the Pc.")
    covariance = models.CharField(max_length=16, choices=CovarianceState.choices)
    source = models.CharField(max_length=16, choices=Source.choices)
    tier = models.CharField(max_length=8, choices=TIER_CHOICES)
    tier_since = models.DateTimeField(default=timezone.now, help_text="When the tier last changed.")
    alerted_tier = models.CharField(max_length=8, choices=TIER_CHOICES, blank=True, editable=False)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    outcome = models.TextField(blank=True, editable=False, help_text="What happened (written when it closes).")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["tca", "id"]
        indexes = [models.Index(fields=["status", "tca"]), models.Index(fields=["protected", "other_designator"])]
        constraints = [
            models.CheckConstraint(condition=Q(tier__in=["green", "yellow", "red"]), name="traffic_event_tier_valid"),
            models.CheckConstraint(
                condition=Q(pc__isnull=True) | Q(pc__gte=0, pc__lte=1), name="traffic_event_pc_is_probability"
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False), name="traffic_event_closed_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.protected.name} x {self.other_name or self.other_designator} at {self.tca:%Y-%m-%d %H:%M:%S}Z"

    def get_absolute_url(self) -> str:
        return reverse("traffic:event-detail", args=[self.pk])

    @property
    def flight(self):
        return self.protected.flight


class ConjunctionUpdate(models.Model):
    """One message (CDM) or screening result about an event, exactly as received and assessed."""

    event = models.ForeignKey(ConjunctionEvent, on_delete=models.PROTECT, related_name="updates")
    source = models.CharField(max_length=16, choices=Source.choices)
    message_id = models.CharField(max_length=200, blank=True)
    originator = models.CharField(max_length=120, blank=True)
    created_by_originator_at = models.DateTimeField(null=True, blank=True, help_text="The CDM's CREATION_DATE.")
    received_at = models.DateTimeField(default=timezone.now)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    tca = models.DateTimeField()
    miss_distance_m = models.FloatField()
    miss_r_m = models.FloatField()
    miss_t_m = models.FloatField()
    miss_n_m = models.FloatField()
    relative_speed_m_s = models.FloatField()
    pc = models.FloatField(null=True, blank=True)
    stated_pc = models.FloatField(null=True, blank=True, help_text="The Pc the message itself stated.")
    pc_method = models.CharField(max_length=32, blank=True)
    hbr_m = models.FloatField()
    covariance = models.CharField(max_length=16, choices=CovarianceState.choices)
    tier = models.CharField(max_length=8, choices=TIER_CHOICES)
    # The encounter plane as integrated (for the board's picture): miss (x, y) and covariance (xx, xy, yy), m.
    plane_miss_m = models.JSONField(default=list, blank=True)
    plane_covariance_m2 = models.JSONField(default=list, blank=True)
    superseded = models.BooleanField(
        default=False, help_text="A screening result received after a CDM for the event: kept, not used."
    )
    cdm_text = models.TextField(blank=True, help_text="The CDM as received (KVN).")

    class Meta:
        ordering = ["event", "received_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "message_id"], condition=~Q(message_id=""), name="traffic_update_message_once"
            ),
            models.CheckConstraint(condition=Q(tier__in=["green", "yellow", "red"]), name="traffic_update_tier_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.message_id or self.pk} for event {self.event_id}"


class ConjunctionDecision(models.Model):
    """The flight director's signed decision on a yellow or red event (password re-entered)."""

    class Kind(models.TextChoices):
        MONITOR = "monitor", "Keep monitoring"
        MANOEUVRE = "manoeuvre", "Debris avoidance manoeuvre"
        SHELTER = "shelter", "Shelter in place (crew into the capsule)"

    event = models.ForeignKey(ConjunctionEvent, on_delete=models.PROTECT, related_name="decisions")
    update = models.ForeignKey(ConjunctionUpdate, on_delete=models.PROTECT, related_name="decisions")
    tier = models.CharField(max_length=8, choices=TIER_CHOICES, help_text="The event's tier when decided.")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    reason = models.TextField()
    manoeuvre_at = models.DateTimeField(null=True, blank=True)
    delta_v_m_s = models.FloatField(null=True, blank=True)
    shelter_at = models.DateTimeField(null=True, blank=True, help_text="Crew in the capsule by then.")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conjunction_decisions")
    signer_name = models.CharField(max_length=300)
    signed_at = models.DateTimeField()
    meaning = models.TextField(help_text="What the signature means.")

    class Meta:
        ordering = ["event", "signed_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="manoeuvre") | Q(manoeuvre_at__isnull=False, delta_v_m_s__gt=0),
                name="traffic_manoeuvre_has_time_and_delta_v",
            ),
            models.CheckConstraint(
                condition=~Q(kind="shelter") | Q(shelter_at__isnull=False), name="traffic_shelter_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on event {self.event_id} by {self.signer_name}"

    @property
    def clears_red(self) -> bool:
        return self.kind in (self.Kind.MANOEUVRE, self.Kind.SHELTER)


class ScreeningRun(models.Model):
    """One run of our own on-orbit screening: each protected object in orbit, days ahead, against the catalog.

    Queued by the beat every TRAFFIC_SCREENING_INTERVAL_HOURS (flights.traffic.screening). Like a window
    computation, the running task stamps `heartbeat_at` at each progress step, and a queued or running run
    not heard of for JOB_STALE_AFTER_SECONDS is sent to a worker again (flights.jobs), then failed.
    `results` keeps one entry per protected object: screened (with its counts) or failed (with the reason).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress_percent = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=200, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        default=timezone.now, help_text="Last sign of life: when it was queued, requeued or last reported progress."
    )
    attempts = models.PositiveSmallIntegerField(default=1, help_text="How many times it was sent to a worker.")
    span_start = models.DateTimeField(null=True, blank=True, help_text="Screened from (the run's start), UTC.")
    span_days = models.FloatField(default=7.0)
    catalog_imported_at = models.DateTimeField(null=True, blank=True)
    catalog_size = models.PositiveIntegerField(default=0)
    objects_screened = models.PositiveIntegerField(default=0, help_text="Protected objects screened.")
    approaches_found = models.PositiveIntegerField(default=0, help_text="Close approaches inside the volume.")
    events_created = models.PositiveIntegerField(default=0)
    events_updated = models.PositiveIntegerField(default=0)
    results = models.JSONField(default=list, blank=True, help_text="Per protected object: screened or failed, and why.")
    error = models.TextField(blank=True)
    screening_plan = models.JSONField(
        default=dict,
        blank=True,
        help_text="Screened in catalog chunks: what each chunk screens (flights.traffic.screening).",
    )
    chunks_total = models.PositiveSmallIntegerField(
        default=0, help_text="Catalog chunks sent to workers (0: one process)."
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["status", "heartbeat_at"], name="screeningrun_stale"),
            models.Index(fields=["finished_at"], name="screeningrun_finished"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(progress_percent__lte=100), name="screeningrun_progress_max_100"),
            models.CheckConstraint(
                condition=~Q(status__in=["done", "failed"]) | Q(finished_at__isnull=False),
                name="screeningrun_finished_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"On-orbit screening {self.requested_at:%Y-%m-%d %H:%M} ({self.get_status_display().lower()})"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def unscreened(self) -> list[dict]:
        """The protected objects this run could not screen, each with its reason."""
        return [entry for entry in self.results if entry.get("status") != "screened"]

    def result_for(self, designator: str) -> dict | None:
        return next((entry for entry in self.results if entry.get("designator") == designator), None)


class ScreeningRunChunk(CatalogChunk):
    """One slice of the catalog screened by a worker for an on-orbit screening run: its part of each protected
    object's result. Unique per (run, index): a chunk task that runs twice (acks-late redelivery) finds its row
    and changes nothing. The chunk that brings the last row joins them, under the run's row lock."""

    run = models.ForeignKey(ScreeningRun, on_delete=models.CASCADE, related_name="chunks")
    object_count = models.PositiveIntegerField(
        default=0, help_text="Catalog objects in the range when it was screened."
    )
    results = models.JSONField(
        default=list, help_text="The chunk's part for each planned protected object, in plan order."
    )

    class Meta:
        ordering = ["run", "index"]
        constraints = [models.UniqueConstraint(fields=["run", "index"], name="screeningrunchunk_one_per_index")]

    def __str__(self) -> str:
        return f"chunk {self.index} of on-orbit screening run {self.run_id}"
