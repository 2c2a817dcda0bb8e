"""Input serializers check shapes; the services decide. Output serializers never mix status with content:
`ClearanceSerializer` is what staff roles may see; the content serializers serve only logged reads."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from flights.models import Flight, Regime
from tourism.medical import questionnaire
from tourism.medical.models import (
    ClearanceNote,
    HealthSelfCertification,
    MedicalAccessLog,
    MedicalClearance,
    MedicalDocument,
    MedicalExamination,
)


class ClearanceSerializer(serializers.ModelSerializer):
    """Status, validity and restrictions: no medical content."""

    passenger = serializers.CharField(source="passenger.get_username", read_only=True)
    decided_by = serializers.CharField(source="decided_by.get_username", read_only=True, allow_null=True, default=None)
    restrictions = serializers.CharField(source="restrictions_display", read_only=True)
    allowed_regimes = serializers.ListField(child=serializers.ChoiceField(choices=Regime.choices), read_only=True)

    class Meta:
        model = MedicalClearance
        fields = [
            "id", "passenger", "status", "created_at", "submitted_at", "decided_at", "decided_by", "valid_until",
            "allowed_regimes", "max_g", "restrictions", "superseded_by",
        ]
        read_only_fields = fields


class QuestionnaireSerializer(serializers.Serializer):
    clearance = serializers.IntegerField(source="clearance.pk")
    status = serializers.CharField(source="clearance.status")
    answers = serializers.JSONField()
    missing_sections = serializers.ListField(child=serializers.CharField())


class QuestionnaireSectionInputSerializer(serializers.Serializer):
    section = serializers.ChoiceField(choices=questionnaire.SECTION_ORDER)
    answers = serializers.DictField(help_text="The section's fields, as in the portal form (e.g. mass_kg, height_cm).")
    draft = serializers.BooleanField(default=False, help_text="A draft may leave questions blank.")


class SubmitInputSerializer(serializers.Serializer):
    reply = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class DecisionInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=list(MedicalClearance.DECISION_STATUSES))
    reasons = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)
    allowed_regimes = serializers.ListField(
        child=serializers.ChoiceField(choices=Regime.choices), required=False, allow_null=True, default=None,
        help_text="Omit for every regime.",
    )
    max_g = serializers.DecimalField(max_digits=3, decimal_places=1, required=False, allow_null=True, default=None)


class InformationRequestInputSerializer(serializers.Serializer):
    message = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class ExaminationSerializer(serializers.ModelSerializer):
    examiner = serializers.CharField(source="examiner.get_username", read_only=True)

    class Meta:
        model = MedicalExamination
        fields = ["id", "kind", "performed_on", "outcome", "findings", "examiner", "recorded_at"]
        read_only_fields = ["id", "examiner", "recorded_at"]


class NoteSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.get_username", read_only=True)

    class Meta:
        model = ClearanceNote
        fields = ["id", "kind", "body", "author", "created_at"]
        read_only_fields = ["id", "kind", "author", "created_at"]
        extra_kwargs = {"body": {"allow_blank": True, "required": False, "default": ""}}


class DocumentSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.get_username", read_only=True)
    content_url = serializers.SerializerMethodField()

    class Meta:
        model = MedicalDocument
        fields = ["id", "kind", "original_name", "content_type", "size_bytes", "uploaded_by", "uploaded_at", "content_url"]
        read_only_fields = fields

    def get_content_url(self, document) -> str:
        return reverse("medical-api:document-content", args=[document.pk])


class DocumentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MedicalDocument.Kind.choices, default=MedicalDocument.Kind.OTHER)
    file = serializers.FileField(help_text="PDF, PNG or JPEG, up to MEDICAL_DOCUMENT_MAX_MB (10 MB).")


class AccessLogSerializer(serializers.ModelSerializer):
    accessed_by = serializers.CharField(source="accessed_by.get_username", read_only=True)

    class Meta:
        model = MedicalAccessLog
        fields = ["id", "accessed_at", "accessed_by", "record_type", "record_id", "action", "channel"]
        read_only_fields = fields


class NextFlightSerializer(serializers.ModelSerializer):
    class Meta:
        model = Flight
        fields = ["id", "code", "launch_at"]
        read_only_fields = fields


class QueueEntrySerializer(serializers.Serializer):
    clearance = ClearanceSerializer()
    next_flight = NextFlightSerializer(allow_null=True)


class RefusalSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class EligibilitySerializer(serializers.Serializer):
    flight = serializers.IntegerField()
    eligible = serializers.BooleanField()
    refusals = RefusalSerializer(many=True)


class SelfCertificationSerializer(serializers.ModelSerializer):
    flight = serializers.PrimaryKeyRelatedField(queryset=Flight.objects.all())

    class Meta:
        model = HealthSelfCertification
        fields = ["id", "flight", "clearance", "statement", "certified_at"]
        read_only_fields = ["id", "clearance", "statement", "certified_at"]
