"""Launch day over the API: readiness findings and reports, windows, the Go/No-Go poll, votes, waivers.

Reads are for the launch team (the flight director, people holding a position on the flight,
operations); every write goes through the same services as the portal, which enforce who may act.
"""

from __future__ import annotations

from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from config.openapi import ErrorSerializer
from flights import poll, readiness, rescheduling, roles
from flights.api import examples
from flights.filters import ReadinessReportFilter
from flights.launch_windows import launch_windows_request
from flights.models import (
    Flight,
    GoNoGoPoll,
    LaunchWindow,
    PositionAssignment,
    ReadinessReport,
    Verdict,
    WindowClosure,
    WindowComputation,
)

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input: {code, detail, fields}"),
    401: OpenApiResponse(ErrorSerializer, description="Not authenticated"),
    403: OpenApiResponse(ErrorSerializer, description="Not on this flight's launch team"),
    404: OpenApiResponse(ErrorSerializer, description="No such flight or poll"),
    409: OpenApiResponse(ErrorSerializer, description="Refused by a rule: {code, detail, fields}"),
}


def require_launch_team(user, flight: Flight) -> None:
    if user == flight.flight_director or roles.user_has_role(user, roles.FLIGHT_DIRECTOR):
        return
    if roles.user_has_role(user, roles.OPERATIONS):
        return
    if PositionAssignment.objects.filter(flight=flight, person=user).exists():
        return
    raise PermissionDenied("Only the flight's launch team reads its readiness.")


class FindingSerializer(serializers.Serializer):
    key = serializers.CharField()
    position = serializers.CharField()
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    message = serializers.CharField()
    waived_by = serializers.CharField(allow_blank=True)
    waiver_reason = serializers.CharField(allow_blank=True)


class ReadinessReportSerializer(serializers.ModelSerializer):
    findings = FindingSerializer(many=True)

    class Meta:
        model = ReadinessReport
        fields = ["id", "created_at", "trigger", "launch_at", "all_go", "findings"]


class LaunchWindowSerializer(serializers.ModelSerializer):
    closures = serializers.SerializerMethodField()

    class Meta:
        model = LaunchWindow
        fields = ["id", "kind", "opens_at", "closes_at", "in_plane_at", "azimuth_deg", "closures_computed_at", "closures"]

    @extend_schema_field(inline_serializer("Closure", {
        "starts_at": serializers.DateTimeField(), "ends_at": serializers.DateTimeField(),
        "norad_id": serializers.IntegerField(), "object_name": serializers.CharField(),
        "object_class": serializers.CharField(), "min_distance_km": serializers.FloatField(),
        "rule": serializers.ChoiceField(choices=WindowClosure.Rule.choices), "allowance_km": serializers.FloatField(),
    }, many=True))
    def get_closures(self, window) -> list[dict]:
        return [
            {"starts_at": c.starts_at, "ends_at": c.ends_at, "norad_id": c.norad_id, "object_name": c.object_name,
             "object_class": c.object_class, "min_distance_km": c.min_distance_km, "rule": c.rule,
             "allowance_km": c.allowance_km}
            for c in window.closures.all()
        ]


class WindowComputationSerializer(serializers.ModelSerializer):
    class Meta:
        model = WindowComputation
        fields = ["id", "status", "progress_percent", "stage", "requested_at", "finished_at", "search_start",
                  "search_end", "screening_exempt_reason", "objects_screened", "failed_objects", "decayed_objects",
                  "uncertain_objects", "object_counts", "catalog_imported_at", "catalog_size", "error"]


class BoardRowSerializer(serializers.Serializer):
    position = serializers.CharField()
    label = serializers.CharField()
    holder = serializers.CharField(allow_null=True)
    vote = serializers.CharField(allow_null=True)
    comment = serializers.CharField(allow_blank=True)
    findings = FindingSerializer(many=True)
    go = serializers.BooleanField()


class PollSerializer(serializers.ModelSerializer):
    flight = serializers.SlugRelatedField(slug_field="code", read_only=True)
    board = serializers.SerializerMethodField()

    class Meta:
        model = GoNoGoPoll
        fields = ["id", "flight", "status", "opened_at", "closed_at", "launch_at", "scrub_reason", "board"]

    @extend_schema_field(BoardRowSerializer(many=True))
    def get_board(self, the_poll) -> list[dict]:
        return [
            {"position": row["position"], "label": row["label"],
             "holder": row["holder"].get_username() if row["holder"] else None,
             "vote": row["vote"].vote if row["vote"] else None,
             "comment": row["vote"].comment if row["vote"] else "",
             "findings": [f.as_dict() for f in row["findings"]], "go": row["go"]}
            for row in poll.poll_board(the_poll)
        ]


