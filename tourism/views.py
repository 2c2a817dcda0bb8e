"""Portal pages for passengers: sign-up with email verification, the catalog, a flight with its seats,
holds, bookings with informed consent and payments, cancellation with the refund shown first, and the
waitlist; and for the launch team, the printable launch-day manifest.

Views call one service each; a refusal (DomainError) shows as a form error or a message, never a 500.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_POST

from config import fragments
from flights import roles
from flights.exceptions import DomainError
from flights.filters import filter_page
from flights.models import Itinerary
from tourism import selectors, services
from tourism.disclosure import consent_state, disclosure_build
from tourism.exceptions import EmailNotVerified, ProfileRequired
from tourism.filters import BookingFilter, FlightFilter
from tourism.forms import (
    CancelForm,
    ConsentForm,
    EmailChangeForm,
    ProfileForm,
    SignUpForm,
    TransferForm,
    add_domain_error,
)
from tourism.manifest import flight_for_manifest, launch_manifest
from tourism.models import Booking, EmailVerification, PassengerProfile, WaitlistEntry
from tourism.payments import booking_payment_reference, get_provider
from tourism.services.accounts import PROFILE_FIELDS


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _refused(request, exc: DomainError, to: str) -> HttpResponseRedirect:
    messages.error(request, exc.message)
    if isinstance(exc, ProfileRequired):
        return redirect(f"{reverse('tourism:profile')}?{urlencode({'next': to})}")
    if isinstance(exc, EmailNotVerified):  # the page with the button that sends a new link
        return redirect(f"{reverse('tourism:verify-email')}?{urlencode({'next': to})}")
    return redirect(to)


# --- Accounts ---------------------------------------------------------------------------------------------


def signup(request):
    if request.user.is_authenticated:
        return redirect("tourism:itinerary-list")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["password"] = data.pop("password1")
        data.pop("password2")
        try:
            user = services.passenger_register(**data)
        except DomainError as exc:
            if "password" in exc.fields:
                exc.fields["password1"] = exc.fields.pop("password")
            add_domain_error(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                f"Welcome aboard, {user.passenger_profile.legal_name}. We sent a link to {user.email}: follow it to "
                "verify your email address, then pick a flight to hold a seat.",
            )
            return redirect(_safe_next(request, reverse("tourism:itinerary-list")))
    return render(request, "tourism/signup.html", {"form": form, "next": _safe_next(request, "")})


@login_required
def profile(request):
    current = PassengerProfile.objects.filter(user=request.user).first()
    initial = {name: getattr(current, name) for name in PROFILE_FIELDS} if current else {}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.passenger_profile_save(user=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "Your passenger profile is saved.")
            return redirect(_safe_next(request, reverse("tourism:booking-list")))
    return render(request, "tourism/profile.html", {"form": form, "next": _safe_next(request, "")})


@login_required
def verify_email(request):
    """Where an unverified passenger is sent: the address, whether it is verified, and a button for a new link."""
    back = _safe_next(request, "")
    if request.method == "POST":
        try:
            services.email_verification_send(user=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, f"We sent a new link to {request.user.email}. It works for {settings.EMAIL_VERIFICATION_DAYS} days."
            )
        target = reverse("tourism:verify-email")
        return redirect(f"{target}?{urlencode({'next': back})}" if back else target)
    verification = EmailVerification.objects.filter(user=request.user).first()
    context = {
        "verified": verification is not None and verification.is_current_for(request.user),
        "verification": verification,
        "next": back,
    }
    return render(request, "tourism/verify_email.html", context)


def verify_email_confirm(request, token: str):
    """The emailed link: GET shows whether it works and a button (so a mail scanner fetching the link does
    not use it up); POST verifies the address. Works logged in or not."""
    error = ""
    link = None
    try:
        if request.method == "POST":
            user = services.email_verify(token=token)
            messages.success(request, f"Thank you: {user.email} is verified. You can hold a seat now.")
            if request.user.is_authenticated and request.user.pk == user.pk:
                return redirect("tourism:itinerary-list")
            return redirect("login")
        link = services.email_verification_check(token=token)
    except DomainError as exc:
        error = exc.message
    return render(request, "tourism/verify_email_confirm.html", {"link": link, "error": error}, status=400 if error else 200)


@login_required
def email_change(request):
    """A new email address must be verified again before the next seat, waitlist place or signature."""
    form = EmailChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.passenger_email_change(
                user=request.user, email=form.cleaned_data["email"], password=form.cleaned_data["password"]
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Your email address is now {user.email}. We sent a link to verify it.")
            return redirect("tourism:verify-email")
    return render(request, "tourism/email_change.html", {"form": form})


# --- Catalog ----------------------------------------------------------------------------------------------


def itinerary_list(request):
    """The catalog: published itineraries with their upcoming flights, filtered by regime, spaceport, month.

    The same for everyone who asks with the same filters: rendered once and kept until something it shows
    changes (config/fragments.py); the page around it (navigation, messages) is the visitor's own."""
    partial = bool(request.htmx)  # htmx swaps the table alone when a filter changes
    parts = (partial, tuple((key, tuple(request.GET.getlist(key))) for key in FlightFilter.base_filters if key in request.GET))
    catalog = fragments.cached("catalog", parts, lambda: _catalog_render(request.GET, partial=partial))
    if partial:
        return HttpResponse(catalog)
    return render(request, "tourism/itinerary_list.html", {"catalog": catalog})


