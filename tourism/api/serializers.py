"""Input serializers validate shapes; services decide; output serializers render."""

from __future__ import annotations

import functools

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.text import OTP_TOKEN_MAX_LENGTH, PASSWORD_MAX_LENGTH
from flights.api.serializers import FlightSerializer
from tourism import selectors
from tourism.disclosure import consent_state
from tourism.models import Booking, BookingStatusChange, LedgerEntry, ScrubNotice, WaitlistEntry
from tourism.services.accounts import PROFILE_FIELDS

# --- Accounts ------------------------------------------------------------------------------------------


class ProfileFieldsSerializer(serializers.Serializer):
    legal_name = serializers.CharField(max_length=150)
    date_of_birth = serializers.DateField(input_formats=["%Y-%m-%d"])
    nationality = serializers.CharField(max_length=2, min_length=2, help_text="ISO 3166 alpha-2 code, e.g. US.")
    passport_number = serializers.CharField(max_length=20)
    mass_kg = serializers.DecimalField(max_digits=5, decimal_places=1)
    height_cm = serializers.IntegerField()
    emergency_contact = serializers.CharField(max_length=500)


class RegisterSerializer(ProfileFieldsSerializer):
    username = serializers.CharField(max_length=150)
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=PASSWORD_MAX_LENGTH, write_only=True, style={"input_type": "password"})
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")


class ProfileUpdateSerializer(ProfileFieldsSerializer):
    """PATCH sends only the fields that change."""


class AccountSerializer(serializers.ModelSerializer):
    email_verified_at = serializers.SerializerMethodField(
        help_text="When the current email address was verified; null until the emailed link is followed "
        "(holding a seat, joining a waitlist and signing consent wait for it)."
    )
    legal_name = serializers.CharField(source="passenger_profile.legal_name", default=None, allow_null=True)
    date_of_birth = serializers.DateField(source="passenger_profile.date_of_birth", default=None, allow_null=True)
    nationality = serializers.CharField(source="passenger_profile.nationality", default=None, allow_null=True)
    passport_number = serializers.CharField(source="passenger_profile.passport_number", default=None, allow_null=True)
    mass_kg = serializers.DecimalField(max_digits=5, decimal_places=1, source="passenger_profile.mass_kg", default=None, allow_null=True)
    height_cm = serializers.IntegerField(source="passenger_profile.height_cm", default=None, allow_null=True)
    emergency_contact = serializers.CharField(source="passenger_profile.emergency_contact", default=None, allow_null=True)

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "email", "email_verified_at", "first_name", "last_name", *PROFILE_FIELDS]
        read_only_fields = fields

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_email_verified_at(self, user):
        verification = getattr(user, "email_verification", None)  # no row: RelatedObjectDoesNotExist is an AttributeError
        if verification is None or not verification.is_current_for(user):
            return None
        return serializers.DateTimeField().to_representation(verification.verified_at)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=PASSWORD_MAX_LENGTH, style={"input_type": "password"})
    otp_token = serializers.CharField(
        required=False, allow_blank=True, max_length=OTP_TOKEN_MAX_LENGTH,
        help_text="Staff accounts (flight surgeons, flight directors, operations): the current 6-digit code from "
        "the authenticator app enrolled in the portal. Passengers leave it out.",
    )


class EmailVerifyRequestSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=512, help_text="The last part of the link in the verification email.")


class EmailVerifiedSerializer(serializers.Serializer):
    username = serializers.CharField()
    email = serializers.EmailField()
    email_verified_at = serializers.DateTimeField()


class EmailVerificationSentSerializer(serializers.Serializer):
    email = serializers.EmailField()
    sent_at = serializers.DateTimeField()
    detail = serializers.CharField()


class EmailChangeRequestSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=PASSWORD_MAX_LENGTH, write_only=True, style={"input_type": "password"})


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()


# --- Flights --------------------------------------------------------------------------------------------


class FlightSeatsSerializer(FlightSerializer):
    """A flight with the seats still free: seats minus live bookings and open waitlist offers."""

    seats_left = serializers.IntegerField(read_only=True)

    class Meta(FlightSerializer.Meta):
        fields = [*FlightSerializer.Meta.fields, "seats_left"]


