"""django-filter for the API: one FilterSet per model (each app's `filters.py`), shared with the portal lists.

A view's `filterset_class` filters its own list (`list`, or a plain GenericAPIView's GET). An action
that lists other rows under one record (a flight's readiness reports, a clearance's access log) names
its FilterSet in `action_filtersets`; naming None there means "this list takes no filters", so the
schema does not offer the parent's filters on it. Bad values answer 400 with the one error body
(DjangoFilterBackend raises a ValidationError, config/api.py shapes it).
"""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.contrib.django_filters import DjangoFilterExtension

LIST_ACTIONS = {None, "list"}  # None: a GenericAPIView that is not a viewset


class FilterBackend(DjangoFilterBackend):
    def get_filterset_class(self, view, queryset=None):
        action = getattr(view, "action", None)
        nested = getattr(view, "action_filtersets", {})
        if action in nested:
            return nested[action]
        if action not in LIST_ACTIONS:
            return None  # a detail page or a write: query parameters do not filter it
        return super().get_filterset_class(view, queryset)

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        model = getattr(getattr(filterset_class, "_meta", None), "model", None)
        if model is not None and not issubclass(queryset.model, model):
            return queryset  # get_object() finding the parent record; the action filters its rows
        return super().filter_queryset(request, queryset, view)


class FilterBackendExtension(DjangoFilterExtension):
    """The schema's query parameters for nested lists come from their own FilterSet's model."""

    target_class = "config.filtering.FilterBackend"
    priority = 1

    def get_schema_operation_parameters(self, auto_schema, *args, **kwargs):
        filterset_class = self.target.get_filterset_class(auto_schema.view)
        if filterset_class is None or filterset_class._meta.model is None:
            return super().get_schema_operation_parameters(auto_schema, *args, **kwargs)
        model = filterset_class._meta.model
        parameters = []
        for field_name, filter_field in filterset_class.base_filters.items():
            parameters += self.resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        return parameters
