"""Launch readiness: positions and who holds them, crew, weather, the countdown, reports, waivers, the poll."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from config.history import HistoricalRecords
from flights.statemachine import TransitionsMixin


class Position(models.TextChoices):
    """The one list of positions (DESIGN.md): each owns findings and votes in the Go/No-Go poll."""

    FLIGHT_DIRECTOR = "flight_director", "Flight Director"
    VEHICLE = "vehicle", "Vehicle"
    RANGE = "range", "Range"
    WEATHER = "weather", "Weather"
    TRAFFIC = "traffic", "Traffic (collision avoidance)"
    VERIFICATION = "verification", "Verification"
    MEDICAL = "medical", "Medical"
    MANIFEST = "manifest", "Manifest"
    RECOVERY = "recovery", "Recovery"


class Verdict(models.TextChoices):
    GO = "go", "GO"
    NO_GO = "no_go", "NO-GO"
    WAIVABLE = "waivable", "Waivable"


class PositionAssignment(models.Model):
    """The person who holds a position for one flight: votes in the poll, hears of its NO-GO findings."""

    flight = models.ForeignKey("flights.Flight", on_delete=models.PROTECT, related_name="positions")
    position = models.CharField(max_length=24, choices=Position.choices)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="flight_positions")


    class Meta:
        ordering = ["flight", "position"]
        constraints = [models.UniqueConstraint(fields=["flight", "position"], name="one_person_per_position")]

    def __str__(self) -> str:
        return f"{self.flight.code} {self.get_position_display()}: {self.person}"


class CrewMember(models.Model):
    """A pilot or commander: second-class medical (14 CFR 460.5) and recurrent training (460.7)."""

    class Role(models.TextChoices):
        COMMANDER = "commander", "Commander"
        PILOT = "pilot", "Pilot"

    name = models.CharField(max_length=120)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    role = models.CharField(max_length=16, choices=Role.choices)
    medical_issued_on = models.DateField(help_text="Date the FAA second-class medical certificate was issued.")
    recurrent_training_until = models.DateField(help_text="Recurrent training is current up to this date.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class FlightCrew(models.Model):
    """A crew member assigned to a flight that carries crew."""

    flight = models.ForeignKey("flights.Flight", on_delete=models.PROTECT, related_name="crew")
    member = models.ForeignKey(CrewMember, on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(max_length=16, choices=CrewMember.Role.choices)

    class Meta:
        ordering = ["flight", "role"]
        constraints = [models.UniqueConstraint(fields=["flight", "member"], name="crew_member_once_per_flight")]

    def __str__(self) -> str:
        return f"{self.flight.code}: {self.member.name} ({self.get_role_display()})"


class WeatherReport(models.Model):
    """An observation or forecast at a spaceport, entered in admin or imported through a provider."""

    class Kind(models.TextChoices):
        OBSERVATION = "observation", "Observation"
        FORECAST = "forecast", "Forecast"

    spaceport = models.ForeignKey("flights.Spaceport", on_delete=models.PROTECT, related_name="weather")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.OBSERVATION)
    valid_at = models.DateTimeField(help_text="Observed at, or the time a forecast is for.")
    issued_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=120, default="manual")
    wind_kt = models.PositiveSmallIntegerField(help_text="Sustained wind at the pad.")
    gust_kt = models.PositiveSmallIntegerField(default=0)
    ceiling_ft = models.PositiveIntegerField(null=True, blank=True)
    visibility_mi = models.FloatField(null=True, blank=True)
    lightning_distance_nmi = models.FloatField(null=True, blank=True, help_text="Nearest strike; empty for none.")
    lightning_age_min = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Minutes since that strike.")
    anvil_distance_nmi = models.FloatField(null=True, blank=True, help_text="Attached anvil cloud; empty for none.")
    thick_cloud_layer = models.BooleanField(default=False, help_text="Freezing layer thicker than 4,500 ft.")
    field_mill_v_m = models.IntegerField(default=0, help_text="Electric field mill reading, V/m.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-valid_at", "-issued_at"]
        indexes = [models.Index(fields=["spaceport", "valid_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(gust_kt__gte=0), name="weather_gust_nonnegative"),
            models.CheckConstraint(
                condition=Q(lightning_distance_nmi__isnull=True) | Q(lightning_distance_nmi__gte=0),
                name="weather_lightning_distance_nonnegative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.spaceport.code} {self.get_kind_display().lower()} {self.valid_at:%Y-%m-%d %H:%M} UTC"


class ReadinessReport(models.Model):
    """One run of every registered check for a flight, as it stood then. Kept as evidence."""

    flight = models.ForeignKey("flights.Flight", on_delete=models.PROTECT, related_name="readiness_reports")
    created_at = models.DateTimeField(default=timezone.now)
    trigger = models.CharField(max_length=120, help_text="The milestone, poll or person that asked for it.")
    launch_at = models.DateTimeField(help_text="The planned launch the checks were run for.")
    findings = models.JSONField(default=list)
    all_go = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.flight.code} readiness {self.created_at:%Y-%m-%d %H:%M} ({'GO' if self.all_go else 'NO-GO'})"


class Waiver(models.Model):
    """The flight director's recorded waiver of one WAIVABLE finding: who, when, why."""

    flight = models.ForeignKey("flights.Flight", on_delete=models.PROTECT, related_name="waivers")
    check_key = models.CharField(max_length=200, help_text="The finding's key, e.g. weather.gusts.")
    reason = models.TextField(max_length=2000)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)
    launch_at = models.DateTimeField(help_text="A waiver holds for this launch attempt only.")

    class Meta:
        ordering = ["-granted_at"]
        constraints = [
            models.UniqueConstraint(fields=["flight", "check_key", "launch_at"], name="one_waiver_per_finding_attempt"),
            models.CheckConstraint(condition=~Q(reason=""), name="waiver_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.flight.code} waiver of {self.check_key}"


class CountdownMilestone(models.Model):
    """A step due at a time before launch (the countdown) or before an orbital flight's planned landing (its
    return: undocking, deorbit burn, landing); claimed by the beat sweep, never a Celery eta."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        SKIPPED = "skipped", "Skipped"

    class Phase(models.TextChoices):
        LAUNCH = "launch", "Countdown to launch"
        RETURN = "return", "Return"

    flight = models.ForeignKey("flights.Flight", on_delete=models.PROTECT, related_name="milestones")
    phase = models.CharField(max_length=8, choices=Phase.choices, default=Phase.LAUNCH)
    key = models.SlugField(max_length=40)
    name = models.CharField(max_length=120)
    offset = models.DurationField(help_text="How long before launch (countdown) or the planned landing (return) it is due.")
    due_at = models.DateTimeField()
    runs_checks = models.BooleanField(default=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    completed_at = models.DateTimeField(null=True, blank=True)
    report = models.ForeignKey(ReadinessReport, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["status", "due_at"])]
        constraints = [models.UniqueConstraint(fields=["flight", "key"], name="one_milestone_per_key")]

    def __str__(self) -> str:
        return f"{self.flight.code} {self.name} ({self.offset_text})"

    @property
    def offset_text(self) -> str:
        """L-6 days, 0:00:00 before launch; "landing-0:50:00" before the planned landing."""
        return f"{'landing' if self.phase == self.Phase.RETURN else 'L'}-{self.offset}"


class Notification(models.Model):
    """A message to a person, written in the transaction that decided it (the outbox, DESIGN.md).

    The dedupe key makes it unique, so a repeated run writes it once. The sender claims one due row at a
    time (SKIP LOCKED), hands it to the mail server and stamps it sent in that row's own transaction, so a
    killed worker repeats at most the one in flight. A failed attempt backs off (`next_attempt_at`); after
    NOTIFICATION_MAX_ATTEMPTS the row is failed and stays for operations to see and resend.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    dedupe_key = models.CharField(max_length=200, unique=True)
    recipient = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    sensitive = models.BooleanField(
        default=False, help_text="The body carries a sign-in or verification link: admin never shows it."
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notification_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False) | (~Q(status="sent") & Q(sent_at__isnull=True)),
                name="notification_sent_has_sent_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.subject}"


class GoNoGoPoll(TransitionsMixin, models.Model):
    """The launch-day poll: every position says GO or NO-GO; the director declares launch on all GO."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        GO = "go", "Go for launch"
        SCRUBBED = "scrubbed", "Scrubbed"

    TRANSITIONS = {Status.OPEN: {Status.GO, Status.SCRUBBED}, Status.GO: {Status.SCRUBBED}, Status.SCRUBBED: set()}

    flight = models.ForeignKey("flights.Flight", on_delete=models.PROTECT, related_name="polls")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    launch_at = models.DateTimeField(help_text="The launch attempt this poll is for.")
    scrub_reason = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = "Go/No-Go poll"
        constraints = [
            models.UniqueConstraint(fields=["flight"], condition=Q(status="open"), name="one_open_poll_per_flight"),
        ]

    def __str__(self) -> str:
        return f"{self.flight.code} poll {self.opened_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"


class PollVote(models.Model):
    """One position's answer in a poll; a later answer from the same position replaces it."""

    poll = models.ForeignKey(GoNoGoPoll, on_delete=models.PROTECT, related_name="votes")
    position = models.CharField(max_length=24, choices=Position.choices)
    vote = models.CharField(max_length=8, choices=[(Verdict.GO, "GO"), (Verdict.NO_GO, "NO-GO")])
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(max_length=2000, blank=True)
    voted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["poll", "position"], name="one_vote_per_position")]

    def __str__(self) -> str:
        return f"{self.poll.flight.code} {self.get_position_display()}: {self.get_vote_display()}"