class VoteInput(serializers.Serializer):
    position = serializers.CharField(max_length=64)
    vote = serializers.ChoiceField(choices=[(Verdict.GO, "GO"), (Verdict.NO_GO, "NO-GO")])
    comment = serializers.CharField(required=False, allow_blank=True, max_length=500)


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class RescheduleInput(serializers.Serializer):
    launch_at = serializers.DateTimeField(help_text="The new launch time, ISO 8601 with its offset (UTC is stored).")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class FlightScheduleSerializer(serializers.ModelSerializer):
    """The flight's schedule after a scrub or a reschedule, and what the service said about it."""

    message = serializers.SerializerMethodField()

    class Meta:
        model = Flight
        fields = ["id", "code", "status", "launch_at", "window_open", "window_close", "scrub_count", "status_reason",
                  "message"]

    def get_message(self, flight) -> str:
        return self.context.get("message", "")


def require_schedule_role(user, flight: Flight, *, action: str) -> None:
    if user == flight.flight_director or roles.user_has_any_role(user, (roles.OPERATIONS, roles.FLIGHT_DIRECTOR)):
        return
    raise PermissionDenied(f"Only operations staff and flight directors {action} a flight.")


class WaiverInput(serializers.Serializer):
    check_key = serializers.CharField(max_length=200)
    reason = serializers.CharField(max_length=1000)


