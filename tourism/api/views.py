"""The booking API: accounts, flights with seats left, holds, bookings, consent, cancellation, waitlist.

Views validate the request's shape, call one service and render the result; refusals are DomainErrors
that config/api.py turns into the one error body. A passenger sees only their own bookings: another
passenger's booking is 404, as if it did not exist. Nothing here deletes anything.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts.api import TwoFactorAuthTokenSerializer
from config import fragments
from config.openapi import ErrorSerializer, error_responses
from config.pagination import CountWhenNeededPagination
from config.throttling import ScopedRateThrottle
from flights import roles
from flights.api.views import FlightViewSet as FlightReadViewSet
from flights.models import Flight
from tourism import selectors, services
from tourism.api import examples
from tourism.api import serializers as s
from tourism.api.authentication import passenger_authentication_classes
from tourism.disclosure import disclosure_build
from tourism.filters import BookingFilter, FlightFilter, WaitlistEntryFilter
from tourism.manifest import flight_for_manifest, launch_manifest
from tourism.models import Booking, ScrubNotice, WaitlistEntry

errors = error_responses  # the error statuses a view names, so its own examples (examples.py) attach


class RegisterView(APIView):
    """Create a passenger account with its profile. Log in afterwards with /api/v1/auth/token/."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(request=s.RegisterSerializer, responses={201: s.AccountSerializer, **errors(400, 429)},
                   examples=examples.REGISTER)
    def post(self, request):
        serializer = s.RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.passenger_register(**serializer.validated_data)
        return Response(s.AccountSerializer(user).data, status=status.HTTP_201_CREATED)


class TokenView(ObtainAuthToken):
    """Exchange a username and password for the token to send as `Authorization: Token <token>`.

    Staff accounts (flight surgeons, flight directors, operations) also send `otp_token`, the current code of
    the authenticator app they set up in the portal: without it the answer is 400 `otp_required`, with a
    wrong one 400 `otp_invalid`, and with no app set up yet 403 `two_factor_setup_required`.
    """

    permission_classes = [AllowAny]  # said explicitly, so the schema shows it needs no credentials
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"
    serializer_class = TwoFactorAuthTokenSerializer
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES  # JSON, not ObtainAuthToken's form and multipart too

    @extend_schema(request=s.TokenRequestSerializer, responses={200: s.TokenResponseSerializer, **errors(400, 429)},
                   examples=examples.TOKEN)
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


TOKEN_EXAMPLE = "Ijk0In0:1uV3dK:fXy8Zr1V6Zt4a0WvB3LqgJm7q3vXb6nT1aQp2c8sE0o"


class VerifyEmailView(APIView):
    """Follow the emailed verification link from an app: send the token from the link's last path segment.

    Each link works once, for the address it was sent to, for EMAIL_VERIFICATION_DAYS (3 by default).
    """

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(
        request=s.EmailVerifyRequestSerializer,
        responses={200: s.EmailVerifiedSerializer, **errors(400, 429)},
        examples=[
            OpenApiExample("Token from the link", value={"token": TOKEN_EXAMPLE}, request_only=True),
            OpenApiExample(
                "Verified", response_only=True, status_codes=["200"],
                value={"username": "ada", "email": "ada@example.com", "email_verified_at": "2026-07-01T09:30:00Z"},
            ),
            OpenApiExample(
                "Expired link", response_only=True, status_codes=["400"],
                value={"code": "verification_link_expired", "fields": {},
                       "detail": "This verification link has expired (links work for 3 days): log in and ask for a new one."},
            ),
        ],
    )
    def post(self, request):
        serializer = s.EmailVerifyRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.email_verify(token=serializer.validated_data["token"])
        verification = user.email_verification
        return Response(
            s.EmailVerifiedSerializer(
                {"username": user.get_username(), "email": user.email, "email_verified_at": verification.verified_at}
            ).data
        )


