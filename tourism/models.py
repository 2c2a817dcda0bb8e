"""Passengers, bookings and seat holds, the waitlist, informed consent and the payments ledger.

Workflows live in `tourism.services`; the models hold data, the transition tables and the
constraints the database can keep (one live seat per passenger and per seat number on a flight).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from config.history import HistoricalRecords
from flights.models import Flight, Itinerary, Vehicle
from flights.statemachine import TransitionsMixin
from tourism.countries import validate_country_code

PASSPORT_NUMBER = RegexValidator(r"^[A-Z0-9]{5,20}$", "A passport number is 5 to 20 letters or digits, no spaces.")
SHA256_HEX = RegexValidator(r"^[0-9a-f]{64}$", "A SHA-256 digest is 64 lowercase hexadecimal characters.")


class PassengerProfile(models.Model):
    """Who flies: the identity, body and contact facts a seat and a manifest need."""

    MASS_RANGE_KG = (Decimal("20"), Decimal("300"))
    HEIGHT_RANGE_CM = (100, 250)

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="passenger_profile")
    legal_name = models.CharField(max_length=150, help_text="Full legal name as in the passport.")
    date_of_birth = models.DateField()
    nationality = models.CharField(max_length=2, validators=[validate_country_code], help_text="ISO 3166 alpha-2 code.")
    passport_number = models.CharField(max_length=20, validators=[PASSPORT_NUMBER])
    mass_kg = models.DecimalField(
        max_digits=5, decimal_places=1,
        validators=[MinValueValidator(MASS_RANGE_KG[0]), MaxValueValidator(MASS_RANGE_KG[1])],
    )
    height_cm = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(HEIGHT_RANGE_CM[0]), MaxValueValidator(HEIGHT_RANGE_CM[1])]
    )
    emergency_contact = models.TextField(max_length=500, help_text="Name, relation and phone number of someone to call.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["legal_name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(mass_kg__gte=20, mass_kg__lte=300), name="passenger_mass_plausible"),
            models.CheckConstraint(condition=Q(height_cm__gte=100, height_cm__lte=250), name="passenger_height_plausible"),
            models.CheckConstraint(condition=Q(nationality__regex=r"^[A-Z]{2}$"), name="passenger_nationality_alpha2"),
            models.CheckConstraint(condition=~Q(legal_name=""), name="passenger_has_legal_name"),
        ]

    def __str__(self) -> str:
        return self.legal_name

    def age_on(self, day: dt.date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class RefundPolicy(models.Model):
    """An itinerary's refund rules when the passenger cancels; itineraries without one use the defaults."""

    DEFAULT_FULL_REFUND_DAYS = 90
    DEFAULT_PARTIAL_REFUND_DAYS = 30
    DEFAULT_PARTIAL_REFUND_PERCENT = 50

    itinerary = models.OneToOneField(Itinerary, on_delete=models.PROTECT, related_name="refund_policy")
    full_refund_days = models.PositiveSmallIntegerField(
        default=DEFAULT_FULL_REFUND_DAYS,
        help_text="Cancelled more than this many days before launch: everything paid minus the non-refundable deposit.",
    )
    partial_refund_days = models.PositiveSmallIntegerField(
        default=DEFAULT_PARTIAL_REFUND_DAYS,
        help_text="Cancelled from this many days up to the full-refund limit: the partial percentage of what was paid.",
    )
    partial_refund_percent = models.PositiveSmallIntegerField(
        default=DEFAULT_PARTIAL_REFUND_PERCENT, validators=[MaxValueValidator(100)]
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["itinerary__name"]
        verbose_name_plural = "refund policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(partial_refund_days__lt=F("full_refund_days")), name="refundpolicy_tiers_ordered"
            ),
            models.CheckConstraint(condition=Q(partial_refund_percent__lte=100), name="refundpolicy_percent_range"),
        ]

    def __str__(self) -> str:
        return f"Refund policy of {self.itinerary}"


