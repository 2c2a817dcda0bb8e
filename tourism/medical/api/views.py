"""The medical API: a passenger's own questionnaire and status; flight surgeons' queue and decisions.

Clearances are listed by status for whoever may see it (the passenger their own; surgeons, flight
directors and operations everyone's). Content endpoints (questionnaire, notes, examinations,
documents, access log) answer only the passenger and flight surgeons, and log every read; another
passenger's clearance is 404, a staff role without content access gets 403. Nothing is deleted.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.generics import GenericAPIView, get_object_or_404
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.openapi import error_responses
from flights import roles
from flights.models import Flight
from tourism.medical import questionnaire, selectors, services
from tourism.medical.api import examples
from tourism.medical.api import serializers as s
from tourism.medical.filters import AccessLogFilter, ClearanceFilter, SelfCertificationFilter, review_queue_filter
from tourism.medical.models import (
    ClearanceNote,
    HealthSelfCertification,
    MedicalAccessLog,
    MedicalClearance,
    MedicalDocument,
    MedicalExamination,
)

API = MedicalAccessLog.Channel.API
Type = MedicalAccessLog.RecordType


class HasRole(BasePermission):
    role = ""
    message = "This endpoint is for another role."

    def has_permission(self, request, view) -> bool:
        return roles.user_has_role(request.user, self.role)


class IsPassenger(HasRole):
    role = roles.PASSENGER
    message = "This endpoint is for passengers."


class IsFlightSurgeon(HasRole):
    role = roles.FLIGHT_SURGEON
    message = "This endpoint is for flight surgeons."


def _paginated(view, items, serializer_class):
    page = view.paginate_queryset(items)
    return view.get_paginated_response(serializer_class(page, many=True, context={"request": view.request}).data)


@extend_schema_view(
    list=extend_schema(summary="Clearances: your own, or everyone's for surgeons, flight directors and operations",
                       responses={200: s.ClearanceSerializer(many=True), **error_responses(400)},
                       examples=examples.CLEARANCE_LIST),
    retrieve=extend_schema(summary="A clearance's status, validity and restrictions (no medical content)",
                           examples=examples.CLEARANCE_RETRIEVE),
    create=extend_schema(summary="Start a new medical questionnaire (a draft)", request=None,
                         responses={201: s.ClearanceSerializer, **error_responses(409)}, examples=examples.CLEARANCE_START),
)
class ClearanceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = s.ClearanceSerializer
    filterset_class = ClearanceFilter
    action_filtersets = {"access_log": AccessLogFilter, "examinations": None, "notes": None, "documents": None}
    queryset = MedicalClearance.objects.none()  # for the schema; requests use get_queryset

    def initialize_request(self, request, *args, **kwargs):
        self.action = self.action_map.get(request.method.lower())  # get_parsers asks which action this is
        return super().initialize_request(request, *args, **kwargs)

    def get_parsers(self):
        if getattr(self, "action", None) == "documents":  # the one upload: the file comes as multipart
            return [MultiPartParser()]
        return super().get_parsers()

    def get_queryset(self):
        return selectors.clearances_visible_to(self.request.user).order_by("-created_at", "-id")

    def get_permissions(self):
        if self.action == "create":
            return [IsAuthenticated(), IsPassenger()]
        if self.action in ("start_review", "decide", "request_information"):
            return [IsAuthenticated(), IsFlightSurgeon()]
        return super().get_permissions()

    def create(self, request, *args, **kwargs):
        clearance = services.clearance_start(passenger=request.user)
        return Response(s.ClearanceSerializer(clearance).data, status=status.HTTP_201_CREATED)

    def _content_clearance(self) -> MedicalClearance:
        """The clearance, if this user may read its content: 404 when they cannot see it at all, else 403."""
        clearance = self.get_object()
        if not selectors.can_read_content(self.request.user, clearance):
            raise PermissionDenied("Medical content is readable only by the passenger and flight surgeons.")
        return clearance

    def _require_surgeon(self, what: str) -> None:
        if not selectors.is_flight_surgeon(self.request.user):
            raise PermissionDenied(f"Only flight surgeons {what}.")

    def _questionnaire_body(self, clearance: MedicalClearance, answers: dict) -> dict:
        return s.QuestionnaireSerializer(
            {"clearance": clearance, "answers": answers, "missing_sections": questionnaire.missing_sections(answers)}
        ).data

    @extend_schema(
        methods=["GET"], summary="The questionnaire's answers (logged read)", responses=s.QuestionnaireSerializer,
        examples=examples.QUESTIONNAIRE,
    )
    @extend_schema(
        methods=["PATCH"], summary="Save one section of your questionnaire (draft or complete)",
        request=s.QuestionnaireSectionInputSerializer,
        responses={200: s.QuestionnaireSerializer, **error_responses(400, 409)}, examples=examples.QUESTIONNAIRE_SAVE,
    )
    @action(detail=True, methods=["get", "patch"])
    def questionnaire(self, request, pk=None):
        clearance = self._content_clearance()
        if request.method == "PATCH":
            data = s.QuestionnaireSectionInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            record = services.questionnaire_save_section(
                clearance=clearance, by=request.user, section=data.validated_data["section"],
                data=data.validated_data["answers"], draft=data.validated_data["draft"],
            )
            return Response(self._questionnaire_body(clearance, record.answers))
        answers = selectors.questionnaire_answers_read(clearance=clearance, reader=request.user, channel=API, path=request.path)
        return Response(self._questionnaire_body(clearance, answers))

    @extend_schema(summary="Submit your questionnaire to the flight surgeons", request=s.SubmitInputSerializer,
                   responses={200: s.ClearanceSerializer, **error_responses(400, 409)}, examples=examples.SUBMIT)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        clearance = self.get_object()
        data = s.SubmitInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        clearance = services.clearance_submit(clearance=clearance, by=request.user, reply=data.validated_data["reply"])
        return Response(s.ClearanceSerializer(clearance).data)

    @extend_schema(summary="Take a submission for review (flight surgeon)", request=None,
                   responses={200: s.ClearanceSerializer, **error_responses(409)}, examples=examples.START_REVIEW)
    @action(detail=True, methods=["post"], url_path="start-review")
    def start_review(self, request, pk=None):
        clearance = services.clearance_start_review(clearance=self.get_object(), by=request.user)
        return Response(s.ClearanceSerializer(clearance).data)

    @extend_schema(summary="Record the decision (flight surgeon)", request=s.DecisionInputSerializer,
                   responses={200: s.ClearanceSerializer, **error_responses(400, 409)}, examples=examples.DECIDE)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        clearance = self.get_object()  # which record, before what was sent
        data = s.DecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        clearance = services.clearance_decide(clearance=clearance, by=request.user, **data.validated_data)
        return Response(s.ClearanceSerializer(clearance).data)

    @extend_schema(summary="Ask the passenger for more information (flight surgeon)",
                   request=s.InformationRequestInputSerializer,
                   responses={200: s.ClearanceSerializer, **error_responses(409)}, examples=examples.REQUEST_INFORMATION)
    @action(detail=True, methods=["post"], url_path="request-information")
    def request_information(self, request, pk=None):
        clearance = self.get_object()
        data = s.InformationRequestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        clearance = services.clearance_request_information(
            clearance=clearance, by=request.user, message=data.validated_data["message"]
        )
        return Response(s.ClearanceSerializer(clearance).data)

    @extend_schema(methods=["GET"], summary="Examinations (logged read)", responses=s.ExaminationSerializer(many=True),
                   examples=examples.EXAMINATIONS)
    @extend_schema(methods=["POST"], summary="Record a physical examination or mental-health evaluation (flight surgeon)",
                   request=s.ExaminationSerializer, responses={201: s.ExaminationSerializer, **error_responses(400, 409)},
                   examples=examples.EXAMINATION_RECORD)
    @action(detail=True, methods=["get", "post"])
    def examinations(self, request, pk=None):
        clearance = self._content_clearance()
        if request.method == "POST":
            self._require_surgeon("record examinations")  # who may, before what they sent
            data = s.ExaminationSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            exam = services.examination_record(clearance=clearance, by=request.user, **data.validated_data)
            return Response(s.ExaminationSerializer(exam).data, status=status.HTTP_201_CREATED)
        return self._logged_list(clearance, MedicalExamination.objects.filter(clearance=clearance).select_related("examiner"),
                                 Type.EXAMINATION, s.ExaminationSerializer)

    @extend_schema(methods=["GET"], summary="Notes: decision reasons, requests, replies (logged read)",
                   responses=s.NoteSerializer(many=True), examples=examples.NOTES)
    @extend_schema(methods=["POST"], summary="Add a flight surgeon's note", request=s.NoteSerializer,
                   responses={201: s.NoteSerializer, **error_responses(409)}, examples=examples.NOTE_ADD)
    @action(detail=True, methods=["get", "post"])
    def notes(self, request, pk=None):
        clearance = self._content_clearance()
        if request.method == "POST":
            self._require_surgeon("add notes")
            data = s.NoteSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            note = services.note_add(clearance=clearance, by=request.user, body=data.validated_data.get("body", ""))
            return Response(s.NoteSerializer(note).data, status=status.HTTP_201_CREATED)
        return self._logged_list(clearance, ClearanceNote.objects.filter(clearance=clearance).select_related("author"),
                                 Type.NOTE, s.NoteSerializer)

    @extend_schema(methods=["GET"], summary="Supporting documents (logged read)", responses=s.DocumentSerializer(many=True),
                   examples=examples.DOCUMENTS)
    @extend_schema(methods=["POST"], summary="Upload a supporting document (PDF, PNG or JPEG; stored encrypted)",
                   request={"multipart/form-data": s.DocumentUploadSerializer},
                   responses={201: s.DocumentSerializer, **error_responses(400, 409)}, examples=examples.DOCUMENT_UPLOAD)
    @action(detail=True, methods=["get", "post"])
    def documents(self, request, pk=None):
        clearance = self._content_clearance()
        if request.method == "POST":
            data = s.DocumentUploadSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            document = services.document_upload(
                clearance=clearance, by=request.user, upload=data.validated_data["file"], kind=data.validated_data["kind"]
            )
            return Response(s.DocumentSerializer(document).data, status=status.HTTP_201_CREATED)
        return self._logged_list(
            clearance, MedicalDocument.objects.filter(clearance=clearance).select_related("uploaded_by"),
            Type.DOCUMENT, s.DocumentSerializer,
        )

    @extend_schema(summary="Who read this record, when, and how",
                   responses={200: s.AccessLogSerializer(many=True), **error_responses(400)}, examples=examples.ACCESS_LOG)
    @action(detail=True, methods=["get"], url_path="access-log")
    def access_log(self, request, pk=None):
        clearance = self._content_clearance()
        return _paginated(self, self.filter_queryset(selectors.access_log_for_clearance(clearance)), s.AccessLogSerializer)

    def _logged_list(self, clearance, queryset, record_type, serializer_class):
        page = self.paginate_queryset(queryset)
        selectors.content_records_read(
            clearance=clearance, reader=self.request.user, record_type=record_type, records=page, channel=API,
            path=self.request.path,
        )
        return self.get_paginated_response(serializer_class(page, many=True).data)


class ReviewQueueView(GenericAPIView):
    """Submissions awaiting a flight surgeon, soonest flight first; `?status=` shows other clearances
    the same way (e.g. cleared ones with `expiring_before`)."""

    permission_classes = [IsAuthenticated, IsFlightSurgeon]
    queryset = MedicalClearance.objects.none()  # for the schema; the filter below picks the rows
    filterset_class = ClearanceFilter

    @extend_schema(summary="The flight surgeons' review queue",
                   responses={200: s.QueueEntrySerializer(many=True), **error_responses(400)}, examples=examples.REVIEW_QUEUE)
    def get(self, request):
        clearances = review_queue_filter(request.query_params, request=request)
        if not clearances.is_valid():
            raise ValidationError(clearances.errors)
        page = self.paginate_queryset(selectors.review_queue(clearances=clearances.qs))
        return self.get_paginated_response(s.QueueEntrySerializer(page, many=True).data)


class DocumentContentView(APIView):
    """The document itself, decrypted, for the passenger and flight surgeons; each download is logged."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Download a supporting document (logged)",
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The file.")},
        examples=examples.DOCUMENT_CONTENT,
    )
    def get(self, request, pk: int):
        document = get_object_or_404(MedicalDocument.objects.select_related("clearance"), pk=pk)
        if not selectors.can_read_content(request.user, document.clearance):
            if not selectors.can_see_status(request.user):
                raise NotFound()  # another passenger must not learn that the document exists
            raise PermissionDenied("Medical documents are readable only by the passenger and flight surgeons.")
        content = selectors.document_content_read(document=document, reader=request.user, channel=API, path=request.path)
        response = HttpResponse(content, content_type=document.content_type)
        response["Content-Disposition"] = f'attachment; filename="medical-document-{document.pk}.{document.extension}"'
        response["Cache-Control"] = "private, no-store"
        return response


