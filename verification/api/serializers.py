"""Input serializers validate; services write; output serializers render (with validity recomputed)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.text import PASSWORD_MAX_LENGTH
from flights.models import Flight
from verification import selectors
from verification.models import Anomaly, Attachment, Occupant, SignOff, TestObjective, VerificationFlight
from verification.services.records import RECORD_FIELDS


def _author_field():
    return serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True,
        help_text="Who may not sign the record: its authors are kept apart from its signers.",
    )


class OccupantSerializer(serializers.ModelSerializer):
    class Meta:
        model = Occupant
        fields = ["id", "name", "role", "is_test_dummy"]


class ObjectiveSerializer(serializers.ModelSerializer):
    entered_by = _author_field()
    last_edited_by = _author_field()

    class Meta:
        model = TestObjective
        fields = ["id", "record", "sequence", "description", "success_criterion", "measured_result", "result",
                  "flight_rationale", "entered_by", "last_edited_by"]
        read_only_fields = ["sequence"]


class ObjectiveUpdateSerializer(ObjectiveSerializer):
    class Meta(ObjectiveSerializer.Meta):
        read_only_fields = ["record", "sequence"]


class AnomalySerializer(serializers.ModelSerializer):
    entered_by = _author_field()
    last_edited_by = _author_field()

    class Meta:
        model = Anomaly
        fields = ["id", "record", "title", "severity", "description", "root_cause", "corrective_actions",
                  "disposition", "flight_rationale", "entered_by", "last_edited_by"]


class AnomalyUpdateSerializer(AnomalySerializer):
    class Meta(AnomalySerializer.Meta):
        read_only_fields = ["record"]


class AttachmentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "record", "kind", "title", "original_name", "content_type", "sha256", "size_bytes",
                  "uploaded_at", "download_url"]

    def get_download_url(self, attachment) -> str:
        request = self.context.get("request")
        url = attachment.get_absolute_url()
        return request.build_absolute_uri(url) if request else url


class AttachmentCreateSerializer(serializers.Serializer):
    record = serializers.PrimaryKeyRelatedField(queryset=VerificationFlight.objects.all())
    kind = serializers.ChoiceField(choices=Attachment.Kind.choices, default=Attachment.Kind.TELEMETRY)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    file = serializers.FileField()


def _check_for(signoff: SignOff, context: dict):
    checks = context.get("checks")
    if checks is None or signoff.pk not in checks:
        review = selectors.record_review(selectors.record_queryset().get(pk=signoff.record_id))
        checks = {view.signoff.pk: view.check for view in review.signoffs}
        context.setdefault("checks", {}).update(checks)
    return checks[signoff.pk]


class SignOffSerializer(serializers.ModelSerializer):
    signer = serializers.SlugRelatedField(slug_field="username", read_only=True)
    valid = serializers.SerializerMethodField(help_text="Recomputed on every read: false once the record changed.")
    problem = serializers.SerializerMethodField()

    class Meta:
        model = SignOff
        fields = ["id", "sequence", "record", "revision", "signer", "signer_name", "signed_at", "meaning", "decision",
                  "comment", "record_hash", "previous_hash", "signoff_hash", "voided_at", "void_reason", "key_id",
                  "sealed_at", "valid", "problem"]

    def get_valid(self, signoff) -> bool:
        return _check_for(signoff, self.context).valid

    def get_problem(self, signoff) -> str:
        return _check_for(signoff, self.context).problem


class RecordSerializer(serializers.ModelSerializer):
    flight = serializers.SlugRelatedField(slug_field="code", read_only=True)
    flight_id = serializers.IntegerField(read_only=True)
    vehicle = serializers.SlugRelatedField(slug_field="serial", read_only=True)
    occupants = OccupantSerializer(many=True, read_only=True)
    objectives = ObjectiveSerializer(many=True, read_only=True)
    anomalies = AnomalySerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    signoffs = SignOffSerializer(many=True, read_only=True)
    entered_by = serializers.SlugRelatedField(source="created_by", slug_field="username", read_only=True)
    last_edited_by = _author_field()
    required_signatures = serializers.SerializerMethodField()
    current_hash = serializers.SerializerMethodField(help_text="SHA-256 of the record's canonical form now.")
    counts_towards_certification = serializers.SerializerMethodField()
    not_counting_because = serializers.SerializerMethodField()

    class Meta:
        model = VerificationFlight
        fields = ["id", "flight", "flight_id", "vehicle", "kind", "status", "status_reason", "status_changed_at",
                  "revision", *RECORD_FIELDS, "entered_by", "last_edited_by", "required_signatures", "current_hash", "counts_towards_certification",
                  "not_counting_because", "occupants", "objectives", "anomalies", "attachments", "signoffs"]

    def _review(self, record) -> selectors.RecordReview:
        reviews = self.context.setdefault("reviews", {})
        if record.pk not in reviews:
            reviews[record.pk] = selectors.record_review(record)
            self.context.setdefault("checks", {}).update(
                {view.signoff.pk: view.check for view in reviews[record.pk].signoffs}
            )
        return reviews[record.pk]

    def get_required_signatures(self, record) -> int:
        return self._review(record).required_signatures

    def get_current_hash(self, record) -> str:
        return self._review(record).current_hash

    def get_counts_towards_certification(self, record) -> bool:
        return self._review(record).counts

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_not_counting_because(self, record) -> list[str]:
        return self._review(record).reasons

    def to_representation(self, record):
        self._review(record)  # fills the sign-off checks before the nested sign-offs render
        return super().to_representation(record)


class RecordCreateSerializer(serializers.ModelSerializer):
    flight = serializers.PrimaryKeyRelatedField(
        queryset=Flight.objects.filter(purpose__in=list(VerificationFlight.KIND_FOR_PURPOSE))
    )

    class Meta:
        model = VerificationFlight
        fields = ["flight", *RECORD_FIELDS]


class RecordUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = VerificationFlight
        fields = list(RECORD_FIELDS)


class SignOffCreateSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=SignOff.Decision.choices)
    meaning = serializers.CharField(max_length=1000, help_text="What the signature attests to.")
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    password = serializers.CharField(
        max_length=PASSWORD_MAX_LENGTH, write_only=True, trim_whitespace=False, style={"input_type": "password"}
    )
    expected_record_hash = serializers.RegexField(
        r"^[0-9a-f]{64}$", required=False,
        help_text="The record's current_hash as reviewed: the signature is refused if the record changed since.",
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class EvidenceSerializer(serializers.Serializer):
    record = serializers.IntegerField(source="record.pk")
    flight = serializers.CharField(source="record.flight.code")
    kind = serializers.CharField(source="record.kind")
    status = serializers.CharField(source="record.status")
    launched_at = serializers.DateTimeField(source="record.launched_at", allow_null=True)
    counts = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())


class MishapStateSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="mishap.pk")
    flight = serializers.CharField(source="mishap.flight.code")
    occurred_at = serializers.DateTimeField(source="mishap.occurred_at")
    description = serializers.CharField(source="mishap.description")
    resolved = serializers.BooleanField()
    problems = serializers.ListField(child=serializers.CharField())


class CertificationSerializer(serializers.Serializer):
    vehicle = serializers.IntegerField(source="vehicle.pk")
    serial = serializers.CharField(source="vehicle.serial")
    state = serializers.ChoiceField(choices=list(selectors.CertificationState.LABELS.items()))
    state_label = serializers.CharField()
    uncrewed_required = serializers.IntegerField()
    uncrewed_counted = serializers.IntegerField()
    crewed_required = serializers.IntegerField()
    crewed_counted = serializers.IntegerField()
    blockers = serializers.ListField(child=serializers.CharField())
    shortfall = serializers.ListField(child=serializers.CharField())
    evidence = EvidenceSerializer(many=True)
    mishaps = MishapStateSerializer(many=True)
