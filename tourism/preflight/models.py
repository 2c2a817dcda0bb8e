"""Passenger pre-flight records other than medical: training, the waiver of claims, security screening.

- Training (14 CFR 460.51): modules set per itinerary or per regime, and each passenger's sign-offs
  (module, completion date, instructor, hours attended). Passenger-level, so a booking moved to another
  flight of the same itinerary keeps its training.
- Waiver of claims (14 CFR 460.49): the passenger's signature on the reciprocal waiver with the FAA for
  one flight, with the exact text, its version and its SHA-256.
- Security screening (14 CFR 460.53): operations record passed or failed per passenger and flight.

Sign-offs, signatures and screenings are append-only: the model refuses any edit or delete, so neither
admin nor a shell can change one. A correction is a new row, and the newest one counts.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from config.history import HistoricalRecords
from flights.models import Flight, Itinerary, Regime
from tourism.models import SHA256_HEX, Booking
from tourism.preflight.exceptions import RecordImmutable

EMERGENCY_TRAINING_TAG = "460.51"
MAX_VALIDITY_DAYS = 3660  # ten years: longer is a typing mistake


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk updates and deletes would bypass the model's refusal, so they refuse too."""

    def update(self, **kwargs):
        raise RecordImmutable(f"{self.model._meta.verbose_name_plural.capitalize()} are never changed: add a new one.")

    def delete(self):
        raise RecordImmutable(f"{self.model._meta.verbose_name_plural.capitalize()} are never deleted (14 CFR 450.219).")


