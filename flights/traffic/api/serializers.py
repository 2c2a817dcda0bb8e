"""Serializers of the conjunctions API."""

from __future__ import annotations

from rest_framework import serializers

from config.text import PASSWORD_MAX_LENGTH
from flights.traffic import services
from flights.traffic.models import ConjunctionDecision, ConjunctionEvent, ConjunctionUpdate


class UpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConjunctionUpdate
        fields = [
            "id", "event", "source", "message_id", "originator", "created_by_originator_at", "received_at", "tca",
            "miss_distance_m", "miss_r_m", "miss_t_m", "miss_n_m", "relative_speed_m_s", "pc", "stated_pc",
            "pc_method", "hbr_m", "covariance", "tier", "superseded",
        ]
        read_only_fields = fields


class DecisionSerializer(serializers.ModelSerializer):
    signer = serializers.CharField(source="signer.username", read_only=True)

    class Meta:
        model = ConjunctionDecision
        fields = [
            "id", "event", "update", "tier", "kind", "reason", "manoeuvre_at", "delta_v_m_s", "shelter_at", "signer",
            "signer_name", "signed_at", "meaning",
        ]
        read_only_fields = fields


class DecisionCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ConjunctionDecision.Kind.choices)
    reason = serializers.CharField(max_length=2000)
    meaning = serializers.CharField(max_length=500)
    password = serializers.CharField(write_only=True, max_length=PASSWORD_MAX_LENGTH, style={"input_type": "password"})
    manoeuvre_at = serializers.DateTimeField(required=False, allow_null=True)
    delta_v_m_s = serializers.FloatField(required=False, allow_null=True)
    shelter_at = serializers.DateTimeField(required=False, allow_null=True)


class CloseSerializer(serializers.Serializer):
    outcome = serializers.CharField(max_length=2000)


class EventSerializer(serializers.ModelSerializer):
    flight = serializers.CharField(source="protected.flight.code", read_only=True)
    protected_designator = serializers.CharField(source="protected.designator", read_only=True)
    protected_name = serializers.CharField(source="protected.name", read_only=True)
    protected_kind = serializers.CharField(source="protected.kind", read_only=True)
    decision_needed = serializers.SerializerMethodField()
    current_decision = serializers.SerializerMethodField()

    class Meta:
        model = ConjunctionEvent
        fields = [
            "id", "flight", "protected_designator", "protected_name", "protected_kind", "other_designator",
            "other_name", "tca", "miss_distance_m", "miss_r_m", "miss_t_m", "miss_n_m", "relative_speed_m_s", "pc",
            "pc_method", "hbr_m", "covariance", "source", "tier", "status", "closed_at", "outcome", "created_at",
            "updated_at", "decision_needed", "current_decision",
        ]
        read_only_fields = fields

    def get_decision_needed(self, event) -> bool:
        return services.decision_needed(event, list(event.decisions.all()))

    def get_current_decision(self, event) -> int | None:
        decision = services.current_decision(event, list(event.decisions.all()))
        return decision.pk if decision else None


class ImportResultSerializer(serializers.Serializer):
    created = serializers.BooleanField(help_text="True when the CDM opened a new event; False: an update.")
    event = EventSerializer()
    update = UpdateSerializer()
