"""One FilterSet per model of the flights app, serving the API lists and the portal lists alike.

Flights themselves are filtered by `tourism.filters.FlightFilter` (it knows which flights are on sale).
"""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from flights.models import Itinerary, ReadinessReport, Regime, Spaceport, Vehicle, VehicleModel


def filter_page(filterset_class, data, queryset: QuerySet, **kwargs):
    """A portal list through its FilterSet: (filterset, rows).

    The page renders `filterset.form`; a bad value shows as that form's error and the list stays
    unfiltered (as the catalog does), never a 500.
    """
    filterset = filterset_class(data or None, queryset=queryset, **kwargs)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    return filterset, rows


class SpaceportFilter(django_filters.FilterSet):
    country = django_filters.CharFilter(
        field_name="country", lookup_expr="iexact", max_length=2, label="Country (ISO 3166 alpha-2, e.g. US)"
    )

    class Meta:
        model = Spaceport
        fields = ["country"]


class VehicleModelFilter(django_filters.FilterSet):
    regime = django_filters.ChoiceFilter(choices=Regime.choices, label="Regime", empty_label="Any regime")
    manufacturer = django_filters.CharFilter(lookup_expr="icontains", max_length=120, label="Manufacturer")

    class Meta:
        model = VehicleModel
        fields = ["regime", "manufacturer"]


class VehicleFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Vehicle.Status.choices, label="Status", empty_label="Any status")
    model = django_filters.ModelChoiceFilter(
        queryset=VehicleModel.objects.all(), label="Vehicle model", empty_label="Any model",
        help_text="A vehicle model's id (/api/v1/vehicle-models/).",
    )
    spaceport = django_filters.ModelChoiceFilter(
        field_name="home_spaceport", to_field_name="code", queryset=Spaceport.objects.all(), label="Home spaceport",
        empty_label="Any spaceport", help_text="The home spaceport's code, e.g. lsv.",
    )

    class Meta:
        model = Vehicle
        fields = ["status", "model", "spaceport"]


class ItineraryFilter(django_filters.FilterSet):
    regime = django_filters.ChoiceFilter(choices=Regime.choices, label="Regime", empty_label="Any regime")
    physical_exam_required = django_filters.BooleanFilter(label="Physical examination required")

    class Meta:
        model = Itinerary
        fields = ["regime", "physical_exam_required"]


class ReadinessReportFilter(django_filters.FilterSet):
    all_go = django_filters.BooleanFilter(label="Every check GO")
    since = django_filters.IsoDateTimeFilter(
        field_name="created_at", lookup_expr="gte", label="Run at or after (ISO 8601, e.g. 2026-07-20T00:00:00Z)"
    )

    class Meta:
        model = ReadinessReport
        fields = ["all_go", "since"]