class ResendVerificationView(APIView):
    """Email a new verification link to the signed-in account's address (at most one a minute)."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(
        request=None,
        responses={
            202: s.EmailVerificationSentSerializer,
            409: OpenApiResponse(ErrorSerializer, description="`email_already_verified`."),
            **errors(400, 429),
        },
        examples=[
            OpenApiExample(
                "Sent", response_only=True, status_codes=["202"],
                value={"email": "ada@example.com", "sent_at": "2026-07-01T09:30:00Z",
                       "detail": "We sent a new link to ada@example.com. It works for 3 days."},
            ),
            OpenApiExample(
                "Too soon", response_only=True, status_codes=["429"],
                value={"code": "verification_email_throttled", "fields": {},
                       "detail": "A link went to ada@example.com a moment ago: check your inbox (and spam folder), "
                       "or ask again in 42 s."},
            ),
        ],
    )
    def post(self, request):
        verification = services.email_verification_send(user=request.user)
        days = settings.EMAIL_VERIFICATION_DAYS
        data = {
            "email": request.user.email,
            "sent_at": verification.last_sent_at,
            "detail": f"We sent a new link to {request.user.email}. It works for {days} days.",
        }
        return Response(s.EmailVerificationSentSerializer(data).data, status=status.HTTP_202_ACCEPTED)


class EmailChangeView(APIView):
    """Change the account's email address (with the password). The new address must be verified again
    before the next hold, waitlist place or consent signature: a link goes to it at once."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(
        request=s.EmailChangeRequestSerializer,
        responses={200: s.AccountSerializer, **errors(400, 429)},
        examples=[
            OpenApiExample(
                "New address", request_only=True, value={"email": "ada@new.example.com", "password": "my-password"}
            ),
            examples.ME_EMAIL_CHANGED,
            OpenApiExample(
                "Wrong password", response_only=True, status_codes=["400"],
                value={"code": "invalid", "detail": "The email address was not changed: check password.",
                       "fields": {"password": ["The password is not correct."]}},
            ),
        ],
    )
    def post(self, request):
        serializer = s.EmailChangeRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.passenger_email_change(user=request.user, **serializer.validated_data)
        return Response(s.AccountSerializer(user).data)


