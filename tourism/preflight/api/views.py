"""The pre-flight API: training modules and records, the waiver of claims, security screening, and each
booking's pre-flight status.

Passengers read their own records (another passenger's are 404, as if they did not exist) and sign their
own waiver; operations sign off training and record screenings; operations and flight directors read
everyone's. Nothing is changed or deleted once recorded: there is no PUT, PATCH or DELETE.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from config.openapi import error_responses
from config.throttling import ScopedRateThrottle  # DRF's, counted in one statement
from tourism.models import Booking, PassengerProfile
from tourism.preflight import selectors, services
from tourism.preflight.api import examples
from tourism.preflight.api import serializers as s
from tourism.preflight.exceptions import PreflightRefused
from tourism.preflight.models import SecurityScreening, TrainingModule, TrainingRecord, WaiverOfClaims
from tourism.preflight.waiver import waiver_text_build

errors = error_responses  # the error statuses a view names, so its own examples (examples.py) attach


class IsOperations(BasePermission):
    message = "Only operations staff may do this."

    def has_permission(self, request, view) -> bool:
        return selectors.is_operations(request.user)


class OperationsWriteMixin:
    """Anyone signed in reads (the queryset decides what); only operations create."""

    def get_permissions(self):
        if self.action == "create":
            return [IsAuthenticated(), IsOperations()]
        return super().get_permissions()


@extend_schema_view(
    list=extend_schema(summary="Training modules: the syllabus per itinerary and per regime",
                       examples=examples.TRAINING_MODULE_LIST),
    retrieve=extend_schema(summary="A training module", responses={200: s.TrainingModuleSerializer, **errors(404)},
                           examples=examples.TRAINING_MODULE_RETRIEVE),
)
class TrainingModuleViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = TrainingModule.objects.select_related("itinerary").order_by("position", "name", "id")
    serializer_class = s.TrainingModuleSerializer
    filterset_fields = ["itinerary", "regime", "is_active", "is_emergency_training"]


@extend_schema_view(
    list=extend_schema(summary="Training sign-offs: your own, or everyone's for operations and flight directors",
                       examples=examples.TRAINING_RECORD_LIST),
    retrieve=extend_schema(summary="A training sign-off", responses={200: s.TrainingRecordSerializer, **errors(404)},
                           examples=examples.TRAINING_RECORD_RETRIEVE),
    create=extend_schema(
        summary="Sign off a training module for a passenger (operations)",
        request=s.TrainingSignOffInputSerializer,
        responses={201: s.TrainingRecordSerializer, **errors(400, 403, 409)},
        examples=examples.TRAINING_SIGN_OFF,
    ),
)
class TrainingRecordViewSet(
    OperationsWriteMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = TrainingRecord.objects.none()  # for the schema; requests use get_queryset
    serializer_class = s.TrainingRecordSerializer
    filterset_fields = ["module", "completed_on"]

    def get_queryset(self):
        return selectors.training_records_visible_to(self.request.user)

    def create(self, request, *args, **kwargs):
        data = s.TrainingSignOffInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = services.training_sign_off(by=request.user, **data.validated_data)
        record = selectors.training_records_visible_to(request.user).get(pk=record.pk)
        return Response(s.TrainingRecordSerializer(record).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="Waivers of claims signed: your own, or everyone's for operations and flight directors",
                       examples=examples.WAIVER_LIST),
    retrieve=extend_schema(summary="A signed waiver of claims, with the exact text", responses={
        200: s.WaiverSerializer, **errors(404)}, examples=examples.WAIVER_RETRIEVE),
)
class WaiverViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = WaiverOfClaims.objects.none()
    serializer_class = s.WaiverSerializer
    filterset_fields = ["flight", "text_version"]

    def get_queryset(self):
        return selectors.waivers_visible_to(self.request.user)


@extend_schema_view(
    list=extend_schema(summary="Security screenings: your own, or everyone's for operations and flight directors",
                       examples=examples.SCREENING_LIST),
    retrieve=extend_schema(summary="A security screening", responses={200: s.ScreeningSerializer, **errors(404)},
                           examples=examples.SCREENING_RETRIEVE),
    create=extend_schema(
        summary="Record a passenger's security screening for a flight (operations, 14 CFR 460.53)",
        request=s.ScreeningInputSerializer,
        responses={201: s.ScreeningSerializer, **errors(400, 403, 409)},
        examples=examples.SCREENING_RECORD,
    ),
)
class ScreeningViewSet(
    OperationsWriteMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = SecurityScreening.objects.none()
    serializer_class = s.ScreeningSerializer
    filterset_fields = ["flight", "result"]

    def get_queryset(self):
        return selectors.screenings_visible_to(self.request.user)

    def create(self, request, *args, **kwargs):
        data = s.ScreeningInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        screening = services.screening_record(by=request.user, **data.validated_data)
        return Response(s.ScreeningSerializer(screening).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="Pre-flight status of live bookings: your own, or everyone's for operations and flight directors",
        responses=s.BookingPreflightSerializer(many=True),
        examples=examples.BOOKING_PREFLIGHT_LIST,
    ),
    retrieve=extend_schema(
        summary="A booking's pre-flight status: training per module, waiver of claims, security screening",
        responses={200: s.BookingPreflightSerializer, **errors(404)},
        examples=examples.BOOKING_PREFLIGHT_RETRIEVE,
    ),
)
class BookingPreflightViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Booking.objects.none()
    serializer_class = s.BookingPreflightSerializer
    throttle_scope: str | None = None  # set per action (ScopedRateThrottle)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        if self.action == "waiver":
            return selectors.live_bookings_of(self.request.user)  # only the passenger reads it to sign, and signs
        return selectors.bookings_visible_to(self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        statuses = selectors.preflight_for_bookings(page)
        return self.get_paginated_response(s.BookingPreflightSerializer([statuses[b.pk] for b in page], many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return Response(s.BookingPreflightSerializer(selectors.preflight_for_booking(self.get_object())).data)

    @extend_schema(
        methods=["GET"], summary="The waiver of claims to read before signing (14 CFR 460.49), with its SHA-256",
        responses={200: s.WaiverTextSerializer, **errors(404, 409)}, examples=examples.WAIVER_READ,
    )
    @extend_schema(
        methods=["POST"], summary="Sign the waiver of claims for this booking's flight by typing your legal name",
        operation_id="preflight_bookings_waiver_sign",
        request=s.WaiverSignInputSerializer, responses={201: s.WaiverSerializer, **errors(400, 403, 404, 409, 429)},
        examples=examples.WAIVER_SIGN,
    )
    @action(detail=True, methods=["get", "post"], throttle_classes=[ScopedRateThrottle], throttle_scope="booking")
    def waiver(self, request, pk=None):
        booking = self.get_object()
        if request.method == "POST":
            data = s.WaiverSignInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            waiver = services.waiver_sign(
                booking=booking, user=request.user, typed_name=data.validated_data["legal_name"],
                text_sha256=data.validated_data["text_sha256"], ip_address=request.META.get("REMOTE_ADDR"),
            )
            return Response(s.WaiverSerializer(waiver).data, status=status.HTTP_201_CREATED)
        profile = PassengerProfile.objects.filter(user=request.user).first()
        if profile is None:
            raise PreflightRefused(
                "Fill in your passenger profile first: the waiver names you by your legal name.", code="profile_required"
            )
        text = waiver_text_build(flight=booking.flight, legal_name=profile.legal_name)
        current = selectors.waiver_status(request.user, booking.flight)
        body = {
            "booking": booking.pk, "flight": booking.flight_id, "version": text.version, "text": text.text,
            "sha256": text.sha256, "signed": current.signed, "signature": current.waiver,
        }
        return Response(s.WaiverTextSerializer(body).data)