def _catalog_render(data, *, partial: bool) -> str:
    now = timezone.now()
    on_sale = selectors.flight_filter_on_sale(selectors.flight_list_with_seats(now=now), now=now)
    flight_filter = FlightFilter(data or None, queryset=on_sale)
    valid = flight_filter.is_bound and flight_filter.is_valid()
    flights = flight_filter.qs if valid else on_sale
    regime = flight_filter.form.cleaned_data.get("regime", "") if valid else ""
    context = {
        "itineraries": selectors.itinerary_catalog(flights=flights, regime=regime),
        "filter": flight_filter,
        "filtering": bool(data and any(data.get(key) for key in ("spaceport", "month", "bookable"))),
    }
    return render_to_string("tourism/_catalog.html" if partial else "tourism/_catalog_page.html", context)


def itinerary_detail(request, slug: str):
    itinerary = get_object_or_404(Itinerary, slug=slug, is_published=True)
    now = timezone.now()
    flights = selectors.flight_filter_on_sale(selectors.flight_list_with_seats(now=now), now=now).filter(
        itinerary=itinerary
    )
    return render(request, "tourism/itinerary_detail.html", {"itinerary": itinerary, "flights": flights})


def flight_detail(request, pk: int):
    """The old catalog address of a flight: the one flight page is `/flights/<id>/` (issue 14)."""
    return HttpResponsePermanentRedirect(reverse("flights:flight-detail", args=[pk]))


def flight_booking_panel(request, flight) -> str | None:
    """The public "book a seat" part of the one flight page (registered in flights.registry.flight_page_panels):
    seats left, price, the vehicle's record, and hold or waitlist."""
    if flight.itinerary_id is None or flight.status == flight.Status.DRAFT:
        return None
    now = timezone.now()
    seats = selectors.flight_seats_for(flight, user=request.user, now=now)
    flight.seats_left, flight.vehicle_flights_flown = seats.seats_left, seats.vehicle_flights_flown  # for the template
    booking, entry, email_verified = seats.booking, seats.waitlist_entry, seats.email_verified
    context = {
        "flight": flight,
        "on_sale": selectors.flight_is_on_sale(flight, now=now),
        "booking": booking,
        "entry": entry,
        "hold_hours": settings.SEAT_HOLD_HOURS,
        "email_verified": email_verified,
    }
    return render_to_string("tourism/_flight_booking.html", context, request=request)