class EligibilityView(APIView):
    """Would the medical gate refuse a booking of yours on this flight, and why."""

    permission_classes = [IsAuthenticated, IsPassenger]

    @extend_schema(summary="Your medical eligibility for a flight", responses=s.EligibilitySerializer,
                   examples=examples.ELIGIBILITY)
    def get(self, request, flight_id: int):
        flight = get_object_or_404(Flight.objects.select_related("itinerary", "spaceport", "vehicle__model"), pk=flight_id)
        refusals = selectors.clearance_check(request.user, flight, now=timezone.now())
        return Response(
            s.EligibilitySerializer({"flight": flight.pk, "eligible": not refusals, "refusals": refusals}).data
        )


@extend_schema_view(
    list=extend_schema(summary="Your “no change in my health” self-certifications",
                       examples=examples.SELF_CERTIFICATIONS),
    create=extend_schema(summary="Certify “no change in my health” for a flight, in its final 24 hours",
                         responses={201: s.SelfCertificationSerializer, **error_responses(409)},
                         examples=examples.SELF_CERTIFY),
)
class SelfCertificationViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = s.SelfCertificationSerializer
    permission_classes = [IsAuthenticated, IsPassenger]
    filterset_class = SelfCertificationFilter
    queryset = HealthSelfCertification.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return HealthSelfCertification.objects.filter(passenger=self.request.user).order_by("-certified_at", "-id")

    def perform_create(self, serializer):
        serializer.instance = services.self_certification_record(
            passenger=self.request.user, flight=serializer.validated_data["flight"]
        )
