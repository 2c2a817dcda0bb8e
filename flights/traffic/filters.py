"""The FilterSet of conjunction events, for the API list and the board."""

from __future__ import annotations

import django_filters

from flights.traffic.models import TIER_CHOICES, ConjunctionEvent, Source


class EventFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ConjunctionEvent.Status.choices, empty_label="Any status")
    tier = django_filters.ChoiceFilter(choices=TIER_CHOICES, empty_label="Any tier")
    source = django_filters.ChoiceFilter(choices=Source.choices, empty_label="Any source")
    flight = django_filters.CharFilter(field_name="protected__flight__code", label="Flight code")
    tca_after = django_filters.IsoDateTimeFilter(field_name="tca", lookup_expr="gte", label="TCA at or after")
    tca_before = django_filters.IsoDateTimeFilter(field_name="tca", lookup_expr="lte", label="TCA at or before")

    class Meta:
        model = ConjunctionEvent
        fields = ["status", "tier", "source", "flight"]