class ConsentDocument(models.Model):
    """The operator's fixed consent wording for one vehicle, versioned; the live record is added at signing."""

    GOVERNMENT_STATEMENT = (
        "The United States Government has not certified the launch vehicle and any reentry vehicle as safe for "
        "carrying crew or space flight participants. No other government has certified this vehicle as safe either."
    )
    UNKNOWN_HAZARDS = (
        "Human space flight is an inherently dangerous activity. There are hazards that are not known, and they "
        "may cause death, serious injury, or total or partial loss of physical and mental function."
    )

    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="consent_documents")
    version = models.PositiveIntegerField(editable=False)
    known_hazards = models.TextField(
        max_length=20000,
        help_text="Known hazards and risks that could result in death, serious injury or loss of the vehicle; one a line."
    )
    unknown_hazards = models.TextField(max_length=20000, default=UNKNOWN_HAZARDS, blank=True, help_text="Left empty: the standard wording.")
    government_statement = models.TextField(
        max_length=20000,
        default=GOVERNMENT_STATEMENT, blank=True, help_text="Left empty: the standard wording."
    )
    published_at = models.DateTimeField(default=timezone.now, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["vehicle__serial", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["vehicle", "version"], name="consentdocument_unique_version"),
            models.CheckConstraint(condition=Q(version__gte=1), name="consentdocument_version_positive"),
            models.CheckConstraint(condition=~Q(known_hazards=""), name="consentdocument_has_known_hazards"),
        ]

    def __str__(self) -> str:
        return f"Consent for {self.vehicle.serial}, version {self.version}"


class IndustrySafetyRecord(models.Model):
    """The safety record of all crewed vehicles flown, as operations last wrote it (14 CFR 460.45(c))."""

    summary = models.TextField(max_length=20000, help_text="Every crewed vehicle flown, its flights and its fatal and serious accidents.")
    as_of = models.DateField(help_text="The date the summary is correct for.")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-as_of", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(summary=""), name="industryrecord_has_summary")]

    def __str__(self) -> str:
        return f"Industry safety record as of {self.as_of:%Y-%m-%d}"


