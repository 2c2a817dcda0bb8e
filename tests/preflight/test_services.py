"""The pre-flight services: each record as people make it, and each refusal with its message."""

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.utils import timezone

from flights.exceptions import InvalidInput, NotAllowed
from tests.conftest import make_user
from tests.flights.factories import ItineraryFactory
from tests.preflight import factories as f
from tests.tourism.factories import bookable_flight, passenger_with_profile, reserved_booking
from tourism import services as booking_services
from tourism.preflight import services
from tourism.preflight.exceptions import PreflightInvalid, PreflightRefused, RecordImmutable
from tourism.preflight.models import SecurityScreening, TrainingRecord, WaiverOfClaims
from tourism.preflight.waiver import WAIVER_TEXT_VERSION, waiver_text_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def module(booking):
    return f.emergency_module(booking.flight.itinerary)


def sign_off(booking, module, staff, **overrides):
    arguments = dict(booking=booking, module=module, completed_on=timezone.localdate(), hours_attended="4",
                     instructor=staff, by=staff)
    return services.training_sign_off(**(arguments | overrides))


# --- Training sign-off ---------------------------------------------------------------------------------


def test_sign_off_records_who_when_and_the_hours(booking, module, instructor, operations):
    record = sign_off(booking, module, operations, instructor=instructor, hours_attended=Decimal("3.5"), note="Good.")
    assert (record.passenger, record.module, record.booking) == (booking.user, module, booking)
    assert (record.instructor, record.recorded_by, record.hours_attended) == (instructor, operations, Decimal("3.5"))
    assert record.completed_on == timezone.localdate() and record.note == "Good."


def test_only_operations_record_sign_offs(booking, module, instructor, pax, director):
    for who in (pax, director, None):
        with pytest.raises(NotAllowed, match="Only operations staff record training sign-offs"):
            sign_off(booking, module, instructor, by=who)


def test_the_instructor_must_be_on_the_staff(booking, module, operations, other_pax):
    with pytest.raises(PreflightInvalid, match="Quinn Tester is not on the operator's staff") as refused:
        sign_off(booking, module, operations, instructor=other_pax)
    assert refused.value.code == "instructor_not_staff" and "instructor" in refused.value.fields


def test_an_inactive_staff_member_cannot_sign_off(booking, module, operations, django_user_model):
    former = make_user(django_user_model, "former", staff=True)
    former.is_active = False
    former.save(update_fields=["is_active"])
    with pytest.raises(PreflightInvalid, match="not on the operator's staff"):
        sign_off(booking, module, operations, instructor=former)


def test_a_staff_passenger_cannot_sign_off_their_own_training(module, operations, flight):
    staff_passenger = passenger_with_profile(user__is_staff=True)
    booking = reserved_booking(flight, user=staff_passenger, by=operations)
    with pytest.raises(PreflightInvalid, match="A passenger cannot sign off their own training"):
        sign_off(booking, module, operations, instructor=staff_passenger)


def test_the_module_must_be_for_the_booking_itinerary(booking, operations):
    other = f.emergency_module(ItineraryFactory(name="Orbital Station Stay"), name="Centrifuge")
    with pytest.raises(PreflightInvalid, match=f"Centrifuge .460.51. is not training for {booking.flight.itinerary.name}: "
                                                "it is for Orbital Station Stay") as refused:
        sign_off(booking, other, operations)
    assert refused.value.code == "module_not_for_itinerary"
    regime = f.emergency_module(regime="orbital", name="Orbital emergencies")
    with pytest.raises(PreflightInvalid, match="it is for every orbital itinerary"):
        sign_off(booking, regime, operations)


def test_a_retired_module_is_refused(booking, module, operations):
    module.is_active = False
    module.save(update_fields=["is_active"])
    with pytest.raises(PreflightRefused, match="Emergency egress .460.51. is retired"):
        sign_off(booking, module, operations)


def test_completion_in_the_future_is_refused(booking, module, operations):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(PreflightInvalid, match=f"cannot be signed off for {tomorrow:%Y-%m-%d}: that date has not come"):
        sign_off(booking, module, operations, completed_on=tomorrow)


@pytest.mark.parametrize("hours", ["0", "-1", "1000", "abc", None, "NaN"])
def test_hours_attended_must_be_positive_and_plausible(booking, module, operations, hours):
    with pytest.raises(PreflightInvalid, match="Hours attended must be more than 0") as refused:
        sign_off(booking, module, operations, hours_attended=hours)
    assert refused.value.fields == {"hours_attended": ["Give the hours attended, e.g. 3.5."]}


def test_a_cancelled_booking_gets_no_sign_off(booking, module, operations):
    booking_services.booking_cancel(booking=booking, by=operations, reason="Changed plans")
    booking.refresh_from_db()
    with pytest.raises(PreflightRefused, match=r"Cannot sign off training for booking .*: it is cancelled"):
        sign_off(booking, module, operations)


def test_a_completion_date_that_is_not_a_date_is_refused(booking, module, operations):
    with pytest.raises(InvalidInput, match="Give the date the module was completed"):
        sign_off(booking, module, operations, completed_on="2026-01-01")


# --- Waiver of claims ----------------------------------------------------------------------------------