class FlightReadinessViewSet(viewsets.GenericViewSet):
    """A flight's launch-day records, addressed by the flight's id."""

    queryset = Flight.objects.select_related("vehicle__model", "spaceport", "itinerary", "flight_director")
    serializer_class = ReadinessReportSerializer
    action_filtersets = {"readiness_reports": ReadinessReportFilter, "readiness": None, "launch_windows": None}

    def _flight(self, pk) -> Flight:
        flight = get_object_or_404(self.get_queryset(), pk=pk)
        require_launch_team(self.request.user, flight)
        return flight

    @extend_schema(summary="Current readiness findings (every registered check, waivers applied)",
                   responses={200: FindingSerializer(many=True), **ERRORS}, examples=examples.READINESS)
    @action(detail=True, methods=["get"], pagination_class=None)  # every check's finding, at once
    def readiness(self, request, pk=None):
        flight = self._flight(pk)
        return Response([f.as_dict() for f in readiness.flight_findings(flight)])

    @extend_schema(summary="Stored readiness reports, newest first", responses={200: ReadinessReportSerializer(many=True), **ERRORS},
                   examples=examples.READINESS_REPORTS)
    @action(detail=True, methods=["get"], url_path="readiness-reports")
    def readiness_reports(self, request, pk=None):
        flight = self._flight(pk)
        page = self.paginate_queryset(self.filter_queryset(flight.readiness_reports.all()))
        return self.get_paginated_response(ReadinessReportSerializer(page, many=True).data)

    @extend_schema(summary="Computed launch windows with their collision-avoidance closures",
                   responses={200: LaunchWindowSerializer(many=True), **ERRORS}, examples=examples.LAUNCH_WINDOWS)
    @action(detail=True, methods=["get"], url_path="launch-windows", pagination_class=None)
    def launch_windows(self, request, pk=None):
        flight = self._flight(pk)
        windows = flight.launch_windows.prefetch_related("closures").order_by("opens_at")
        return Response(LaunchWindowSerializer(windows, many=True).data)

    @extend_schema(summary="Queue a launch-window computation (operations or flight directors)", request=None,
                   responses={202: WindowComputationSerializer, **ERRORS}, examples=examples.LAUNCH_WINDOWS_COMPUTE)
    @launch_windows.mapping.post
    def compute_launch_windows(self, request, pk=None):
        flight = self._flight(pk)
        if not roles.user_has_any_role(request.user, (roles.OPERATIONS, roles.FLIGHT_DIRECTOR)):
            raise PermissionDenied("Only operations staff and flight directors compute launch windows.")
        computation = launch_windows_request(flight=flight, by=request.user)
        return Response(WindowComputationSerializer(computation).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(summary="Open the Go/No-Go poll (the flight director)", request=None,
                   responses={201: PollSerializer, **ERRORS}, examples=examples.POLL_OPEN)
    @action(detail=True, methods=["post"])
    def polls(self, request, pk=None):
        flight = self._flight(pk)
        the_poll = poll.poll_open(flight=flight, by=request.user)
        return Response(PollSerializer(the_poll).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Scrub the launch attempt: reason recorded, next clear window found, passengers re-checked "
                           "and told (operations or flight directors)",
                   request=ReasonInput, responses={200: FlightScheduleSerializer, **ERRORS}, examples=examples.FLIGHT_SCRUB)
    @action(detail=True, methods=["post"])
    def scrub(self, request, pk=None):
        flight = self._flight(pk)
        require_schedule_role(request.user, flight, action="scrub")
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = rescheduling.flight_scrub_recycle(flight=flight, reason=data.validated_data["reason"], by=request.user)
        return Response(FlightScheduleSerializer(outcome.flight, context={"message": outcome.message}).data)

    @extend_schema(summary="Give a scrubbed, scheduled or ready flight a new launch time (operations or flight "
                           "directors): countdown moved, passengers re-checked and told",
                   request=RescheduleInput, responses={200: FlightScheduleSerializer, **ERRORS},
                   examples=examples.FLIGHT_RESCHEDULE)
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        flight = self._flight(pk)
        require_schedule_role(request.user, flight, action="reschedule")
        data = RescheduleInput(data=request.data)
        data.is_valid(raise_exception=True)
        flight = rescheduling.flight_reschedule(flight=flight, by=request.user, **data.validated_data)
        message = (f"Flight {flight.code} rescheduled to {rescheduling.spaceport_time_text(flight.launch_at, flight)}; "
                   "countdown moved, every passenger checked again and told.")
        return Response(FlightScheduleSerializer(flight, context={"message": message}).data)

    @extend_schema(summary="Waive a WAIVABLE finding for this launch attempt (a flight director)",
                   request=WaiverInput, responses={201: FindingSerializer, **ERRORS}, examples=examples.WAIVER)
    @action(detail=True, methods=["post"])
    def waivers(self, request, pk=None):
        flight = self._flight(pk)
        data = WaiverInput(data=request.data)
        data.is_valid(raise_exception=True)
        readiness.waiver_grant(flight=flight, by=request.user, **data.validated_data)
        finding = next(f for f in readiness.flight_findings(flight) if f.key == data.validated_data["check_key"])
        return Response(finding.as_dict(), status=status.HTTP_201_CREATED)


@extend_schema_view(retrieve=extend_schema(examples=examples.POLL_RETRIEVE))
class PollViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A Go/No-Go poll with its live board; votes, GO and scrub."""

    queryset = GoNoGoPoll.objects.select_related("flight__vehicle__model", "flight__spaceport", "flight__flight_director")
    serializer_class = PollSerializer

    def get_object(self):
        the_poll = super().get_object()
        require_launch_team(self.request.user, the_poll.flight)
        return the_poll

    @extend_schema(summary="Answer GO or NO-GO for a position you hold", request=VoteInput,
                   responses={200: PollSerializer, **ERRORS}, examples=examples.VOTE)
    @action(detail=True, methods=["post"])
    def votes(self, request, pk=None):
        the_poll = self.get_object()
        data = VoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        poll.poll_vote(poll=the_poll, by=request.user, **data.validated_data)
        return Response(PollSerializer(the_poll).data)

    @extend_schema(summary="Declare GO for launch: refused unless every position and check is GO", request=None,
                   responses={200: PollSerializer, **ERRORS}, examples=examples.DECLARE)
    @action(detail=True, methods=["post"])
    def declare(self, request, pk=None):
        the_poll = self.get_object()
        poll.poll_declare_launch(poll=the_poll, by=request.user)
        the_poll.refresh_from_db()
        return Response(PollSerializer(the_poll).data)

    @extend_schema(summary="Scrub this attempt and recycle to the next clear window", request=ReasonInput,
                   responses={200: PollSerializer, **ERRORS}, examples=examples.SCRUB)
    @action(detail=True, methods=["post"])
    def scrub(self, request, pk=None):
        the_poll = self.get_object()
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        poll.poll_scrub(poll=the_poll, by=request.user, reason=data.validated_data["reason"])
        the_poll.refresh_from_db()
        return Response(PollSerializer(the_poll).data)


router = SimpleRouter()
router.register("flights", FlightReadinessViewSet, basename="flight-readiness")
router.register("polls", PollViewSet, basename="poll")
urlpatterns = router.urls