class Booking(TransitionsMixin, models.Model):
    """One passenger's seat on one flight. Never deleted: it ends cancelled, expired, transferred, flown or no-show."""

    class Status(models.TextChoices):
        HELD = "held", "Held"
        # Transferred onto a flight whose vehicle, consent document or disclosed record differs: the seat is
        # the passenger's and the payments came along, but it is not reserved (nor manifestable, nor paid
        # into) until they sign informed consent for that flight (14 CFR 460.45).
        AWAITING_CONSENT = "awaiting_consent", "Awaiting consent"
        RESERVED = "reserved", "Reserved"
        MANIFESTED = "manifested", "Manifested"
        FLOWN = "flown", "Flown"
        NO_SHOW = "no_show", "No-show"
        CANCELLED = "cancelled", "Cancelled"
        EXPIRED = "expired", "Expired"
        TRANSFERRED = "transferred", "Transferred"

    TRANSITIONS = {
        Status.HELD: {Status.RESERVED, Status.CANCELLED, Status.EXPIRED, Status.TRANSFERRED},
        Status.AWAITING_CONSENT: {Status.RESERVED, Status.CANCELLED, Status.TRANSFERRED},
        Status.RESERVED: {Status.MANIFESTED, Status.CANCELLED, Status.TRANSFERRED},
        # A manifested booking goes back to reserved when a gate stops holding (a scrub moves the date).
        Status.MANIFESTED: {Status.RESERVED, Status.FLOWN, Status.NO_SHOW, Status.CANCELLED, Status.TRANSFERRED},
        Status.FLOWN: set(),
        Status.NO_SHOW: set(),
        Status.CANCELLED: set(),
        Status.EXPIRED: set(),
        Status.TRANSFERRED: set(),
    }
    # Bookings that take a seat now: counted against the vehicle model's passenger seats.
    LIVE_STATUSES = (Status.HELD, Status.AWAITING_CONSENT, Status.RESERVED, Status.MANIFESTED)
    # Seat numbers and passengers are unique among these on a flight.
    SEATED_STATUSES = LIVE_STATUSES + (Status.FLOWN, Status.NO_SHOW)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings")
    flight = models.ForeignKey(Flight, on_delete=models.PROTECT, related_name="bookings")
    seat_number = models.PositiveSmallIntegerField(editable=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.HELD, editable=False)
    status_changed_at = models.DateTimeField(default=timezone.now, editable=False)
    hold_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The terms at the time of the hold: a later price change on the itinerary does not move them.
    price = models.DecimalField(max_digits=12, decimal_places=2, editable=False)
    deposit = models.DecimalField(max_digits=12, decimal_places=2, editable=False)
    deposit_non_refundable = models.DecimalField(max_digits=12, decimal_places=2, editable=False)
    currency = models.CharField(max_length=3, editable=False)
    consent = models.ForeignKey(
        "ConsentSignature", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False,
        help_text="The consent this booking relies on (carried over on a transfer).",
    )
    transferred_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="transferred_to", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    reserved_at = models.DateTimeField(null=True, blank=True, editable=False)
    manifested_at = models.DateTimeField(null=True, blank=True, editable=False)
    ended_at = models.DateTimeField(null=True, blank=True, editable=False)
    end_reason = models.TextField(blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "hold_expires_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["flight", "seat_number"],
                condition=Q(status__in=["held", "awaiting_consent", "reserved", "manifested", "flown", "no_show"]),
                name="booking_seat_unique_per_flight",
                violation_error_message="That seat is already taken on this flight.",
            ),
            models.UniqueConstraint(
                fields=["flight", "user"],
                condition=Q(status__in=["held", "awaiting_consent", "reserved", "manifested", "flown", "no_show"]),
                name="booking_one_seat_per_passenger",
                violation_error_message="This passenger already has a seat on this flight.",
            ),
            models.CheckConstraint(condition=Q(seat_number__gte=1, seat_number__lte=99), name="booking_seat_number_range"),
            models.CheckConstraint(
                condition=Q(
                    status__in=["held", "awaiting_consent", "reserved", "manifested", "flown", "no_show", "cancelled",
                                "expired", "transferred"]
                ),
                name="booking_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="held") | Q(hold_expires_at__isnull=False), name="booking_hold_has_expiry"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["reserved", "manifested", "flown", "no_show"]) | Q(reserved_at__isnull=False),
                name="booking_reserved_has_time",
            ),
            models.CheckConstraint(
                condition=Q(price__gt=0, deposit__gte=0, deposit__lte=F("price"))
                & Q(deposit_non_refundable__gte=0, deposit_non_refundable__lte=F("deposit")),
                name="booking_terms_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} ({self.flight.code}, seat {self.seat_number})"

    def get_absolute_url(self) -> str:
        return reverse("tourism:booking-detail", args=[self.pk])

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE_STATUSES

    def hold_lapsed(self, now: dt.datetime) -> bool:
        return self.status == self.Status.HELD and self.hold_expires_at is not None and self.hold_expires_at <= now

    @property
    def balance_due_at(self) -> dt.datetime:
        """The balance is due a number of days before launch (a setting on the itinerary)."""
        itinerary = self.flight.itinerary
        days = itinerary.balance_due_days if itinerary else 90
        return self.flight.launch_at - dt.timedelta(days=days)


class BookingStatusChange(models.Model):
    """One move of a booking: who, when, why, and the email that told the passenger (in the outbox)."""

    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=Booking.Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Booking.Status.choices)
    reason = models.TextField(max_length=2000, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    notification = models.ForeignKey(
        "flights.Notification", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The email in the outbox; empty when the passenger was told otherwise (a scrub notice) or has no address.",
    )

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"Booking #{self.booking_id}: {self.from_status or 'new'} -> {self.to_status}"

    @property
    def notified_at(self) -> dt.datetime | None:
        """When the outbox sent the email (None while it waits, or when no email was due)."""
        return self.notification.sent_at if self.notification_id else None


class ScrubNotice(models.Model):
    """What one scrub did to one booking: the gates asked again for the new launch time, what blocks the
    passenger now, and the email that told them (through the flights outbox, once per scrub).

    An open notice (its blockers came with the scrub, and the passenger has not since been manifested,
    cancelled or moved) makes a cancellation the operator's doing: everything paid is refunded.
    """

    class Outcome(models.TextChoices):
        GATES_HOLD = "gates_hold", "Every gate holds for the new time"
        UNMANIFESTED = "unmanifested", "Taken off the manifest"
        BLOCKED = "blocked", "Not yet manifestable"

    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="scrub_notices")
    flight = models.ForeignKey(Flight, on_delete=models.PROTECT, related_name="scrub_notices")
    old_launch_at = models.DateTimeField()
    new_launch_at = models.DateTimeField()
    scrub_reason = models.TextField(max_length=2000)
    scrubbed = models.BooleanField(default=True, help_text="False when operations moved a flight that was not scrubbed.")
    status_before = models.CharField(max_length=16, choices=Booking.Status.choices)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    blockers = models.TextField(blank=True, help_text="Each failing gate's message, one a line.")
    operator_terms = models.BooleanField(
        default=False, help_text="The scrub caused a blocker: a cancellation refunds everything paid."
    )
    notification = models.ForeignKey(
        "flights.Notification", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The email in the outbox; empty when the passenger has no email address.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One notice per booking per scrub: a listener run twice (or a signal sent again) adds nothing.
            models.UniqueConstraint(
                fields=["booking", "old_launch_at", "new_launch_at"], name="scrubnotice_once_per_scrub"
            ),
            models.CheckConstraint(
                condition=Q(outcome="gates_hold", blockers="") | (~Q(outcome="gates_hold") & ~Q(blockers="")),
                name="scrubnotice_blockers_match_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"Scrub notice for booking #{self.booking_id} ({self.old_launch_at:%Y-%m-%d %H:%M} -> " \
               f"{self.new_launch_at:%Y-%m-%d %H:%M} UTC)"

    @property
    def blocker_list(self) -> list[str]:
        return [line for line in self.blockers.splitlines() if line.strip()]

    @property
    def is_open(self) -> bool:
        return self.operator_terms and self.closed_at is None

    @property
    def notified_at(self) -> dt.datetime | None:
        """When the outbox sent the email (None while it waits, or when there was no address)."""
        return self.notification.sent_at if self.notification_id else None


class ConsentSignature(models.Model):
    """A signed informed consent (14 CFR 460.45): the exact text shown, its SHA-256, and what it disclosed."""

    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="consent_signatures")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consent_signatures")
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="consent_signatures")
    document = models.ForeignKey(ConsentDocument, on_delete=models.PROTECT, related_name="signatures")
    disclosure_text = models.TextField()
    disclosure_sha256 = models.CharField(max_length=64, validators=[SHA256_HEX])
    material_facts = models.JSONField(default=list, help_text="Mishaps, groundings and anomalies disclosed.")
    material_facts_sha256 = models.CharField(max_length=64, validators=[SHA256_HEX])
    typed_name = models.CharField(max_length=150)
    signed_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-signed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(disclosure_sha256__regex=r"^[0-9a-f]{64}$"), name="consent_sha256_hex"),
            models.CheckConstraint(condition=~Q(typed_name=""), name="consent_has_typed_name"),
        ]

    def __str__(self) -> str:
        return f"Consent of {self.typed_name} for {self.vehicle.serial} ({self.signed_at:%Y-%m-%d})"