# Seats and the vehicle's record come with the flight page's own query of the flight (and are kept with it).
flight_booking_panel.annotate = selectors.flight_annotate_seats


@login_required
@require_POST
def flight_hold(request, pk: int):
    flight = get_object_or_404(selectors.flight_list_with_seats(), pk=pk)
    back = reverse("flights:flight-detail", args=[pk])
    try:
        booking = services.booking_hold(flight=flight, user=request.user)
    except DomainError as exc:
        return _refused(request, exc, back)
    messages.success(
        request, f"Seat {booking.seat_number} on {flight.code} is held for you. Read and sign the informed consent below."
    )
    return redirect(booking)


@login_required
@require_POST
def flight_waitlist_join(request, pk: int):
    flight = get_object_or_404(selectors.flight_list_with_seats(), pk=pk)
    back = reverse("flights:flight-detail", args=[pk])
    try:
        services.waitlist_join(flight=flight, user=request.user)
    except DomainError as exc:
        return _refused(request, exc, back)
    messages.success(request, f"You are on the waitlist of {flight.code}. We email you when a seat comes back.")
    return redirect("tourism:booking-list")


# --- Bookings ---------------------------------------------------------------------------------------------


@login_required
def booking_list(request):
    booking_filter, bookings = filter_page(
        BookingFilter, request.GET, selectors.booking_list_for_user(request.user), request=request
    )
    context = {
        "filter": booking_filter,
        "bookings": bookings,
        "waitlist": selectors.waitlist_list_for_user(request.user),
        "has_profile": PassengerProfile.objects.filter(user=request.user).exists(),
    }
    return render(request, "tourism/booking_list.html", context)


def _own_booking(request, pk: int) -> Booking:
    return get_object_or_404(selectors.booking_list_for_user(request.user), pk=pk)


@login_required
def booking_detail(request, pk: int, consent_form: ConsentForm | None = None, transfer_form: TransferForm | None = None):
    booking = _own_booking(request, pk)
    now = timezone.now()
    disclosure = state = None
    consent_error = ""
    if booking.is_live:
        try:
            disclosure = disclosure_build(booking.flight.vehicle)
            state = consent_state(signature=booking.consent, vehicle=booking.flight.vehicle, disclosure=disclosure)
        except DomainError as exc:
            consent_error = exc.message
    needs_consent = state is not None and not state.is_current and not booking.hold_lapsed(now)
    if needs_consent and consent_form is None:
        consent_form = ConsentForm(initial={"disclosure_sha256": disclosure.sha256})
    provider = get_provider("bank_transfer")
    outstanding = selectors.booking_balance_outstanding(booking)
    due_now = booking.deposit if booking.status == Booking.Status.HELD else outstanding
    transfer_flights = None
    if booking.is_live and transfer_form is None:
        transfer_flights = _transfer_targets(booking, now=now)
        transfer_form = TransferForm(flights=transfer_flights) if transfer_flights.exists() else None
    context = {
        "booking": booking,
        "flight": booking.flight,
        "state": state,
        "consent_error": consent_error,
        "disclosure": disclosure if needs_consent else None,
        "consent_form": consent_form if needs_consent else None,
        "ledger": booking.ledger_entries.all(),
        "history": booking.status_changes.all(),
        "outstanding": outstanding,
        "payment_reference": booking_payment_reference(booking),
        "payment_instructions": provider.instructions(booking=booking, amount=due_now)
        if booking.is_live and state is not None and state.is_current and due_now > 0 else [],
        "hold_lapsed": booking.hold_lapsed(now),
        "balance_overdue": booking.is_live and outstanding > 0 and booking.balance_due_at < now,
        "can_cancel": booking.can_transition_to(Booking.Status.CANCELLED),
        "transfer_form": transfer_form,
        "scrub_notices": booking.scrub_notices.select_related("notification"),
    }
    return render(request, "tourism/booking_detail.html", context)