class AppendOnlyModel(models.Model):
    """A record written once: later saves and deletes refuse (a newer record supersedes it)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RecordImmutable(
                f"{self._meta.verbose_name.capitalize()} #{self.pk} is final: it cannot be changed, only superseded "
                "by a newer one."
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RecordImmutable(f"{self._meta.verbose_name.capitalize()} #{self.pk} is never deleted (14 CFR 450.219).")


class TrainingModule(models.Model):
    """A block of passenger training, required for one itinerary or for every itinerary of a regime.

    Never deleted: a module no longer taught is retired (inactive), and its sign-offs are kept.
    """

    name = models.CharField(max_length=120)
    description = models.TextField(max_length=10000, blank=True)
    itinerary = models.ForeignKey(
        Itinerary, null=True, blank=True, on_delete=models.PROTECT, related_name="training_modules",
        help_text="The itinerary that requires it; leave empty and choose a regime for every itinerary of that regime.",
    )
    regime = models.CharField(
        max_length=16, choices=Regime.choices, blank=True,
        help_text="Required for every itinerary of this regime (when no itinerary is chosen).",
    )
    hours = models.DecimalField(
        max_digits=5, decimal_places=1, validators=[MinValueValidator(0)], help_text="Planned hours of instruction."
    )
    is_emergency_training = models.BooleanField(
        default=False,
        help_text="The 14 CFR 460.51 emergency training: getting out of the vehicle, fire and smoke, loss of cabin "
        "pressure, emergency response. Every itinerary needs one.",
    )
    valid_for_days = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(MAX_VALIDITY_DAYS)],
        help_text="How long a sign-off stays current (on the flight date); empty: it does not lapse.",
    )
    is_active = models.BooleanField(default=True, help_text="Retired modules are no longer required; records stay.")
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in the syllabus.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(itinerary__isnull=False, regime="")
                | Q(itinerary__isnull=True, regime__in=["suborbital", "orbital"]),
                name="trainingmodule_itinerary_or_regime",
            ),
            models.CheckConstraint(condition=Q(hours__gte=0), name="trainingmodule_hours_not_negative"),
            models.CheckConstraint(
                condition=Q(valid_for_days__isnull=True) | Q(valid_for_days__gt=0, valid_for_days__lte=MAX_VALIDITY_DAYS),
                name="trainingmodule_validity_range",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        if self.itinerary_id and self.regime:
            raise ValidationError({"regime": "Choose an itinerary or a regime, not both."})
        if not self.itinerary_id and not self.regime:
            raise ValidationError({"itinerary": "Choose the itinerary that requires this module, or a regime."})

    @property
    def label(self) -> str:
        """The name, tagged with the rule when it is the emergency training."""
        return f"{self.name} ({EMERGENCY_TRAINING_TAG})" if self.is_emergency_training else self.name

    @property
    def applies_to(self) -> str:
        if self.itinerary_id:
            return str(self.itinerary)
        return f"Every {Regime(self.regime).label.lower()} itinerary" if self.regime else "—"

    def applies_to_itinerary(self, itinerary: Itinerary | None, regime: str) -> bool:
        if self.itinerary_id:
            return itinerary is not None and self.itinerary_id == itinerary.pk
        return self.regime == regime


class TrainingRecord(AppendOnlyModel):
    """An instructor's sign-off of one module for one passenger: when it was completed and the hours attended."""

    passenger = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_records")
    module = models.ForeignKey(TrainingModule, on_delete=models.PROTECT, related_name="records")
    booking = models.ForeignKey(
        Booking, on_delete=models.PROTECT, related_name="training_records",
        help_text="The booking it was signed off for (the training counts for any flight of the itinerary).",
    )
    completed_on = models.DateField()
    hours_attended = models.DecimalField(max_digits=5, decimal_places=1)
    instructor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_signed_off",
        help_text="The instructor, on the operator's staff, who signs the module off.",
    )
    note = models.TextField(max_length=2000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-completed_on", "-id"]
        indexes = [models.Index(fields=["passenger", "module", "completed_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(hours_attended__gt=0), name="trainingrecord_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.module.name}: {self.passenger} ({self.completed_on:%Y-%m-%d})"


class WaiverOfClaims(AppendOnlyModel):
    """The passenger's reciprocal waiver of claims with the FAA for one flight (14 CFR 460.49, part 440).

    Keeps the exact text signed, its version and SHA-256, and the typed legal name. Never edited or deleted:
    signing again makes a newer signature, which supersedes this one.
    """

    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="waivers_of_claims")
    passenger = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="waivers_of_claims")
    flight = models.ForeignKey(Flight, on_delete=models.PROTECT, related_name="waivers_of_claims")
    typed_name = models.CharField(max_length=150)
    text_version = models.PositiveSmallIntegerField()
    text = models.TextField(max_length=50000)
    text_sha256 = models.CharField(max_length=64, validators=[SHA256_HEX])
    signed_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-signed_at", "-id"]
        verbose_name = "waiver of claims"
        verbose_name_plural = "waivers of claims"
        indexes = [models.Index(fields=["passenger", "flight", "signed_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(text_sha256__regex=r"^[0-9a-f]{64}$"), name="waiver_sha256_hex"),
            models.CheckConstraint(condition=~Q(typed_name=""), name="waiver_has_typed_name"),
            models.CheckConstraint(condition=Q(text_version__gte=1), name="waiver_version_positive"),
        ]

    def __str__(self) -> str:
        return f"Waiver of claims of {self.typed_name} for {self.flight.code} ({self.signed_at:%Y-%m-%d})"


class SecurityScreening(AppendOnlyModel):
    """Operations' screening of a passenger for one flight (14 CFR 460.53): no explosives, firearms, knives
    or other weapons on board. The newest result for the passenger and flight counts; failed blocks."""

    class Result(models.TextChoices):
        PASSED = "passed", "Passed"
        FAILED = "failed", "Failed"

    passenger = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="security_screenings")
    flight = models.ForeignKey(Flight, on_delete=models.PROTECT, related_name="security_screenings")
    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="security_screenings")
    result = models.CharField(max_length=8, choices=Result.choices)
    screened_at = models.DateTimeField(default=timezone.now)
    screened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["-screened_at", "-id"]
        indexes = [models.Index(fields=["passenger", "flight", "screened_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(result__in=["passed", "failed"]), name="screening_result_valid"),
            models.CheckConstraint(condition=Q(result="passed") | ~Q(note=""), name="screening_failed_has_note"),
        ]

    def __str__(self) -> str:
        return f"Screening of {self.passenger} for {self.flight.code}: {self.get_result_display().lower()}"

    @property
    def passed(self) -> bool:
        return self.result == self.Result.PASSED
