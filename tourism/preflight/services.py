"""Every write of a pre-flight record: a training sign-off, a waiver signature, a screening result.

Each checks who acts and what was entered, and refuses with a DomainError that names the record and the
reason. The records are append-only (models.AppendOnlyModel): a correction is a newer record.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from flights.exceptions import InvalidInput, NotAllowed
from flights.models import Flight
from tourism.models import Booking, PassengerProfile
from tourism.preflight import selectors
from tourism.preflight.exceptions import PreflightInvalid, PreflightRefused
from tourism.preflight.models import SecurityScreening, TrainingModule, TrainingRecord, WaiverOfClaims
from tourism.preflight.waiver import waiver_text_build

MAX_HOURS_PER_SIGN_OFF = Decimal("1000")


def _who(user) -> str:
    if user is None or not user.is_authenticated:
        return "an anonymous user"
    return user.get_full_name() or user.get_username()


def _require_operations(by, action: str) -> None:
    if by is None or not selectors.is_operations(by):
        raise NotAllowed(f"Only operations staff {action}: {_who(by)} is not.")


def _require_live(booking: Booking, action: str) -> None:
    if booking.status not in Booking.LIVE_STATUSES:
        raise PreflightRefused(
            f"Cannot {action} for booking {booking}: it is {booking.get_status_display().lower()}.", code="booking_not_live"
        )


def _normalised_name(name: str) -> str:
    return " ".join((name or "").split()).casefold()


def _passenger_name(user) -> str:
    profile = PassengerProfile.objects.filter(user=user).first()
    return (profile.legal_name if profile else "") or _who(user)


# --- Training (14 CFR 460.51) ------------------------------------------------------------------------


def _hours(value) -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError, TypeError):
        hours = None
    if hours is None or not hours.is_finite() or hours <= 0 or hours >= MAX_HOURS_PER_SIGN_OFF:
        raise PreflightInvalid(
            f"Hours attended must be more than 0 and under {MAX_HOURS_PER_SIGN_OFF:,}, to a tenth of an hour.",
            code="hours_invalid", fields={"hours_attended": ["Give the hours attended, e.g. 3.5."]},
        )
    return hours


def training_sign_off(
    *,
    booking: Booking,
    module: TrainingModule,
    completed_on: dt.date,
    hours_attended,
    instructor,
    by,
    note: str = "",
    now: dt.datetime | None = None,
) -> TrainingRecord:
    """Record an instructor's sign-off of `module` for the passenger of `booking`.

    Operations staff enter it; the instructor is a staff member other than the passenger; the module is
    one the booking's itinerary requires (its own or its regime's) and still taught; the completion date
    is not in the future. The sign-off counts for any flight of the itinerary (see selectors.training_status).
    """
    now = now or timezone.now()
    _require_operations(by, "record training sign-offs")
    hours = _hours(hours_attended)
    if not isinstance(completed_on, dt.date) or isinstance(completed_on, dt.datetime):
        raise InvalidInput("Give the date the module was completed.", fields={"completed_on": ["A date is required."]})
    if completed_on > timezone.localdate(now):
        raise PreflightInvalid(
            f"Training cannot be signed off for {completed_on:%Y-%m-%d}: that date has not come yet.",
            code="completion_in_future", fields={"completed_on": ["The completion date is in the future."]},
        )
    with transaction.atomic():
        booking = Booking.objects.select_related("flight__itinerary", "flight__vehicle__model", "user").get(pk=booking.pk)
        module = TrainingModule.objects.select_related("itinerary").get(pk=module.pk)
        _require_live(booking, "sign off training")
        if instructor is None or not instructor.is_active or not instructor.is_staff:
            raise PreflightInvalid(
                f"{_who(instructor)} is not on the operator's staff: training is signed off by a staff instructor.",
                code="instructor_not_staff", fields={"instructor": ["Choose an instructor on the staff."]},
            )
        if instructor.pk == booking.user_id:
            raise PreflightInvalid(
                "A passenger cannot sign off their own training.",
                code="instructor_not_staff", fields={"instructor": ["The instructor is the passenger."]},
            )
        flight = booking.flight
        itinerary = flight.itinerary if flight.itinerary_id else None
        regime = itinerary.regime if itinerary else flight.vehicle.model.regime
        if not module.applies_to_itinerary(itinerary, regime):
            raise PreflightInvalid(
                f"{module.label} is not training for {itinerary or flight.code}: it is for "
                f"{module.applies_to.lower() if module.regime else module.applies_to}.",
                code="module_not_for_itinerary", fields={"module": ["Not a module of this booking's itinerary."]},
            )
        if not module.is_active:
            raise PreflightRefused(f"{module.label} is retired: it is no longer taught or required.", code="module_retired")
        return TrainingRecord.objects.create(
            passenger=booking.user, module=module, booking=booking, completed_on=completed_on, hours_attended=hours,
            instructor=instructor, note=(note or "").strip(), recorded_by=by, recorded_at=now,
        )


# --- Waiver of claims (14 CFR 460.49) ----------------------------------------------------------------


def waiver_sign(
    *,
    booking: Booking,
    user,
    typed_name: str,
    text_sha256: str = "",
    ip_address: str | None = None,
    now: dt.datetime | None = None,
) -> WaiverOfClaims:
    """The passenger signs the reciprocal waiver of claims for the booking's flight by typing their full
    legal name as in their profile. The record keeps the exact text, its version and SHA-256.

    `text_sha256` is the digest of the text the passenger read (the portal always sends it): when the
    text changed meanwhile the signature is refused, so nobody signs what they did not see. Signing
    again is allowed: the newer signature supersedes the earlier one, which stays as it was.
    """
    now = now or timezone.now()
    if user is None or not user.is_authenticated or booking.user_id != user.pk:
        raise NotAllowed("Only the passenger signs their own waiver of claims.")
    booking = Booking.objects.select_related("flight__itinerary", "flight__vehicle__model", "flight__spaceport").get(
        pk=booking.pk
    )
    _require_live(booking, "sign the waiver of claims")
    profile = PassengerProfile.objects.filter(user=user).first()
    if profile is None:
        raise PreflightRefused(
            "Fill in your passenger profile (legal name) before signing the waiver of claims.", code="profile_required"
        )
    if _normalised_name(typed_name) != _normalised_name(profile.legal_name):
        raise PreflightInvalid(
            "The name typed does not match the legal name in your passenger profile: type it exactly as in your "
            "passport, or correct your profile first.",
            code="typed_name_mismatch", fields={"legal_name": ["Does not match your legal name."]},
        )
    text = waiver_text_build(flight=booking.flight, legal_name=profile.legal_name)
    if text_sha256 and text_sha256 != text.sha256:
        raise PreflightRefused(
            "The waiver text changed since you opened it: read it again and sign the current text.",
            code="waiver_text_changed",
        )
    return WaiverOfClaims.objects.create(
        booking=booking, passenger=user, flight=booking.flight, typed_name=" ".join(typed_name.split()),
        text_version=text.version, text=text.text, text_sha256=text.sha256, signed_at=now, ip_address=ip_address,
    )


# --- Security screening (14 CFR 460.53) --------------------------------------------------------------


def screening_record(
    *, passenger, flight: Flight, result: str, by, note: str = "", now: dt.datetime | None = None
) -> SecurityScreening:
    """Operations record the result of a passenger's security screening for a flight they hold a seat on.
    A failed screening needs a note saying why; the newest result for the passenger and flight counts."""
    now = now or timezone.now()
    _require_operations(by, "record security screenings")
    if result not in SecurityScreening.Result.values:
        raise InvalidInput(
            f"A screening result is one of {', '.join(SecurityScreening.Result.values)}.",
            fields={"result": ["Unknown result."]},
        )
    note = (note or "").strip()
    if result == SecurityScreening.Result.FAILED and not note:
        raise PreflightInvalid(
            "A failed screening needs a note saying what was found or refused.",
            code="screening_note_required", fields={"note": ["Say why the screening failed."]},
        )
    booking = (
        Booking.objects.filter(user=passenger, flight=flight, status__in=Booking.LIVE_STATUSES).select_related("flight").first()
    )
    if booking is None:
        raise PreflightRefused(
            f"{_passenger_name(passenger)} holds no seat on flight {flight.code}: screen passengers of the flight only.",
            code="passenger_not_on_flight",
        )
    if not booking.flight.is_upcoming:
        raise PreflightRefused(
            f"Flight {flight.code} is {booking.flight.get_status_display().lower()}: screening is for upcoming flights.",
            code="flight_not_upcoming",
        )
    return SecurityScreening.objects.create(
        passenger=passenger, flight=booking.flight, booking=booking, result=result, screened_at=now, screened_by=by,
        note=note,
    )
