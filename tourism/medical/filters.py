"""One FilterSet per medical model, serving the API lists and the flight surgeons' queue page alike.

Filters see statuses and dates only, never medical content.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.http import QueryDict

from flights.models import Flight
from tourism.medical.models import HealthSelfCertification, MedicalAccessLog, MedicalClearance
from tourism.medical.selectors import QUEUE_STATUSES


class ClearanceFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=MedicalClearance.Status.choices, label="Status", widget=forms.CheckboxSelectMultiple,
        help_text="One or more statuses: ?status=cleared&status=cleared_with_restrictions.",
    )
    expiring_before = django_filters.DateFilter(
        field_name="valid_until", lookup_expr="lt", label="Valid until before (YYYY-MM-DD)",
        help_text="Decided clearances whose validity ends before this date, e.g. 2026-09-01.",
    )

    class Meta:
        model = MedicalClearance
        fields = ["status", "expiring_before"]


def review_queue_filter(query: QueryDict, **kwargs) -> ClearanceFilter:
    """The review queue (API and portal) through ClearanceFilter: asked for no status, it shows the
    queue's own (submitted, under review, information requested); asked for others, those."""
    data = query.copy()
    if not [status for status in data.getlist("status") if status]:
        data.setlist("status", list(QUEUE_STATUSES))
    return ClearanceFilter(data, queryset=MedicalClearance.objects.all(), **kwargs)


class SelfCertificationFilter(django_filters.FilterSet):
    flight = django_filters.ModelChoiceFilter(queryset=Flight.objects.all(), label="Flight", help_text="A flight's id.")

    class Meta:
        model = HealthSelfCertification
        fields = ["flight"]


class AccessLogFilter(django_filters.FilterSet):
    record_type = django_filters.ChoiceFilter(choices=MedicalAccessLog.RecordType.choices, label="Record read")
    channel = django_filters.ChoiceFilter(choices=MedicalAccessLog.Channel.choices, label="Channel")

    class Meta:
        model = MedicalAccessLog
        fields = ["record_type", "channel"]
