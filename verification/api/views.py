"""The verification API: records, objectives, anomalies, attachments, sign-offs and certification.

Flight directors and operations staff read; writes go through the services (which refuse with the
domain's messages). Only flight directors sign, with their password; nothing is ever deleted.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from config.openapi import error_responses
from config.throttling import ScopedRateThrottle  # DRF's, counted in one statement
from flights import roles
from flights.filters import VehicleFilter
from verification import selectors, services
from verification.api import examples
from verification.api import serializers as s
from verification.filters import AnomalyFilter, AttachmentFilter, ObjectiveFilter, RecordFilter, SignOffFilter
from verification.models import Anomaly, Attachment, SignOff, TestObjective


class IsDirectorOrOperations(permissions.BasePermission):
    message = "Verification records are open to flight directors and operations staff only."

    def has_permission(self, request, view) -> bool:
        return roles.user_has_any_role(request.user, (roles.FLIGHT_DIRECTOR, roles.OPERATIONS))


class VerificationViewSet(viewsets.GenericViewSet):
    permission_classes = [permissions.IsAuthenticated, IsDirectorOrOperations]
    http_method_names = ["get", "post", "patch", "head", "options"]  # never PUT, never DELETE


@extend_schema_view(
    list=extend_schema(responses={200: s.RecordSerializer(many=True), **error_responses(400)},
                       examples=examples.RECORD_LIST),
    retrieve=extend_schema(examples=examples.RECORD_RETRIEVE),
)
class RecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, VerificationViewSet):
    """Verification flight records with their evidence and each sign-off's validity, recomputed."""

    queryset = selectors.record_queryset().order_by("-created_at", "-id")
    serializer_class = s.RecordSerializer
    filterset_class = RecordFilter

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context.setdefault("reviews", {})
        context.setdefault("checks", {})
        return context

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = self.get_serializer_context()
        reviews = selectors.record_reviews(page)
        context["reviews"] = {review.record.pk: review for review in reviews}
        context["checks"] = {view.signoff.pk: view.check for review in reviews for view in review.signoffs}
        return self.get_paginated_response(s.RecordSerializer(page, many=True, context=context).data)

    def _render(self, record, code=status.HTTP_200_OK):
        record = self.get_queryset().get(pk=record.pk)
        return Response(s.RecordSerializer(record, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=s.RecordCreateSerializer, responses={201: s.RecordSerializer, **error_responses(400, 409)},
                   examples=examples.RECORD_CREATE)
    def create(self, request):
        data = self._valid(s.RecordCreateSerializer, request.data)
        flight = data.pop("flight")
        record = services.verification_record_create(flight=flight, by=request.user, **data)
        return self._render(record, status.HTTP_201_CREATED)

    @extend_schema(request=s.RecordUpdateSerializer, responses={200: s.RecordSerializer, **error_responses(409)},
                   examples=examples.RECORD_UPDATE)
    def partial_update(self, request, pk=None):
        record = self.get_object()
        data = self._valid(s.RecordUpdateSerializer, request.data, partial=True)
        return self._render(services.verification_record_update(record=record, by=request.user, **data))

    def _valid(self, serializer_class, data, **kwargs) -> dict:
        serializer = serializer_class(data=data, **kwargs)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    @extend_schema(request=s.ReasonSerializer, responses={200: s.RecordSerializer, **error_responses(409)},
                   examples=examples.MARK_FLOWN)
    @action(detail=True, methods=["post"], url_path="mark-flown")
    def mark_flown(self, request, pk=None):
        """Lock a complete record: it changes afterwards only through reopen."""
        record = self.get_object()  # which record, before what was sent
        reason = self._valid(s.ReasonSerializer, request.data)["reason"]
        return self._render(services.verification_mark_flown(record=record, by=request.user, reason=reason))

    @extend_schema(request=s.ReasonSerializer, responses={200: s.RecordSerializer, **error_responses(409)},
                   examples=examples.SUBMIT)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Put a flown record in the sign-off queue."""
        record = self.get_object()
        reason = self._valid(s.ReasonSerializer, request.data)["reason"]
        record = services.verification_submit_for_review(record=record, by=request.user, reason=reason)
        return self._render(record)

    @extend_schema(request=s.ReasonSerializer, responses={200: s.RecordSerializer, **error_responses(400, 409)},
                   examples=examples.REOPEN)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Unlock a flown record for correction; its sign-offs become void (flight directors only)."""
        record = self.get_object()
        reason = self._valid(s.ReasonSerializer, request.data)["reason"]
        return self._render(services.verification_reopen(record=record, by=request.user, reason=reason))

    @extend_schema(request=s.SignOffCreateSerializer, responses={201: s.SignOffSerializer, **error_responses(400, 409)},
                   examples=examples.SIGN_OFF)
    @action(detail=True, methods=["post"], url_path="sign-off", throttle_classes=[ScopedRateThrottle])
    def sign_off(self, request, pk=None):
        """Sign the record (flight directors only), re-entering your password."""
        record = self.get_object()
        data = self._valid(s.SignOffCreateSerializer, request.data)
        signoff = services.verification_sign_off(record=record, signer=request.user, **data)
        return Response(s.SignOffSerializer(signoff, context={}).data, status=status.HTTP_201_CREATED)

    def get_throttles(self):
        if self.action == "sign_off":
            self.throttle_scope = "auth"  # password guessing at the signature is throttled like a login
        return super().get_throttles()


class RecordContentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, VerificationViewSet):
    """Rows of a record, added (POST) and changed (PATCH) through the services while the record is editable."""

    update_serializer_class = None
    add_service = update_service = None  # staticmethods: services.<row>_add, services.<row>_update
    row_argument = ""  # the update service's keyword for the row

    def get_serializer_class(self):
        return self.update_serializer_class if self.action == "partial_update" else self.serializer_class

    def _valid(self, serializer_class, **kwargs) -> dict:
        serializer = serializer_class(data=self.request.data, **kwargs)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _render(self, row, code=status.HTTP_200_OK):
        return Response(self.serializer_class(row, context=self.get_serializer_context()).data, status=code)

    def create(self, request):
        data = self._valid(self.serializer_class)
        return self._render(self.add_service(record=data.pop("record"), by=request.user, **data), status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        data = self._valid(self.update_serializer_class, partial=True)
        return self._render(self.update_service(**{self.row_argument: self.get_object()}, by=request.user, **data))


@extend_schema_view(
    list=extend_schema(examples=examples.OBJECTIVE_LIST),
    retrieve=extend_schema(examples=examples.OBJECTIVE_RETRIEVE),
    create=extend_schema(responses={201: s.ObjectiveSerializer, **error_responses(409)}, examples=examples.OBJECTIVE_CREATE),
    partial_update=extend_schema(responses={200: s.ObjectiveUpdateSerializer, **error_responses(409)},
                                 examples=examples.OBJECTIVE_UPDATE),
)
class ObjectiveViewSet(RecordContentViewSet):
    """Test objectives: description, success criterion, measured result, pass / fail / partial."""

    queryset = TestObjective.objects.select_related("record", "entered_by", "last_edited_by").order_by("record_id", "sequence")
    serializer_class = s.ObjectiveSerializer
    filterset_class = ObjectiveFilter
    update_serializer_class = s.ObjectiveUpdateSerializer
    add_service, update_service = staticmethod(services.objective_add), staticmethod(services.objective_update)
    row_argument = "objective"


@extend_schema_view(
    list=extend_schema(examples=examples.ANOMALY_LIST),
    retrieve=extend_schema(examples=examples.ANOMALY_RETRIEVE),
    create=extend_schema(responses={201: s.AnomalySerializer, **error_responses(400, 409)},
                         examples=examples.ANOMALY_CREATE),
    partial_update=extend_schema(responses={200: s.AnomalyUpdateSerializer, **error_responses(409)},
                                 examples=examples.ANOMALY_UPDATE),
)
class AnomalyViewSet(RecordContentViewSet):
    """Anomalies with severity, root cause, corrective actions and disposition."""

    queryset = Anomaly.objects.select_related("record", "entered_by", "last_edited_by").order_by("record_id", "id")
    serializer_class = s.AnomalySerializer
    update_serializer_class = s.AnomalyUpdateSerializer
    add_service, update_service = staticmethod(services.anomaly_add), staticmethod(services.anomaly_update)
    row_argument = "anomaly"
    filterset_class = AnomalyFilter


@extend_schema_view(
    list=extend_schema(examples=examples.ATTACHMENT_LIST),
    retrieve=extend_schema(examples=examples.ATTACHMENT_RETRIEVE),
)
class AttachmentViewSet(RecordContentViewSet):
    """Telemetry summaries and photos: upload (multipart) and metadata; the file comes from download_url."""

    queryset = Attachment.objects.select_related("record").order_by("record_id", "id")
    serializer_class = s.AttachmentSerializer
    filterset_class = AttachmentFilter
    parser_classes = [MultiPartParser]  # the file comes as multipart; every other body is JSON
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(request=s.AttachmentCreateSerializer,
                   responses={201: s.AttachmentSerializer, **error_responses(400, 409)}, examples=examples.ATTACHMENT_CREATE)
    def create(self, request):
        data = self._valid(s.AttachmentCreateSerializer)
        return self._render(services.attachment_add(record=data.pop("record"), by=request.user, **data),
                            status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(examples=examples.SIGNOFF_LIST),
    retrieve=extend_schema(examples=examples.SIGNOFF_RETRIEVE),
)
class SignOffViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, VerificationViewSet):
    """Every sign-off in chain order, with `valid` recomputed from the record and the chain."""

    queryset = SignOff.objects.select_related("signer").order_by("sequence")
    serializer_class = s.SignOffSerializer
    filterset_class = SignOffFilter

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        records = selectors.record_queryset().filter(pk__in={signoff.record_id for signoff in page})
        checks = {view.signoff.pk: view.check for review in selectors.record_reviews(records) for view in review.signoffs}
        serializer = s.SignOffSerializer(page, many=True, context={"request": request, "checks": checks})
        return self.get_paginated_response(serializer.data)


@extend_schema_view(
    list=extend_schema(responses={200: s.CertificationSerializer(many=True), **error_responses(400)},
                       examples=examples.CERTIFICATION_LIST),
    retrieve=extend_schema(examples=examples.CERTIFICATION_RETRIEVE),
)
class CertificationViewSet(VerificationViewSet):
    """Each vehicle's certification state with the evidence behind it. `lookup` is the vehicle id."""

    serializer_class = s.CertificationSerializer
    queryset = selectors.vehicle_list().order_by("serial")
    filterset_class = VehicleFilter

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        certifications = selectors.vehicle_certifications(page)
        return self.get_paginated_response(
            s.CertificationSerializer([certifications[vehicle.pk] for vehicle in page], many=True).data
        )

    def retrieve(self, request, pk=None):
        vehicle = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(s.CertificationSerializer(selectors.vehicle_certification_get(vehicle)).data)
