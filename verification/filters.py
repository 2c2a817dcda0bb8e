"""One FilterSet per verification model, serving the API lists and the flight directors' queue page alike.

Vehicles (the certification list) are filtered by `flights.filters.VehicleFilter`.
"""

from __future__ import annotations

import django_filters

from flights.models import Vehicle
from verification.models import Anomaly, Attachment, Severity, SignOff, TestObjective, VerificationFlight


def _record_filter(**kwargs):
    return django_filters.ModelChoiceFilter(
        queryset=VerificationFlight.objects.all(), label="Record", help_text="A verification record's id.", **kwargs
    )


class RecordFilter(django_filters.FilterSet):
    vehicle = django_filters.ModelChoiceFilter(
        queryset=Vehicle.objects.all(), to_field_name="serial", label="Vehicle", empty_label="Any vehicle",
        help_text="The vehicle's serial, e.g. NS-RSS1.",
    )
    kind = django_filters.ChoiceFilter(choices=VerificationFlight.Kind.choices, label="Kind", empty_label="Any kind")
    status = django_filters.ChoiceFilter(
        choices=VerificationFlight.Status.choices, label="Status", empty_label="Any status"
    )

    class Meta:
        model = VerificationFlight
        # vehicle__serial and flight__code: the names the API had first, kept for clients that use them.
        fields = ["vehicle", "kind", "status", "vehicle__serial", "flight__code"]


class ObjectiveFilter(django_filters.FilterSet):
    record = _record_filter()
    result = django_filters.ChoiceFilter(choices=TestObjective.Result.choices, label="Result")

    class Meta:
        model = TestObjective
        fields = ["record", "result"]


class AnomalyFilter(django_filters.FilterSet):
    record = _record_filter()
    severity = django_filters.ChoiceFilter(choices=Severity.choices, label="Severity")
    disposition = django_filters.ChoiceFilter(choices=Anomaly.Disposition.choices, label="Disposition")

    class Meta:
        model = Anomaly
        fields = ["record", "severity", "disposition"]


class AttachmentFilter(django_filters.FilterSet):
    record = _record_filter()
    kind = django_filters.ChoiceFilter(choices=Attachment.Kind.choices, label="Kind")

    class Meta:
        model = Attachment
        fields = ["record", "kind"]


class SignOffFilter(django_filters.FilterSet):
    record = _record_filter()
    decision = django_filters.ChoiceFilter(choices=SignOff.Decision.choices, label="Decision")
    signer = django_filters.CharFilter(
        field_name="signer__username", max_length=150, label="Signer", help_text="The signer's username."
    )

    class Meta:
        model = SignOff
        fields = ["record", "decision", "signer", "signer__username"]  # signer__username: the first name, kept
