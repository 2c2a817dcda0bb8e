"""Spaceports, vehicle models, the fleet, itineraries (mission profiles) and flights."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from config.history import HistoricalRecords
from flights.statemachine import TransitionsMixin


class Regime(models.TextChoices):
    SUBORBITAL = "suborbital", "Suborbital"
    ORBITAL = "orbital", "Orbital"


def validate_timezone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(f"{value!r} is not an IANA time zone (for example America/Denver).") from exc


class Spaceport(models.Model):
    """A launch site: where flights leave from, and whose local time passengers see."""

    code = models.SlugField(max_length=16, unique=True, help_text="Short code, e.g. spa for Spaceport America.")
    name = models.CharField(max_length=120)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 alpha-2 code.")
    latitude_deg = models.FloatField(validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude_deg = models.FloatField(validators=[MinValueValidator(-180), MaxValueValidator(180)])
    altitude_m = models.FloatField(default=0)
    timezone = models.CharField(max_length=64, validators=[validate_timezone], help_text="IANA time zone name.")
    azimuth_min_deg = models.FloatField(
        default=0, validators=[MinValueValidator(0), MaxValueValidator(360)], help_text="Smallest allowed launch azimuth."
    )
    azimuth_max_deg = models.FloatField(
        default=360, validators=[MinValueValidator(0), MaxValueValidator(360)], help_text="Largest allowed launch azimuth."
    )
    operating_hours_start = models.TimeField(default=dt.time(0, 0), help_text="Local time the range opens.")
    operating_hours_end = models.TimeField(default=dt.time(23, 59, 59), help_text="Local time the range closes.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude_deg__gte=-90, latitude_deg__lte=90), name="spaceport_latitude_range"
            ),
            models.CheckConstraint(
                condition=Q(longitude_deg__gte=-180, longitude_deg__lte=180), name="spaceport_longitude_range"
            ),
            models.CheckConstraint(
                condition=Q(azimuth_min_deg__gte=0, azimuth_max_deg__lte=360, azimuth_min_deg__lt=F("azimuth_max_deg")),
                name="spaceport_azimuth_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code.upper()})"

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def clean(self) -> None:
        if self.azimuth_min_deg is not None and self.azimuth_max_deg is not None:
            if self.azimuth_min_deg >= self.azimuth_max_deg:
                raise ValidationError({"azimuth_max_deg": "The largest allowed azimuth must exceed the smallest."})


class VehicleModel(models.Model):
    """A vehicle design with its public limits: seats, passenger envelope, loads and verification needs."""

    manufacturer = models.CharField(max_length=120)
    name = models.CharField(max_length=120)
    regime = models.CharField(max_length=16, choices=Regime.choices)
    passenger_seats = models.PositiveSmallIntegerField()
    crew_seats = models.PositiveSmallIntegerField(default=0)
    cabin_mass_budget_kg = models.DecimalField(
        max_digits=7, decimal_places=1, help_text="Total mass of passengers the cabin may carry."
    )
    passenger_mass_min_kg = models.DecimalField(max_digits=5, decimal_places=1)
    passenger_mass_max_kg = models.DecimalField(max_digits=5, decimal_places=1)
    passenger_height_min_cm = models.PositiveSmallIntegerField()
    passenger_height_max_cm = models.PositiveSmallIntegerField()
    peak_g_ascent = models.DecimalField(max_digits=4, decimal_places=1)
    peak_g_entry = models.DecimalField(max_digits=4, decimal_places=1)
    apogee_km = models.FloatField(help_text="Apogee (suborbital) or the highest orbit it reaches (orbital).")
    max_wind_kt = models.PositiveSmallIntegerField(default=30, help_text="Sustained pad wind limit for launch.")
    max_gust_kt = models.PositiveSmallIntegerField(default=35, help_text="Peak gust limit for launch.")
    plane_change_budget_deg = models.FloatField(
        default=0.5, validators=[MinValueValidator(0)], help_text="How far out of the target plane it may launch."
    )
    required_uncrewed_flights = models.PositiveSmallIntegerField(
        default=1, help_text="Signed-off uncrewed verification flights needed before crewed ones (14 CFR 460.17)."
    )
    required_crewed_flights = models.PositiveSmallIntegerField(
        default=1, help_text="Signed-off crewed verification flights needed before passengers fly."
    )
    # Nominal ascent for collision-avoidance screening (14 CFR 450.169); see flights.orbits.trajectory.
    ascent_time_to_150km_s = models.PositiveIntegerField(default=270, help_text="Orbital: seconds to 150 km.")
    ascent_insertion_time_s = models.PositiveIntegerField(default=530, help_text="Orbital: seconds to orbit insertion.")
    ascent_insertion_altitude_km = models.FloatField(default=210, help_text="Orbital: insertion orbit altitude.")
    ascent_downrange_km = models.FloatField(
        default=1600, help_text="Ground distance at insertion (orbital) or at landing (suborbital)."
    )
    flight_duration_s = models.PositiveIntegerField(default=600, help_text="Suborbital: liftoff to landing, seconds.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["manufacturer", "name"]
        constraints = [
            models.UniqueConstraint(fields=["manufacturer", "name"], name="vehiclemodel_unique_name"),
            models.CheckConstraint(condition=Q(passenger_seats__gt=0), name="vehiclemodel_has_passenger_seats"),
            models.CheckConstraint(condition=Q(cabin_mass_budget_kg__gt=0), name="vehiclemodel_mass_budget_positive"),
            models.CheckConstraint(
                condition=Q(passenger_mass_min_kg__gt=0, passenger_mass_min_kg__lt=F("passenger_mass_max_kg")),
                name="vehiclemodel_mass_limits_ordered",
            ),
            models.CheckConstraint(
                condition=Q(passenger_height_min_cm__gt=0, passenger_height_min_cm__lt=F("passenger_height_max_cm")),
                name="vehiclemodel_height_limits_ordered",
            ),
            models.CheckConstraint(
                condition=Q(peak_g_ascent__gt=0, peak_g_entry__gt=0), name="vehiclemodel_peak_g_positive"
            ),
            models.CheckConstraint(condition=Q(apogee_km__gt=0), name="vehiclemodel_apogee_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.manufacturer} {self.name}"

    def clean(self) -> None:
        errors = {}
        if self.passenger_mass_min_kg is not None and self.passenger_mass_max_kg is not None:
            if self.passenger_mass_min_kg >= self.passenger_mass_max_kg:
                errors["passenger_mass_max_kg"] = "The largest passenger mass must exceed the smallest."
        if self.passenger_height_min_cm is not None and self.passenger_height_max_cm is not None:
            if self.passenger_height_min_cm >= self.passenger_height_max_cm:
                errors["passenger_height_max_cm"] = "The tallest passenger height must exceed the shortest."
        if self.passenger_seats is not None and self.passenger_mass_min_kg and self.cabin_mass_budget_kg:
            if self.cabin_mass_budget_kg < self.passenger_mass_min_kg:
                errors["cabin_mass_budget_kg"] = "The cabin mass budget cannot carry even one passenger."
        if errors:
            raise ValidationError(errors)

    @property
    def peak_g(self):
        return max(self.peak_g_ascent, self.peak_g_entry)


class Vehicle(TransitionsMixin, models.Model):
    """One vehicle of the fleet. Never deleted: it is retired."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        MAINTENANCE = "maintenance", "In maintenance"
        GROUNDED = "grounded", "Grounded"
        RETIRED = "retired", "Retired"

    TRANSITIONS = {
        Status.ACTIVE: {Status.MAINTENANCE, Status.GROUNDED, Status.RETIRED},
        Status.MAINTENANCE: {Status.ACTIVE, Status.GROUNDED, Status.RETIRED},
        Status.GROUNDED: {Status.ACTIVE, Status.MAINTENANCE, Status.RETIRED},
        Status.RETIRED: set(),
    }

    serial = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=120)
    model = models.ForeignKey(VehicleModel, on_delete=models.PROTECT, related_name="vehicles")
    home_spaceport = models.ForeignKey(Spaceport, on_delete=models.PROTECT, related_name="vehicles")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE, editable=False)
    status_reason = models.TextField(blank=True, editable=False)
    status_changed_at = models.DateTimeField(default=timezone.now, editable=False)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    flights_before_tracking = models.PositiveIntegerField(
        default=0, help_text="Flights flown before this system kept the vehicle's record."
    )
    next_inspection_due = models.DateField(null=True, blank=True)
    flights_between_inspections = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Flights allowed between inspections; empty for no flight limit."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["serial"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["active", "maintenance", "grounded", "retired"]), name="vehicle_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="active") | ~Q(status_reason=""), name="vehicle_status_change_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.serial})"

    def get_absolute_url(self) -> str:
        return reverse("flights:vehicle-detail", args=[self.pk])


