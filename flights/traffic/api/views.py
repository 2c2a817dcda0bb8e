"""The conjunctions API: events, their updates and decisions, CDM import (raw text) and export.

Flight directors and operations read; only the flight's director signs a decision (password
re-entered); CDMs are posted as raw KVN text (`text/plain`), not JSON. Nothing is ever deleted.
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import BaseParser
from rest_framework.response import Response
from rest_framework.views import APIView

from config.openapi import error_responses
from config.throttling import ScopedRateThrottle  # DRF's, counted in one statement
from flights import roles
from flights.exceptions import InvalidInput
from flights.traffic import selectors, services
from flights.traffic.api import examples
from flights.traffic.api import serializers as s
from flights.traffic.filters import EventFilter


class PlainTextParser(BaseParser):
    """A CDM in KVN is text: the body as a string (UTF-8)."""

    media_type = "text/plain"

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read()
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput("The CDM is not UTF-8 text.", code="cdm_invalid") from None


class IsDirectorOrOperations(permissions.BasePermission):
    message = "Conjunction events are open to flight directors and operations staff only."

    def has_permission(self, request, view) -> bool:
        return roles.user_has_any_role(request.user, (roles.FLIGHT_DIRECTOR, roles.OPERATIONS))


@extend_schema_view(
    list=extend_schema(responses={200: s.EventSerializer(many=True), **error_responses(400)},
                       examples=examples.EVENT_LIST),
    retrieve=extend_schema(examples=examples.EVENT_RETRIEVE),
)
class EventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Conjunction events with their latest figures, tier and whether a decision is needed."""

    permission_classes = [permissions.IsAuthenticated, IsDirectorOrOperations]
    queryset = selectors.event_queryset().order_by("tca", "id")
    serializer_class = s.EventSerializer
    filterset_class = EventFilter
    action_filtersets = {"updates": None, "decisions": None}

    @extend_schema(responses={200: s.UpdateSerializer(many=True)}, examples=examples.UPDATE_LIST)
    @action(detail=True, methods=["get"])
    def updates(self, request, pk=None):
        """Every update received for the event, oldest first (the Pc trend)."""
        event = self.get_object()
        rows = event.updates.select_related("event").order_by("received_at", "id")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.UpdateSerializer(page, many=True).data)

    @extend_schema(methods=["GET"], responses={200: s.DecisionSerializer(many=True)}, examples=examples.DECISION_LIST)
    @extend_schema(methods=["POST"], request=s.DecisionCreateSerializer,
                   responses={201: s.DecisionSerializer, **error_responses(400, 403, 409)},
                   examples=examples.DECISION_CREATE)
    @action(detail=True, methods=["get", "post"], throttle_classes=[ScopedRateThrottle])
    def decisions(self, request, pk=None):
        """GET: the event's signed decisions. POST: the flight director signs one (password re-entered)."""
        event = self.get_object()
        if request.method == "GET":
            rows = event.decisions.select_related("signer").order_by("signed_at", "id")
            page = self.paginate_queryset(rows)
            return self.get_paginated_response(s.DecisionSerializer(page, many=True).data)
        serializer = s.DecisionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        decision = services.decision_record(event=event, signer=request.user, **serializer.validated_data)
        return Response(s.DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.CloseSerializer, responses={200: s.EventSerializer, **error_responses(400, 409)},
                   examples=examples.EVENT_CLOSE)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the event after its TCA, saying what happened."""
        event = self.get_object()  # an unknown id is 404 before the body is read
        serializer = s.CloseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = services.event_close(event=event, by=request.user, **serializer.validated_data)
        return Response(s.EventSerializer(self.get_queryset().get(pk=event.pk)).data)

    @extend_schema(
        responses={
            (200, "text/plain"): OpenApiResponse(OpenApiTypes.STR, description="The event as a KVN CDM."),
            **error_responses(409),
        },
        examples=examples.EVENT_CDM,
    )
    @action(detail=True, methods=["get"])
    def cdm(self, request, pk=None):
        """The event's latest message as a standard CDM (KVN) with our Pc; refused without covariance."""
        text = services.event_export_cdm(event=self.get_object())
        response = HttpResponse(text, content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="conjunction-{pk}.cdm"'
        return response

    def get_throttles(self):
        if self.action == "decisions" and self.request.method == "POST":
            self.throttle_scope = "auth"  # password guessing at the signature is throttled like a login
            return super().get_throttles()
        return []


class CdmImportView(APIView):
    """POST a CDM (KVN) as the raw request body, `Content-Type: text/plain`."""

    permission_classes = [permissions.IsAuthenticated, IsDirectorOrOperations]
    parser_classes = [PlainTextParser]

    @extend_schema(
        request={"text/plain": OpenApiTypes.STR},
        parameters=[OpenApiParameter("hbr_m", OpenApiTypes.FLOAT, description="Hard-body radius (m) to use instead "
                                     "of the message's COMMENT HBR and the operator's default.")],
        responses={201: s.ImportResultSerializer, 200: s.ImportResultSerializer, **error_responses(400, 409)},
        examples=examples.CDM_IMPORT,
    )
    def post(self, request):
        """Import one CDM: a new event (201) or an update of an existing one (200); malformed: 400 with the line."""
        text = request.data if isinstance(request.data, str) else ""
        hbr = request.query_params.get("hbr_m")
        try:
            hbr_m = float(hbr) if hbr not in (None, "") else None
        except ValueError:
            raise InvalidInput("hbr_m must be a number of metres.", fields={"hbr_m": ["Not a number."]}) from None
        result = services.cdm_import(text=text, received_by=request.user, hbr_m=hbr_m)
        event = selectors.event_queryset().get(pk=result.event.pk)
        body = s.ImportResultSerializer({"created": result.created, "event": event, "update": result.update}).data
        return Response(body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)