# --- The launch-day manifest ---------------------------------------------------------------------------


class ManifestGateSerializer(serializers.Serializer):
    """One manifest gate's answer; a medical gate's message names status, validity and restrictions only."""

    name = serializers.CharField()
    label = serializers.CharField()
    medical = serializers.BooleanField()
    passed = serializers.BooleanField()
    message = serializers.CharField(source="refusal", allow_null=True, help_text="Why not, when it fails.")


class ManifestPassengerSerializer(serializers.Serializer):
    booking = serializers.IntegerField(source="booking.pk")
    status = serializers.CharField(source="booking.status")
    seat_number = serializers.IntegerField()
    legal_name = serializers.CharField()
    mass_kg = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    height_cm = serializers.IntegerField(allow_null=True)
    all_gates_hold = serializers.BooleanField()
    gates = ManifestGateSerializer(many=True)


class ManifestFlightSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    status = serializers.CharField()
    itinerary = serializers.CharField(source="itinerary.name", allow_null=True, default=None)
    vehicle = serializers.CharField(source="vehicle.serial")
    vehicle_name = serializers.CharField(source="vehicle.name")
    vehicle_model = serializers.CharField(source="vehicle.model")
    spaceport = serializers.CharField(source="spaceport.code")
    spaceport_name = serializers.CharField(source="spaceport.name")
    spaceport_timezone = serializers.CharField(source="spaceport.timezone")
    launch_at = serializers.DateTimeField(help_text="UTC.")
    launch_at_local = serializers.SerializerMethodField(help_text="The spaceport's local time, with its offset.")

    def get_launch_at_local(self, flight) -> str:
        return flight.launch_at.astimezone(flight.spaceport.tzinfo).isoformat()


class LaunchManifestSerializer(serializers.Serializer):
    """The printable launch-day manifest: manifested and reserved passengers, gates, cabin mass."""

    flight = ManifestFlightSerializer()
    generated_at = serializers.DateTimeField()
    cabin_mass_budget_kg = serializers.DecimalField(max_digits=7, decimal_places=1)
    total_mass_kg = serializers.DecimalField(max_digits=7, decimal_places=1, help_text="The manifested passengers.")
    margin_kg = serializers.DecimalField(max_digits=7, decimal_places=1, help_text="Budget minus total; negative when over.")
    within_budget = serializers.BooleanField()
    manifested = ManifestPassengerSerializer(many=True)
    reserved = ManifestPassengerSerializer(many=True, help_text="Reserved, not yet manifested: they do not fly unless manifested.")


# --- Bookings -------------------------------------------------------------------------------------------


class LedgerEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = LedgerEntry
        fields = ["id", "kind", "amount", "currency", "provider", "reference", "recorded_at"]


class BookingStatusChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = BookingStatusChange
        fields = ["from_status", "to_status", "reason", "changed_at"]


class BookingSerializer(serializers.ModelSerializer):
    flight_code = serializers.CharField(source="flight.code", read_only=True)
    launch_at = serializers.DateTimeField(source="flight.launch_at", read_only=True)
    amount_paid = serializers.SerializerMethodField()
    balance_due_at = serializers.DateTimeField(read_only=True)
    consent_signed_at = serializers.DateTimeField(source="consent.signed_at", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Booking
        fields = [
            "id", "flight", "flight_code", "launch_at", "status", "seat_number", "hold_expires_at", "price", "deposit",
            "deposit_non_refundable", "currency", "amount_paid", "balance_due_at", "consent_signed_at", "created_at",
            "status_changed_at", "transferred_from",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2))
    def get_amount_paid(self, booking: Booking) -> str:
        return f"{selectors.booking_amount_paid(booking):.2f}"


def booking_data(booking: Booking) -> dict:
    """`BookingSerializer(booking).data`, from one serializer per process whose fields are built once: a new
    serializer builds its 17 fields from the model on every response (about 1 ms of a seat hold's CPU). It
    takes no context (no request-dependent field), so one instance serves every request alike."""
    return _booking_serializer().to_representation(booking)