class LedgerEntry(models.Model):
    """Money in and out of a booking, in Decimal with its currency. Entries are only ever added."""

    class Kind(models.TextChoices):
        DEPOSIT = "deposit", "Deposit received"
        BALANCE = "balance", "Balance payment received"
        REFUND = "refund", "Refund owed to the passenger"
        TRANSFER_IN = "transfer_in", "Carried over from a transferred booking"
        TRANSFER_OUT = "transfer_out", "Carried over to the new booking"

    CREDITS = (Kind.DEPOSIT, Kind.BALANCE, Kind.TRANSFER_IN)
    DEBITS = (Kind.REFUND, Kind.TRANSFER_OUT)

    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="ledger_entries")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    provider = models.CharField(max_length=32, help_text="The payment provider, e.g. bank_transfer.")
    reference = models.CharField(max_length=64, blank=True, help_text="The provider's reference, e.g. the bank's.")
    note = models.TextField(max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["recorded_at", "id"]
        verbose_name_plural = "ledger entries"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_amount_positive"),
            models.CheckConstraint(condition=Q(currency__regex=r"^[A-Z]{3}$"), name="ledger_currency_iso4217"),
            models.UniqueConstraint(
                fields=["provider", "reference"],
                condition=Q(kind__in=["deposit", "balance"]) & ~Q(reference=""),
                name="ledger_payment_reference_unique",
                violation_error_message="This payment reference is already recorded.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.amount} {self.currency} (booking #{self.booking_id})"

    @property
    def signed_amount(self) -> Decimal:
        return self.amount if self.kind in self.CREDITS else -self.amount


class WaitlistEntry(TransitionsMixin, models.Model):
    """A passenger waiting for a seat on a full flight; the first in line is offered a seat that comes back."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        OFFERED = "offered", "Offered a seat"
        ACCEPTED = "accepted", "Accepted"
        LAPSED = "lapsed", "Offer lapsed"
        LEFT = "left", "Left the waitlist"
        CANCELLED = "cancelled", "Cancelled"

    TRANSITIONS = {
        # Waiting -> accepted: the passenger held a seat that was free without an offer.
        Status.WAITING: {Status.OFFERED, Status.ACCEPTED, Status.LEFT, Status.CANCELLED},
        Status.OFFERED: {Status.ACCEPTED, Status.LAPSED, Status.LEFT, Status.CANCELLED},
        Status.ACCEPTED: set(),
        Status.LAPSED: set(),
        Status.LEFT: set(),
        Status.CANCELLED: set(),
    }
    ACTIVE_STATUSES = (Status.WAITING, Status.OFFERED)

    flight = models.ForeignKey(Flight, on_delete=models.PROTECT, related_name="waitlist_entries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="waitlist_entries")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.WAITING, editable=False)
    joined_at = models.DateTimeField(default=timezone.now, editable=False)
    status_changed_at = models.DateTimeField(default=timezone.now, editable=False)
    offered_at = models.DateTimeField(null=True, blank=True, editable=False)
    offer_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    offer_notification = models.ForeignKey(
        "flights.Notification", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False,
        help_text="The offer email in the outbox.",
    )
    booking = models.OneToOneField(
        Booking, null=True, blank=True, on_delete=models.PROTECT, related_name="waitlist_entry", editable=False
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["joined_at", "id"]
        verbose_name_plural = "waitlist entries"
        constraints = [
            models.UniqueConstraint(
                fields=["flight", "user"],
                condition=Q(status__in=["waiting", "offered"]),
                name="waitlist_one_active_entry_per_passenger",
                violation_error_message="This passenger is already on the waitlist of this flight.",
            ),
            models.CheckConstraint(
                condition=~Q(status="offered") | Q(offer_expires_at__isnull=False, offered_at__isnull=False),
                name="waitlist_offer_has_deadline",
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(booking__isnull=False), name="waitlist_accepted_has_booking"
            ),
        ]

    def __str__(self) -> str:
        return f"Waitlist #{self.pk} ({self.flight.code})"

    @property
    def offer_notified_at(self) -> dt.datetime | None:
        """When the outbox sent the offer email (None while it waits)."""
        return self.offer_notification.sent_at if self.offer_notification_id else None


class EmailVerification(models.Model):
    """Proof that a passenger reads the address booking news goes to: the address whose emailed link they
    followed, and when. It counts only while it is still the account's address (an email change, by any
    path, leaves the account unverified until the new address is proven)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="email_verification")
    email = models.EmailField(blank=True, help_text="The address the emailed link proved; blank until one is.")
    verified_at = models.DateTimeField(null=True, blank=True)
    last_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the last verification link was sent (resending is throttled)."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["user_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(verified_at__isnull=True) | ~Q(email=""), name="emailverification_verified_has_address"
            ),
        ]

    def __str__(self) -> str:
        state = f"verified {self.verified_at:%Y-%m-%d %H:%M} UTC" if self.verified_at else "not verified"
        return f"{self.email or self.user}: {state}"

    def is_current_for(self, user) -> bool:
        """Verified, for the address the account has now."""
        return bool(self.verified_at and self.email and user.email and self.email.lower() == user.email.lower())
