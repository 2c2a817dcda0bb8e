"""One FilterSet per model of the booking app, each serving its API list and its portal list alike:
flights (`/api/v1/flights/`, the catalog), bookings (`/api/v1/bookings/`, "My bookings") and waitlist
entries (`/api/v1/waitlist/`)."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils import timezone

from flights.models import Flight, Regime, Spaceport
from tourism import selectors
from tourism.models import Booking, WaitlistEntry

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


def _own_flights(request):
    """The flights a passenger has booked or waited for: the only ones their lists can be filtered by."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return Flight.objects.none()
    return Flight.objects.filter(Q(bookings__user=user) | Q(waitlist_entries__user=user)).distinct().order_by("launch_at")


class UpcomingFilter(django_filters.BooleanFilter):
    """true: the flight launches from now on; false: it launched (or was planned) before now."""

    def __init__(self, *, field_name: str, **kwargs):
        kwargs.setdefault("label", "When")
        kwargs.setdefault("widget", forms.Select(choices=[("", "Any time"), ("true", "Upcoming"), ("false", "Past")]))
        super().__init__(field_name=field_name, **kwargs)

    def filter(self, queryset, value):
        if value is None:
            return queryset
        lookup = f"{self.field_name}__{'gte' if value else 'lt'}"
        return queryset.filter(**{lookup: timezone.now()})


class BookingFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Booking.Status.choices, label="Status", empty_label="Any status")
    flight = django_filters.ModelChoiceFilter(
        queryset=_own_flights, label="Flight", empty_label="Any flight", help_text="A flight's id (one you booked)."
    )
    upcoming = UpcomingFilter(field_name="flight__launch_at", help_text="true: flights still to launch; false: past ones.")

    class Meta:
        model = Booking
        fields = ["status", "flight", "upcoming"]


class WaitlistEntryFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=WaitlistEntry.Status.choices, label="Status", empty_label="Any status")
    flight = django_filters.ModelChoiceFilter(
        queryset=_own_flights, label="Flight", empty_label="Any flight", help_text="A flight's id (one you waited for)."
    )
    upcoming = UpcomingFilter(field_name="flight__launch_at", help_text="true: flights still to launch; false: past ones.")

    class Meta:
        model = WaitlistEntry
        fields = ["status", "flight", "upcoming"]
