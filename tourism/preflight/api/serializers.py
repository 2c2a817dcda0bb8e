"""Input serializers check shapes; the services decide. Output serializers render records and statuses."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from rest_framework import serializers

from flights.models import Flight, Regime
from tourism.models import Booking
from tourism.preflight.models import SecurityScreening, TrainingModule, TrainingRecord, WaiverOfClaims
from tourism.preflight.selectors import ModuleState


class TrainingModuleSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True, help_text="The name, tagged (460.51) for the emergency training.")
    regime = serializers.ChoiceField(
        choices=Regime.choices, allow_blank=True, read_only=True,
        help_text="Required for every itinerary of this regime; blank when the module is for one itinerary.",
    )

    class Meta:
        model = TrainingModule
        fields = [
            "id", "name", "label", "description", "itinerary", "regime", "hours", "is_emergency_training",
            "valid_for_days", "is_active",
        ]
        read_only_fields = fields


class TrainingRecordSerializer(serializers.ModelSerializer):
    passenger = serializers.CharField(source="passenger.get_username", read_only=True)
    module_name = serializers.CharField(source="module.label", read_only=True)
    instructor = serializers.CharField(source="instructor.get_full_name", read_only=True)
    recorded_by = serializers.CharField(
        source="recorded_by.get_username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = TrainingRecord
        fields = [
            "id", "passenger", "booking", "module", "module_name", "completed_on", "hours_attended", "instructor",
            "note", "recorded_by", "recorded_at",
        ]
        read_only_fields = fields


class TrainingSignOffInputSerializer(serializers.Serializer):
    booking = serializers.PrimaryKeyRelatedField(queryset=Booking.objects.all(), help_text="The passenger's booking.")
    module = serializers.PrimaryKeyRelatedField(queryset=TrainingModule.objects.all())
    completed_on = serializers.DateField()
    hours_attended = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=0)
    instructor = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.all(), help_text="The user id of the staff instructor who signs it off."
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class WaiverSerializer(serializers.ModelSerializer):
    passenger = serializers.CharField(source="passenger.get_username", read_only=True)
    flight_code = serializers.CharField(source="flight.code", read_only=True)

    class Meta:
        model = WaiverOfClaims
        fields = [
            "id", "booking", "passenger", "flight", "flight_code", "typed_name", "text_version", "text_sha256",
            "signed_at", "text",
        ]
        read_only_fields = fields


class WaiverTextSerializer(serializers.Serializer):
    booking = serializers.IntegerField()
    flight = serializers.IntegerField()
    version = serializers.IntegerField()
    text = serializers.CharField()
    sha256 = serializers.CharField(help_text="SHA-256 of `text`: send it back when signing.")
    signed = serializers.BooleanField(help_text="A signature on the current text stands for this flight.")
    signature = WaiverSerializer(allow_null=True, help_text="The newest signature for this flight, if any.")


class WaiverSignInputSerializer(serializers.Serializer):
    legal_name = serializers.CharField(max_length=150, help_text="Your full legal name, as in your passenger profile.")
    text_sha256 = serializers.RegexField(
        r"^[0-9a-f]{64}$", required=False, allow_blank=True, default="",
        help_text="The SHA-256 of the text you read; the signature is refused if the text changed meanwhile.",
    )


class ScreeningSerializer(serializers.ModelSerializer):
    passenger = serializers.CharField(source="passenger.get_username", read_only=True)
    flight_code = serializers.CharField(source="flight.code", read_only=True)
    screened_by = serializers.CharField(source="screened_by.get_username", read_only=True)

    class Meta:
        model = SecurityScreening
        fields = ["id", "passenger", "flight", "flight_code", "booking", "result", "screened_at", "screened_by", "note"]
        read_only_fields = fields


class ScreeningInputSerializer(serializers.Serializer):
    passenger = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.all(), help_text="User id.")
    flight = serializers.PrimaryKeyRelatedField(queryset=Flight.objects.all())
    result = serializers.ChoiceField(choices=SecurityScreening.Result.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


# --- A booking's pre-flight status ------------------------------------------------------------------


class ModuleStatusSerializer(serializers.Serializer):
    module = serializers.IntegerField(source="module.pk")
    name = serializers.CharField(source="module.label")
    is_emergency_training = serializers.BooleanField(source="module.is_emergency_training")
    planned_hours = serializers.DecimalField(source="module.hours", max_digits=5, decimal_places=1)
    state = serializers.ChoiceField(choices=ModuleState.CHOICES)
    completed_on = serializers.DateField(source="record.completed_on", allow_null=True, default=None)
    instructor = serializers.CharField(source="record.instructor.get_full_name", allow_null=True, default=None)
    hours_attended = serializers.DecimalField(max_digits=7, decimal_places=1)
    problem = serializers.CharField(allow_blank=True)


class TrainingStatusSerializer(serializers.Serializer):
    complete = serializers.BooleanField()
    flight_date = serializers.DateField()
    hours_done = serializers.DecimalField(max_digits=7, decimal_places=1)
    hours_required = serializers.IntegerField()
    modules = ModuleStatusSerializer(many=True)
    message = serializers.CharField(allow_null=True)


class WaiverStatusSerializer(serializers.Serializer):
    signed = serializers.BooleanField()
    signed_at = serializers.DateTimeField(source="waiver.signed_at", allow_null=True, default=None)
    text_version = serializers.IntegerField(source="waiver.text_version", allow_null=True, default=None)
    problem = serializers.CharField(allow_blank=True)


class ScreeningStatusSerializer(serializers.Serializer):
    passed = serializers.BooleanField()
    result = serializers.CharField(source="screening.result", allow_null=True, default=None)
    screened_at = serializers.DateTimeField(source="screening.screened_at", allow_null=True, default=None)
    problem = serializers.CharField(allow_blank=True)


class BookingPreflightSerializer(serializers.Serializer):
    booking = serializers.IntegerField(source="booking.pk")
    flight = serializers.IntegerField(source="booking.flight_id")
    flight_code = serializers.CharField(source="booking.flight.code")
    passenger = serializers.CharField(source="booking.user.get_username")
    complete = serializers.BooleanField(help_text="Training, waiver and screening all hold.")
    refusals = serializers.ListField(child=serializers.CharField(), help_text="What still blocks the manifest.")
    training = TrainingStatusSerializer()
    waiver = WaiverStatusSerializer()
    screening = ScreeningStatusSerializer()
