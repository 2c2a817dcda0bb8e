"""The tracked-object catalog and computed launch windows with their collision-avoidance closures."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class TrackedObject(models.Model):
    """One object of the public catalog with its current element set (TLE lines or OMM mean elements)."""

    class ObjectType(models.TextChoices):
        PAYLOAD = "payload", "Payload"
        ROCKET_BODY = "rocket_body", "Rocket body"
        DEBRIS = "debris", "Debris"

    norad_id = models.PositiveIntegerField(unique=True, help_text="Catalog number (Alpha-5 numbers stored as integers).")
    name = models.CharField(max_length=80)
    international_designator = models.CharField(max_length=16, blank=True)
    object_type = models.CharField(max_length=16, choices=ObjectType.choices, default=ObjectType.PAYLOAD)
    inhabitable = models.BooleanField(default=False, help_text="Crewed station or vehicle: 200 km stand-off.")
    epoch = models.DateTimeField()
    line1 = models.CharField(max_length=80, blank=True)
    line2 = models.CharField(max_length=80, blank=True)
    mean_elements = models.JSONField(default=dict, help_text="Mean elements when no TLE lines are known (OMM).")
    perigee_km = models.FloatField()
    apogee_km = models.FloatField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["norad_id"]
        indexes = [models.Index(fields=["perigee_km", "apogee_km"])]
        constraints = [
            models.CheckConstraint(condition=Q(apogee_km__gte=F("perigee_km")), name="trackedobject_apogee_above_perigee"),
        ]

    def __str__(self) -> str:
        return f"{self.norad_id} {self.name}"


class CatalogImport(models.Model):
    """One load of the catalog from a file or the GP feed, with what it could not read."""

    source = models.CharField(max_length=500)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, help_text="Entries that could not be read, with their line numbers.")

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.source} at {self.started_at:%Y-%m-%d %H:%M}"


class WindowComputation(models.Model):
    """One run of compute_launch_windows for a flight: progress while it runs, the outcome after.

    The running task stamps `heartbeat_at` at each progress step; the beat's stale-job sweep requeues a
    queued or running computation whose heartbeat is older than JOB_STALE_AFTER_SECONDS (a lost broker
    message, a killed worker) and fails it after JOB_MAX_ATTEMPTS dispatches.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    flight = models.ForeignKey("flights.Flight", on_delete=models.PROTECT, related_name="window_computations")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress_percent = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=200, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    search_start = models.DateTimeField()
    search_end = models.DateTimeField()
    flight_launch_at = models.DateTimeField(help_text="The flight's planned launch when computed.")
    screening_exempt_reason = models.CharField(max_length=300, blank=True)
    objects_screened = models.PositiveIntegerField(default=0)
    failed_objects = models.JSONField(default=list, help_text="Objects SGP4 could not propagate, listed, not dropped.")
    decayed_objects = models.JSONField(default=list, help_text="Objects that had re-entered (SGP4 error 6): close nothing.")
    uncertain_objects = models.JSONField(
        default=list, help_text="Objects with stale elements (screened padded) or that SGP4 could not propagate."
    )
    object_counts = models.JSONField(default=dict, help_text="Objects per class: screened, stale, unpropagatable, decayed.")
    catalog_imported_at = models.DateTimeField(
        null=True, blank=True, help_text="When the catalog screened against was last imported (its age is checked)."
    )
    catalog_size = models.PositiveIntegerField(default=0, help_text="Objects in the catalog when screened.")
    error = models.TextField(blank=True)
    heartbeat_at = models.DateTimeField(
        default=timezone.now, help_text="Last sign of life: when it was queued, requeued or last reported progress."
    )
    attempts = models.PositiveSmallIntegerField(default=1, help_text="How many times it was sent to a worker.")
    screening_plan = models.JSONField(
        default=dict, blank=True,
        help_text="When screened in chunks: the windows, their ascent, the catalog ranges and the catalog's size.",
    )
    chunks_total = models.PositiveSmallIntegerField(default=0, help_text="Catalog chunks screened by workers (0: one process).")

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="windowcomputation_stale")]
        constraints = [
            models.CheckConstraint(condition=Q(progress_percent__lte=100), name="windowcomputation_progress_max_100"),
            models.CheckConstraint(condition=Q(search_end__gt=F("search_start")), name="windowcomputation_range_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.flight.code} windows ({self.get_status_display().lower()}, {self.progress_percent}%)"


class CatalogChunk(models.Model):
    """One slice of the catalog screened by a worker for a chunked job (flights.chunks): its catalog-number range
    [norad_from, norad_before), how many objects it loaded and its part of the job's result. A concrete chunk adds
    the foreign key to its job, unique with `index`."""

    index = models.PositiveSmallIntegerField()
    norad_from = models.PositiveIntegerField(null=True, blank=True, help_text="First catalog number (none: from the start).")
    norad_before = models.PositiveIntegerField(null=True, blank=True, help_text="Catalog numbers below this (none: to the end).")
    object_count = models.PositiveIntegerField(default=0)
    results = models.JSONField(default=list)
    cpu_seconds = models.FloatField(default=0.0)
    worker = models.CharField(max_length=200, blank=True)
    finished_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


class ScreeningChunk(CatalogChunk):
    """One slice of the catalog screened by a worker for a window computation: its part of every window's result.

    Unique per (computation, index): a chunk task that runs twice (acks-late redelivery) finds its row and
    changes nothing. The chunk that brings the last row joins them, under the computation's row lock.
    """

    computation = models.ForeignKey(WindowComputation, on_delete=models.CASCADE, related_name="screening_chunks")
    results = models.JSONField(default=list, help_text="The chunk's screening result for each window, in window order.")

    class Meta:
        ordering = ["computation", "index"]
        constraints = [models.UniqueConstraint(fields=["computation", "index"], name="screeningchunk_one_per_index")]

    def __str__(self) -> str:
        return f"chunk {self.index} of computation {self.computation_id}"


class LaunchWindow(models.Model):
    """A computed opportunity to launch: planar (orbital) or daylight (suborbital)."""

    class Kind(models.TextChoices):
        PLANAR = "planar", "In-plane"
        DAYLIGHT = "daylight", "Daylight"
        CONTINUOUS = "continuous", "Any time (no target plane)"

    flight = models.ForeignKey("flights.Flight", on_delete=models.CASCADE, related_name="launch_windows")
    computation = models.ForeignKey(WindowComputation, on_delete=models.PROTECT, related_name="windows")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    in_plane_at = models.DateTimeField(null=True, blank=True)
    azimuth_deg = models.FloatField(null=True, blank=True)
    closures_computed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["opens_at"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="launchwindow_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.flight.code} {self.opens_at:%Y-%m-%d %H:%M:%S}-{self.closes_at:%H:%M:%S} UTC"

    def contains(self, moment) -> bool:
        return self.opens_at <= moment <= self.closes_at


class WindowClosure(models.Model):
    """A collision-avoidance cut-out inside a window (14 CFR 450.169): liftoff times that are closed."""

    class ObjectClass(models.TextChoices):
        INHABITABLE = "inhabitable", "Inhabitable (200 km)"
        ACTIVE = "active", "Active (25 km)"
        DEBRIS = "debris", "Debris (2.5 km)"

    window = models.ForeignKey(LaunchWindow, on_delete=models.CASCADE, related_name="closures")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    norad_id = models.PositiveIntegerField()
    object_name = models.CharField(max_length=80)
    object_class = models.CharField(max_length=16, choices=ObjectClass.choices)
    class Rule(models.TextChoices):
        SCREENED = "screened", "Screened"
        STALE_ELEMENTS_PADDED = "stale_elements_padded", "Stale elements, stand-off padded"
        UNPROPAGATABLE_BAND = "unpropagatable_band", "Cannot be propagated; its orbit band reaches the flight"

    min_distance_km = models.FloatField()
    closest_approach_at = models.DateTimeField()
    rule = models.CharField(max_length=32, choices=Rule.choices, default=Rule.SCREENED,
                            help_text="Which screening rule made this closure.")
    allowance_km = models.FloatField(default=0.0, help_text="Error-growth allowance added to the stand-off.")

    class Meta:
        ordering = ["starts_at", "norad_id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gte=F("starts_at")), name="windowclosure_ordered"),
        ]

    def __str__(self) -> str:
        return f"closed {self.starts_at:%H:%M:%S}-{self.ends_at:%H:%M:%S} UTC by {self.norad_id} {self.object_name}"

    @property
    def from_uncertain_object(self) -> bool:
        return self.rule != self.Rule.SCREENED