def test_signing_keeps_the_exact_text_its_version_and_hash(booking):
    text = waiver_text_build(flight=booking.flight, legal_name="Pat Q. Tester")
    waiver = services.waiver_sign(booking=booking, user=booking.user, typed_name="  pat q.  TESTER ",
                                  text_sha256=text.sha256, ip_address="203.0.113.9")
    assert waiver.text == text.text and waiver.text_version == WAIVER_TEXT_VERSION
    assert waiver.text_sha256 == hashlib.sha256(waiver.text.encode()).hexdigest() == text.sha256
    assert "Pat Q. Tester" in waiver.text and "NS-41" in waiver.text and "Federal Aviation Administration" in waiver.text
    assert (waiver.flight, waiver.passenger, waiver.typed_name) == (booking.flight, booking.user, "pat q. TESTER")


def test_a_name_that_does_not_match_the_profile_is_refused(booking):
    with pytest.raises(PreflightInvalid, match="The name typed does not match the legal name") as refused:
        services.waiver_sign(booking=booking, user=booking.user, typed_name="Pat Tester")
    assert refused.value.code == "typed_name_mismatch" and refused.value.status_code == 400
    assert not WaiverOfClaims.objects.exists()


def test_only_the_passenger_signs_their_waiver(booking, other_pax, operations):
    for who in (other_pax, operations):
        with pytest.raises(NotAllowed, match="Only the passenger signs their own waiver of claims"):
            services.waiver_sign(booking=booking, user=who, typed_name="Pat Q. Tester")


def test_a_changed_text_is_not_signed(booking):
    with pytest.raises(PreflightRefused, match="The waiver text changed since you opened it") as refused:
        services.waiver_sign(booking=booking, user=booking.user, typed_name="Pat Q. Tester", text_sha256="0" * 64)
    assert refused.value.code == "waiver_text_changed"


def test_a_cancelled_booking_signs_no_waiver(booking, operations):
    booking_services.booking_cancel(booking=booking, by=operations, reason="Changed plans")
    with pytest.raises(PreflightRefused, match="Cannot sign the waiver of claims for booking .*: it is cancelled"):
        services.waiver_sign(booking=booking, user=booking.user, typed_name="Pat Q. Tester")


def test_a_signed_waiver_is_immutable_and_a_newer_one_supersedes(booking):
    first = f.sign_waiver(booking, now=timezone.now() - dt.timedelta(days=1))
    first.typed_name = "Someone Else"
    with pytest.raises(RecordImmutable, match=f"Waiver of claims #{first.pk} is final"):
        first.save()
    with pytest.raises(RecordImmutable, match="never deleted"):
        first.delete()
    with pytest.raises(RecordImmutable):
        WaiverOfClaims.objects.filter(pk=first.pk).update(typed_name="X")
    with pytest.raises(RecordImmutable):
        WaiverOfClaims.objects.filter(pk=first.pk).delete()
    second = f.sign_waiver(booking)
    assert WaiverOfClaims.objects.get(pk=first.pk).typed_name == "Pat Q. Tester"
    from tourism.preflight.selectors import waiver_status

    assert waiver_status(booking.user, booking.flight).waiver == second


# --- Security screening --------------------------------------------------------------------------------


def test_screening_records_the_result_who_and_when(booking, operations):
    at = timezone.now()
    screening = services.screening_record(passenger=booking.user, flight=booking.flight, result="passed", by=operations,
                                          now=at)
    assert (screening.booking, screening.screened_by, screening.screened_at, screening.passed) == (
        booking, operations, at, True)


def test_only_operations_record_screenings(booking, pax, director):
    for who in (pax, director):
        with pytest.raises(NotAllowed, match="Only operations staff record security screenings"):
            services.screening_record(passenger=booking.user, flight=booking.flight, result="passed", by=who)


def test_a_passenger_not_on_the_flight_is_not_screened(booking, other_pax, operations):
    with pytest.raises(PreflightRefused, match="Quinn R. Tester holds no seat on flight NS-41") as refused:
        services.screening_record(passenger=other_pax, flight=booking.flight, result="passed", by=operations)
    assert refused.value.code == "passenger_not_on_flight"
    other_flight = bookable_flight(code="NS-50")
    with pytest.raises(PreflightRefused, match="Pat Q. Tester holds no seat on flight NS-50"):
        services.screening_record(passenger=booking.user, flight=other_flight, result="passed", by=operations)


def test_a_failed_screening_needs_a_note(booking, operations):
    with pytest.raises(PreflightInvalid, match="A failed screening needs a note") as refused:
        services.screening_record(passenger=booking.user, flight=booking.flight, result="failed", by=operations, note=" ")
    assert refused.value.fields == {"note": ["Say why the screening failed."]}


def test_an_unknown_result_is_refused(booking, operations):
    with pytest.raises(InvalidInput, match="A screening result is one of passed, failed"):
        services.screening_record(passenger=booking.user, flight=booking.flight, result="maybe", by=operations)


def test_screenings_and_sign_offs_are_append_only(booking, module, operations):
    screening = f.screen(booking, by=operations)
    screening.result = SecurityScreening.Result.FAILED
    with pytest.raises(RecordImmutable):
        screening.save()
    record = sign_off(booking, module, operations)
    with pytest.raises(RecordImmutable):
        record.delete()
    with pytest.raises(RecordImmutable):
        TrainingRecord.objects.all().update(hours_attended=9)