class MeView(APIView):
    """The signed-in account and its passenger profile; PATCH changes profile fields."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: s.AccountSerializer}, examples=examples.ME)
    def get(self, request):
        return Response(s.AccountSerializer(request.user).data)

    @extend_schema(request=s.ProfileUpdateSerializer, responses={200: s.AccountSerializer, **errors(400)},
                   examples=examples.ME_UPDATE)
    def patch(self, request):
        serializer = s.ProfileUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.passenger_profile_save(user=request.user, **serializer.validated_data)
        request.user.refresh_from_db()
        return Response(s.AccountSerializer(request.user).data)


def _flight_id(pk) -> int:
    """The URL's flight id, or 404 as DRF's get_object_or_404 answers an id that is not one (nor a bigint)."""
    try:
        flight_id = int(pk)
    except (TypeError, ValueError):
        raise Http404("No flight matches the given query.") from None
    if not 0 < flight_id < 2**63:
        raise Http404("No flight matches the given query.")
    return flight_id


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("bookable", bool, description="true: on sale with at least one seat left."),
            OpenApiParameter("month", str, description="Launch month, YYYY-MM (UTC)."),
        ],
        responses={200: s.FlightSeatsSerializer(many=True), **errors(400)},
        examples=examples.FLIGHT_LIST,
    ),
    retrieve=extend_schema(examples=examples.FLIGHT_RETRIEVE),
)
class FlightViewSet(FlightReadViewSet):
    """Flights, soonest first, with `seats_left`; `?bookable=true` lists only those a passenger can hold now."""

    serializer_class = s.FlightSeatsSerializer
    filterset_class = FlightFilter
    filterset_fields = None
    pagination_class = CountWhenNeededPagination  # the seat counts are not compiled and run again to count pages
    throttle_scope: str | None = None  # set per action (ScopedRateThrottle)

    def get_queryset(self):
        return selectors.flight_list_with_seats()

    def list(self, request, *args, **kwargs):
        """The same page for every client asking the same URL: built once and kept until something it lists
        changes (config/fragments.py). The URL, host included, is the key: the page's links are made from it."""
        def build():
            return super(FlightViewSet, self).list(request, *args, **kwargs).data

        return Response(fragments.cached("flights-api", (request.build_absolute_uri(),), build))

    @extend_schema(request=None, responses={201: s.BookingSerializer, **errors(404, 409, 429)}, examples=examples.HOLD)
    @action(
        detail=True, methods=["post"], permission_classes=[IsAuthenticated],
        throttle_classes=[ScopedRateThrottle], throttle_scope="booking",
        authentication_classes=passenger_authentication_classes(),
    )
    def holds(self, request, pk=None):
        """Hold the lowest free seat for the signed-in passenger: 409 `sold_out` or `already_booked` when not."""
        # The query that finds the flight (or 404) also reads the hold's pre-lock snapshot, for this passenger
        # at this instant: booking_hold is given the same `now`, so the snapshot is the one it would read.
        now = timezone.now()
        flight = selectors.flight_for_hold(_flight_id(pk), now=now, user=request.user)
        if flight is None:
            raise Http404("No flight matches the given query.")
        booking = services.booking_hold(flight=flight, user=request.user, now=now)
        booking.amount_paid = Decimal("0.00")  # a seat just held has no payments: no ledger to read
        return Response(s.booking_data(booking), status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={200: s.LaunchManifestSerializer, **errors(401, 403, 404)},
        examples=examples.LAUNCH_MANIFEST,
        description="The launch-day manifest, for operations, flight directors and flight surgeons: manifested and "
        "reserved passengers with seat, legal name, mass, height and every manifest gate, and the total mass against "
        "the vehicle model's cabin budget. Medical gates give only whether they hold and why not.",
    )
    @action(detail=True, methods=["get"], permission_classes=[IsAuthenticated])
    def manifest(self, request, pk=None):
        flight = get_object_or_404(flight_for_manifest(), pk=pk)
        if not roles.may_read_launch_manifest(request.user, flight):
            raise PermissionDenied("Only operations staff, flight directors and flight surgeons read the launch manifest.")
        return Response(s.LaunchManifestSerializer(launch_manifest(flight)).data)

    @extend_schema(request=None, responses={201: s.WaitlistEntrySerializer, **errors(404, 409, 429)},
                   examples=examples.WAITLIST_JOIN)
    @action(
        detail=True, methods=["post"], permission_classes=[IsAuthenticated],
        throttle_classes=[ScopedRateThrottle], throttle_scope="booking",
    )
    def waitlist(self, request, pk=None):
        """Join the waitlist of a full flight (409 `seats_available` while seats are free)."""
        flight = get_object_or_404(Flight.objects.only("pk"), pk=pk)
        entry = services.waitlist_join(flight=flight, user=request.user)
        return Response(s.WaitlistEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class OwnRecordsMixin:
    """Only the signed-in user's rows exist for them: another's is 404."""

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return self.own_rows(self.request.user)


@extend_schema_view(
    list=extend_schema(responses={200: s.BookingSerializer(many=True), **errors(400)}, examples=examples.BOOKING_LIST),
)
class BookingViewSet(OwnRecordsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The signed-in passenger's bookings, newest first. Bookings are never deleted: they are cancelled."""

    queryset = Booking.objects.none()
    serializer_class = s.BookingSerializer
    filterset_class = BookingFilter
    throttle_scope: str | None = None  # set per action (ScopedRateThrottle)

    def own_rows(self, user):
        bookings = selectors.booking_list_for_user(user)
        if self.action != "list":
            bookings = bookings.prefetch_related(
                "ledger_entries", "status_changes",
                Prefetch("scrub_notices", queryset=ScrubNotice.objects.select_related("notification")),
            )
        return bookings

    @extend_schema(responses={200: s.BookingDetailSerializer, **errors(404)}, examples=examples.BOOKING_RETRIEVE)
    def retrieve(self, request, *args, **kwargs):
        return Response(s.BookingDetailSerializer(self.get_object()).data)

    @extend_schema(
        methods=["GET"], responses={200: s.DisclosureSerializer, **errors(404, 409)}, examples=examples.CONSENT_READ,
        description="The disclosure to read before signing, built from the live record, with its SHA-256.",
    )
    @extend_schema(
        methods=["POST"], request=s.ConsentRequestSerializer, operation_id="bookings_consent_sign",
        responses={200: s.BookingDetailSerializer, **errors(400, 404, 409, 429)}, examples=examples.CONSENT_SIGN,
        description="Sign informed consent (14 CFR 460.45) by typing your full legal name and your password.",
    )
    @action(
        detail=True, methods=["get", "post"], throttle_classes=[ScopedRateThrottle], throttle_scope="auth",
    )
    def consent(self, request, pk=None):
        booking = self.get_object()
        if request.method == "GET":
            return Response(s.DisclosureSerializer(disclosure_build(booking.flight.vehicle)).data)
        serializer = s.ConsentRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.consent_sign(
            booking=booking,
            user=request.user,
            typed_name=serializer.validated_data["legal_name"],
            password=serializer.validated_data["password"],
            disclosure_sha256=serializer.validated_data.get("disclosure_sha256", ""),
            ip_address=request.META.get("REMOTE_ADDR"),
        )
        return Response(s.BookingDetailSerializer(self.get_object()).data)

    @extend_schema(responses={200: s.RefundQuoteSerializer, **errors(404)}, examples=examples.REFUND_QUOTE)
    @action(detail=True, methods=["get"], url_path="refund-quote")
    def refund_quote(self, request, pk=None):
        """What cancelling now would refund, by the itinerary's policy."""
        quote = services.refund_quote(booking=self.get_object())
        return Response(s.RefundQuoteSerializer(quote).data)

    @extend_schema(request=s.CancelRequestSerializer, responses={200: s.BookingDetailSerializer, **errors(400, 404, 409)},
                   examples=examples.CANCEL)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel the booking; the refund the policy gives is recorded in the ledger."""
        booking = self.get_object()
        serializer = s.CancelRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.booking_cancel(booking=booking, by=request.user, reason=serializer.validated_data["reason"])
        return Response(s.BookingDetailSerializer(self.get_object()).data)

    @extend_schema(request=s.TransferRequestSerializer, responses={201: s.BookingSerializer, **errors(400, 404, 409)},
                   examples=examples.TRANSFER)
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        """Move the booking to another flight of the same itinerary; consent and payments come along."""
        booking = self.get_object()
        serializer = s.TransferRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        flight = get_object_or_404(Flight.objects.only("pk"), pk=serializer.validated_data["flight"])
        new = services.booking_transfer(
            booking=booking, to_flight=flight, by=request.user, reason=serializer.validated_data["reason"]
        )
        return Response(s.booking_data(new), status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(responses={200: s.WaitlistEntrySerializer(many=True), **errors(400)},
                       examples=examples.WAITLIST_LIST),
    retrieve=extend_schema(examples=examples.WAITLIST_RETRIEVE),
)
class WaitlistViewSet(OwnRecordsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The signed-in passenger's waitlist entries, with their place in line and any seat offer."""

    queryset = WaitlistEntry.objects.none()
    serializer_class = s.WaitlistEntrySerializer
    filterset_class = WaitlistEntryFilter

    def own_rows(self, user):
        return selectors.waitlist_list_for_user(user)

    @extend_schema(request=None, responses={200: s.WaitlistEntrySerializer, **errors(404, 409)},
                   examples=examples.WAITLIST_LEAVE)
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        """Leave the waitlist, or decline a seat offer (it passes to the next in line)."""
        entry = services.waitlist_leave(entry=self.get_object(), by=request.user)
        return Response(s.WaitlistEntrySerializer(entry).data)
