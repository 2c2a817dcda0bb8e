"""One FilterSet for flights, serving the API (`/api/v1/flights/`) and the portal catalog alike."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.core.validators import RegexValidator
from django.utils import timezone

from flights.models import Flight, Regime, Spaceport
from tourism import selectors

MONTH = RegexValidator(r"^\d{4}-(0[1-9]|1[0-2])$", "Give the month as YYYY-MM, e.g. 2026-07.")


def month_range(value: str) -> tuple[dt.datetime, dt.datetime]:
    year, month = (int(part) for part in value.split("-"))
    start = dt.datetime(year, month, 1, tzinfo=dt.UTC)
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=dt.UTC)
    return start, end


class FlightFilter(django_filters.FilterSet):
    bookable = django_filters.BooleanFilter(method="filter_bookable", label="Bookable now")
    regime = django_filters.ChoiceFilter(field_name="itinerary__regime", choices=Regime.choices, label="Regime")
    spaceport = django_filters.ModelChoiceFilter(
        field_name="spaceport", to_field_name="code", queryset=Spaceport.objects.all(), label="Spaceport",
        empty_label="Any spaceport",
    )
    month = django_filters.CharFilter(method="filter_month", validators=[MONTH], label="Month (YYYY-MM)")

    class Meta:
        model = Flight
        # The flights app's own filters, kept for clients that already use them.
        fields = ["status", "purpose", "spaceport__code", "itinerary__slug"]

    def filter_bookable(self, queryset, name, value):
        if value is None:
            return queryset
        now = timezone.now()
        if value:
            return selectors.flight_filter_bookable(queryset, now=now)
        return queryset.exclude(pk__in=selectors.flight_filter_bookable(queryset, now=now).values("pk"))

    def filter_month(self, queryset, name, value):
        if not value:
            return queryset
        start, end = month_range(value)
        return queryset.filter(launch_at__gte=start, launch_at__lt=end)