@functools.cache
def _booking_serializer() -> BookingSerializer:
    return BookingSerializer()


class ConsentStateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["missing", "current", "stale"])
    reasons = serializers.ListField(child=serializers.CharField())
    signed_at = serializers.DateTimeField(allow_null=True)
    disclosure_sha256 = serializers.CharField(allow_null=True)


class ScrubNoticeSerializer(serializers.ModelSerializer):
    """What a scrub did to the booking: the new time, what blocks the passenger, and the refund terms."""

    blockers = serializers.ListField(source="blocker_list", child=serializers.CharField(), read_only=True)
    is_open = serializers.BooleanField(read_only=True, help_text="True: cancelling refunds everything paid.")
    notified_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = ScrubNotice
        fields = ["old_launch_at", "new_launch_at", "scrub_reason", "outcome", "blockers", "operator_terms", "is_open",
                  "notified_at", "created_at", "closed_at", "closed_reason"]
        read_only_fields = fields


class BookingDetailSerializer(BookingSerializer):
    consent = serializers.SerializerMethodField()
    ledger = LedgerEntrySerializer(source="ledger_entries", many=True, read_only=True)
    history = BookingStatusChangeSerializer(source="status_changes", many=True, read_only=True)
    scrub_notices = ScrubNoticeSerializer(many=True, read_only=True)

    class Meta(BookingSerializer.Meta):
        fields = [*BookingSerializer.Meta.fields, "consent", "ledger", "history", "scrub_notices"]
        read_only_fields = fields

    @extend_schema_field(ConsentStateSerializer)
    def get_consent(self, booking: Booking) -> dict:
        signature = booking.consent
        if booking.is_live:
            state = consent_state(signature=signature, vehicle=booking.flight.vehicle)
            status, reasons = state.status, state.reasons
        else:
            status, reasons = ("current" if signature else "missing"), []
        return {
            "status": status,
            "reasons": reasons,
            "signed_at": signature.signed_at if signature else None,
            "disclosure_sha256": signature.disclosure_sha256 if signature else None,
        }


class DisclosureSerializer(serializers.Serializer):
    vehicle = serializers.CharField(source="vehicle.serial")
    document_version = serializers.IntegerField(source="document.version")
    text = serializers.CharField()
    sha256 = serializers.CharField()
    material_facts = serializers.ListField(child=serializers.CharField())


class ConsentRequestSerializer(serializers.Serializer):
    legal_name = serializers.CharField(max_length=150, help_text="Your full legal name, typed as your signature.")
    password = serializers.CharField(
        max_length=PASSWORD_MAX_LENGTH, style={"input_type": "password"}, help_text="Your account password."
    )
    disclosure_sha256 = serializers.RegexField(
        r"^[0-9a-fA-F]{64}$", required=False, allow_blank=True,
        help_text="SHA-256 of the disclosure text you read (GET .../consent/); refused if the text changed since.",
    )


class CancelRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class RefundQuoteSerializer(serializers.Serializer):
    paid = serializers.DecimalField(max_digits=14, decimal_places=2)
    refund = serializers.DecimalField(max_digits=14, decimal_places=2)
    retained = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField()
    rule = serializers.CharField()


class TransferRequestSerializer(serializers.Serializer):
    flight = serializers.IntegerField(help_text="Id of the flight to move to (same itinerary).")
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


# --- Waitlist ------------------------------------------------------------------------------------------


class WaitlistEntrySerializer(serializers.ModelSerializer):
    flight_code = serializers.CharField(source="flight.code", read_only=True)
    position = serializers.SerializerMethodField()

    class Meta:
        model = WaitlistEntry
        fields = [
            "id", "flight", "flight_code", "status", "position", "joined_at", "offered_at", "offer_expires_at", "booking",
        ]
        read_only_fields = fields

    def get_position(self, entry: WaitlistEntry) -> int | None:
        if entry.status != WaitlistEntry.Status.WAITING:
            return None
        ahead = getattr(entry, "ahead_in_line", None)
        return ahead + 1 if ahead is not None else selectors.waitlist_position(entry)