def _transfer_targets(booking: Booking, *, now):
    return selectors.flight_filter_bookable(selectors.flight_list_with_seats(now=now), now=now).filter(
        itinerary_id=booking.flight.itinerary_id
    ).exclude(pk=booking.flight_id)


@login_required
@require_POST
def booking_consent(request, pk: int):
    booking = _own_booking(request, pk)
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            services.consent_sign(
                booking=booking,
                user=request.user,
                typed_name=form.cleaned_data["legal_name"],
                password=form.cleaned_data["password"],
                disclosure_sha256=form.cleaned_data["disclosure_sha256"],
                ip_address=request.META.get("REMOTE_ADDR"),
            )
        except DomainError as exc:
            if exc.code == "disclosure_changed":
                messages.error(request, exc.message)
                return redirect(booking)
            if isinstance(exc, EmailNotVerified):
                return _refused(request, exc, booking.get_absolute_url())
            add_domain_error(form, exc)
        else:
            messages.success(request, "Informed consent signed. Your seat is reserved once the deposit reaches us.")
            return redirect(booking)
    return booking_detail(request, pk, consent_form=form)


@login_required
def booking_cancel(request, pk: int):
    """Shows the refund the policy gives now; cancelling needs a second, explicit confirmation."""
    booking = _own_booking(request, pk)
    quote = services.refund_quote(booking=booking)
    form = CancelForm(request.POST or None, initial={"quoted_refund": quote.refund})
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["quoted_refund"] != quote.refund:
            messages.error(request, f"The refund is now {quote.refund:,.2f} {quote.currency}: confirm again to cancel.")
            form = CancelForm(initial={"quoted_refund": quote.refund, "reason": form.cleaned_data["reason"]})
        else:
            try:
                services.booking_cancel(booking=booking, by=request.user, reason=form.cleaned_data["reason"])
            except DomainError as exc:
                return _refused(request, exc, booking.get_absolute_url())
            messages.success(
                request, f"Booking #{booking.pk} is cancelled. Refund: {quote.refund:,.2f} {quote.currency}."
            )
            return redirect(booking)
    return render(request, "tourism/booking_cancel.html", {"booking": booking, "quote": quote, "form": form})


@login_required
@require_POST
def booking_transfer(request, pk: int):
    booking = _own_booking(request, pk)
    form = TransferForm(request.POST, flights=_transfer_targets(booking, now=timezone.now()))
    if form.is_valid():
        try:
            new = services.booking_transfer(booking=booking, to_flight=form.cleaned_data["flight"], by=request.user)
        except DomainError as exc:
            return _refused(request, exc, booking.get_absolute_url())
        messages.success(request, f"Your booking moved to flight {new.flight.code}, seat {new.seat_number}.")
        return redirect(new)
    return booking_detail(request, pk, transfer_form=form)


@login_required
@require_POST
def waitlist_leave(request, pk: int):
    entry = get_object_or_404(WaitlistEntry, pk=pk, user=request.user)
    try:
        services.waitlist_leave(entry=entry, by=request.user)
    except DomainError as exc:
        return _refused(request, exc, reverse("tourism:booking-list"))
    messages.success(request, f"You left the waitlist of {entry.flight.code}.")
    return redirect("tourism:booking-list")


# --- Launch day -------------------------------------------------------------------------------------------


@login_required
@require_GET
def flight_manifest(request, pk: int):
    """The printable launch-day manifest: operations, flight directors and flight surgeons; passengers 403."""
    flight = get_object_or_404(flight_for_manifest(), pk=pk)
    if not roles.may_read_launch_manifest(request.user, flight):
        raise PermissionDenied("Only operations staff, flight directors and flight surgeons read the launch manifest.")
    return render(request, "tourism/flight_manifest.html", {"flight": flight, "manifest": launch_manifest(flight)})