class MaintenanceRecord(models.Model):
    """Work done on a vehicle, signed by the person responsible."""

    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="maintenance_records")
    performed_on = models.DateField()
    work_done = models.TextField(max_length=10000)
    is_inspection = models.BooleanField(default=False, help_text="A full inspection resets the flight count.")
    next_inspection_due = models.DateField(null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-performed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(next_inspection_due__isnull=True) | Q(next_inspection_due__gt=F("performed_on")),
                name="maintenance_next_inspection_after_work",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vehicle.serial} {self.performed_on:%Y-%m-%d}: {self.work_done[:40]}"


class Itinerary(models.Model):
    """The mission profile sold to passengers."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    regime = models.CharField(max_length=16, choices=Regime.choices)
    description = models.TextField(max_length=10000, blank=True)
    duration = models.DurationField(help_text="From liftoff to landing or splashdown.")
    apogee_km = models.FloatField(null=True, blank=True, help_text="Suborbital apogee.")
    target_altitude_km = models.FloatField(null=True, blank=True, help_text="Orbital: target orbit altitude.")
    target_inclination_deg = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(180)]
    )
    target_norad_id = models.PositiveIntegerField(
        null=True, blank=True, help_text="Catalog number of a target object (a station), if any."
    )
    peak_g = models.DecimalField(max_digits=4, decimal_places=1)
    training_hours = models.PositiveSmallIntegerField(default=0)
    physical_exam_required = models.BooleanField(default=False)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    deposit = models.DecimalField(max_digits=12, decimal_places=2)
    deposit_non_refundable = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    currency = models.CharField(max_length=3, default="USD", help_text="ISO 4217 code.")
    balance_due_days = models.PositiveSmallIntegerField(default=90, help_text="Balance due this many days before launch.")
    is_published = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "itineraries"
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="itinerary_price_positive"),
            models.CheckConstraint(
                condition=Q(deposit__gte=0, deposit__lte=F("price")), name="itinerary_deposit_within_price"
            ),
            models.CheckConstraint(
                condition=Q(deposit_non_refundable__gte=0, deposit_non_refundable__lte=F("deposit")),
                name="itinerary_non_refundable_within_deposit",
            ),
            models.CheckConstraint(condition=Q(peak_g__gt=0), name="itinerary_peak_g_positive"),
            models.CheckConstraint(
                condition=~Q(regime="orbital") | Q(target_altitude_km__isnull=False, target_inclination_deg__isnull=False),
                name="itinerary_orbital_has_target_orbit",
            ),
            models.CheckConstraint(
                condition=~Q(regime="suborbital") | Q(apogee_km__isnull=False), name="itinerary_suborbital_has_apogee"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("tourism:itinerary-detail", args=[self.slug])

    def clean(self) -> None:
        errors = {}
        if self.regime == Regime.ORBITAL and (self.target_altitude_km is None or self.target_inclination_deg is None):
            errors["target_altitude_km"] = "An orbital itinerary needs a target orbit altitude and inclination."
        if self.regime == Regime.SUBORBITAL and self.apogee_km is None:
            errors["apogee_km"] = "A suborbital itinerary needs its apogee."
        if self.price is not None and self.deposit is not None and self.deposit > self.price:
            errors["deposit"] = "The deposit cannot exceed the price."
        if self.deposit is not None and self.deposit_non_refundable is not None:
            if self.deposit_non_refundable > self.deposit:
                errors["deposit_non_refundable"] = "The non-refundable part cannot exceed the deposit."
        if errors:
            raise ValidationError(errors)


class Flight(TransitionsMixin, models.Model):
    """One flight of a vehicle from a spaceport. Never deleted: it is cancelled."""

    class Purpose(models.TextChoices):
        COMMERCIAL = "commercial", "Commercial"
        UNCREWED_VERIFICATION = "uncrewed_verification", "Uncrewed verification"
        CREWED_VERIFICATION = "crewed_verification", "Crewed verification"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        READY = "ready", "Ready"
        LAUNCHED = "launched", "Launched"
        LANDED = "landed", "Landed"
        COMPLETED = "completed", "Completed"
        SCRUBBED = "scrubbed", "Scrubbed"
        CANCELLED = "cancelled", "Cancelled"

    TRANSITIONS = {
        Status.DRAFT: {Status.SCHEDULED, Status.CANCELLED},
        Status.SCHEDULED: {Status.READY, Status.SCRUBBED, Status.CANCELLED},
        Status.READY: {Status.LAUNCHED, Status.SCHEDULED, Status.SCRUBBED, Status.CANCELLED},
        Status.LAUNCHED: {Status.LANDED},
        Status.LANDED: {Status.COMPLETED},
        Status.COMPLETED: set(),
        Status.SCRUBBED: {Status.SCHEDULED, Status.CANCELLED},
        Status.CANCELLED: set(),
    }
    UPCOMING_STATUSES = (Status.SCHEDULED, Status.READY, Status.SCRUBBED)
    FLOWN_STATUSES = (Status.LAUNCHED, Status.LANDED, Status.COMPLETED)

    code = models.CharField(max_length=32, unique=True)
    itinerary = models.ForeignKey(
        Itinerary, null=True, blank=True, on_delete=models.PROTECT, related_name="flights",
        help_text="Required for commercial flights.",
    )
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="flights")
    spaceport = models.ForeignKey(Spaceport, on_delete=models.PROTECT, related_name="flights")
    purpose = models.CharField(max_length=32, choices=Purpose.choices, default=Purpose.COMMERCIAL)
    launch_at = models.DateTimeField(help_text="Planned launch, no earlier than (NET), UTC.")
    window_open = models.DateTimeField(null=True, blank=True)
    window_close = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT, editable=False)
    status_reason = models.TextField(blank=True, editable=False)
    status_changed_at = models.DateTimeField(default=timezone.now, editable=False)
    flight_director = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="directed_flights"
    )
    scrub_count = models.PositiveSmallIntegerField(default=0, editable=False)
    launched_at = models.DateTimeField(null=True, blank=True, editable=False)
    landing_planned_at = models.DateTimeField(
        null=True, blank=True, editable=False,
        help_text="Orbital: the planned landing, set at liftoff from the itinerary's duration; moved when the stay changes.",
    )
    landed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["launch_at", "code"]
        indexes = [models.Index(fields=["status", "launch_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(purpose="commercial") | Q(itinerary__isnull=False), name="flight_commercial_has_itinerary"
            ),
            models.CheckConstraint(
                condition=Q(window_open__isnull=True, window_close__isnull=True)
                | Q(window_open__isnull=False, window_close__isnull=False, window_open__lt=F("window_close")),
                name="flight_window_ordered",
            ),
            models.CheckConstraint(
                condition=Q(window_open__isnull=True)
                | Q(launch_at__gte=F("window_open"), launch_at__lte=F("window_close")),
                name="flight_launch_inside_window",
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=["draft", "scheduled", "ready", "launched", "landed", "completed", "scrubbed", "cancelled"]
                ),
                name="flight_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["launched", "landed", "completed"]) | Q(launched_at__isnull=False),
                name="flight_flown_has_launch_time",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return reverse("flights:flight-detail", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        if self.purpose == self.Purpose.COMMERCIAL and not self.itinerary_id:
            errors["itinerary"] = "A commercial flight needs an itinerary."
        if (self.window_open is None) != (self.window_close is None):
            errors["window_close"] = "Give both ends of the launch window, or neither."
        elif self.window_open and self.window_close:
            if self.window_open >= self.window_close:
                errors["window_close"] = "The window must close after it opens."
            elif self.launch_at and not (self.window_open <= self.launch_at <= self.window_close):
                errors["launch_at"] = "The planned launch must fall inside the launch window."
        if self.itinerary_id and self.vehicle_id and self.itinerary.regime != self.vehicle.model.regime:
            errors["itinerary"] = (
                f"The itinerary is {self.itinerary.get_regime_display().lower()} but the vehicle model "
                f"{self.vehicle.model} flies {self.vehicle.model.get_regime_display().lower()}."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def seats_total(self) -> int:
        return self.vehicle.model.passenger_seats

    @property
    def is_upcoming(self) -> bool:
        return self.status in self.UPCOMING_STATUSES


class FlightStatusChange(models.Model):
    """One move of a flight's state machine: who, when, why. Kept forever."""

    flight = models.ForeignKey(Flight, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=Flight.Status.choices)
    to_status = models.CharField(max_length=16, choices=Flight.Status.choices)
    reason = models.TextField(max_length=2000, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)
    launch_at = models.DateTimeField(help_text="The planned launch after this change.")

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.flight.code}: {self.from_status} -> {self.to_status}"


class FlightReturnChange(models.Model):
    """A move of an orbital flight's planned landing (the stay extended or shortened): who, when, why."""

    flight = models.ForeignKey(Flight, on_delete=models.PROTECT, related_name="return_changes")
    from_landing_at = models.DateTimeField(null=True, blank=True, help_text="Empty: no landing was planned.")
    to_landing_at = models.DateTimeField()
    reason = models.TextField(max_length=2000)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="flight_return_change_has_reason")]

    def __str__(self) -> str:
        before = f"{self.from_landing_at:%Y-%m-%d %H:%M}" if self.from_landing_at else "unplanned"
        return f"{self.flight.code}: landing {before} -> {self.to_landing_at:%Y-%m-%d %H:%M} UTC"


class VehicleStatusChange(models.Model):
    """One move of a vehicle's status (grounding, maintenance, return to service): who, when, why."""

    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=Vehicle.Status.choices)
    to_status = models.CharField(max_length=16, choices=Vehicle.Status.choices)
    reason = models.TextField(max_length=2000)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.vehicle.serial}: {self.from_status} -> {self.to_status}"
