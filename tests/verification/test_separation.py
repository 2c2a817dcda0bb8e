"""Separation of duties (nobody signs what they entered or last edited; the second signature comes from
someone else again) and the launch time that comes from the flight's recorded liftoff."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from flights import roles
from flights.exceptions import InvalidInput
from flights.models import Flight
from tests.conftest import PASSWORD, make_user
from tests.twofactor import log_in
from tests.verification.factories import (
    VerificationFlightFlownFactory,
    past,
    record_in_review,
    sign,
)
from verification import selectors, services
from verification.exceptions import RecordLocked, SignOffRefused
from verification.models import VerificationFlight

pytestmark = pytest.mark.django_db
Status = VerificationFlight.Status


def entered_by(user, *, ops, crewed=False) -> VerificationFlight:
    """A record opened by `user` through the service, completed by operations, and put in review."""
    purpose = Flight.Purpose.CREWED_VERIFICATION if crewed else Flight.Purpose.UNCREWED_VERIFICATION
    flight = VerificationFlightFlownFactory(purpose=purpose)
    record = services.verification_record_create(
        flight=flight, by=user, summary="Entered by hand", landed_at=flight.landed_at, apogee_km="107",
        peak_g_ascent="3.0", peak_g_entry="5.0",
    )
    services.objective_add(record=record, by=ops, description="Lands", success_criterion="Within 1 km",
                           measured_result="250 m", result="pass")
    services.occupant_add(record=record, by=ops, name="Ada", role="Commander" if crewed else "Dummy",
                          is_test_dummy=not crewed)
    services.verification_mark_flown(record=record, by=ops)
    services.verification_submit_for_review(record=record, by=ops)
    record.refresh_from_db()
    return record


def approve(record, signer):
    return services.verification_sign_off(record=record, signer=signer, password=PASSWORD, decision="approve",
                                          meaning="Objectives met; safe to proceed.")


def test_a_director_cannot_sign_a_record_they_entered(director, other_director, operations):
    record = entered_by(director, ops=operations)
    with pytest.raises(SignOffRefused, match="Dana Tester entered the record of .*: whoever entered or last edited a "
                                             "record's content cannot sign it. Another flight director must sign."):
        approve(record, director)
    assert not record.signoffs.exists()
    approve(record, other_director)
    record.refresh_from_db()
    assert record.status == Status.SIGNED_OFF


def test_a_director_who_last_edited_an_objective_cannot_sign(director, other_director, operations):
    record = record_in_review(by=operations)
    services.verification_reopen(record=record, by=other_director, reason="Measured result was mistyped")
    objective = record.objectives.get()
    services.objective_update(objective=objective, by=director, measured_result="Landed 260 m from target")
    services.verification_mark_flown(record=record, by=operations)
    services.verification_submit_for_review(record=record, by=operations)
    record.refresh_from_db()
    with pytest.raises(SignOffRefused, match="last edited objective 1") as refusal:
        approve(record, director)
    assert refusal.value.code == "signer_edited_record"
    approve(record, other_director)


def test_an_anomaly_entered_by_a_director_keeps_them_from_signing(director, other_director, operations):
    record = record_in_review(by=operations)
    services.verification_reopen(record=record, by=other_director, reason="Anomaly found in the telemetry")
    services.anomaly_add(record=record, by=director, title="Late drogue", severity="minor", description="0.4 s late")
    services.verification_mark_flown(record=record, by=operations)
    services.verification_submit_for_review(record=record, by=operations)
    with pytest.raises(SignOffRefused, match="entered anomaly “Late drogue”"):
        approve(record, director)


def test_the_second_signature_comes_from_someone_else_again(django_user_model, director, other_director, operations):
    record = entered_by(other_director, ops=operations, crewed=True)  # two signatures needed
    approve(record, director)
    with pytest.raises(SignOffRefused, match="has already signed") as refused:
        approve(record, director)  # not the first signer
    assert refused.value.code == "already_signed"
    with pytest.raises(SignOffRefused, match="entered the record"):
        approve(record, other_director)  # not the author
    approve(record, make_user(django_user_model, "flo", roles.FLIGHT_DIRECTOR))
    record.refresh_from_db()
    assert record.status == Status.SIGNED_OFF


def test_the_portal_says_why_and_refuses_the_author(client, director, operations):
    record = entered_by(director, ops=operations)
    log_in(client, director)
    page = client.get(record.get_absolute_url()).content.decode()
    sign_url = reverse("verification:sign-off", args=[record.pk])
    assert "cannot sign it. Another flight director must sign." in page and sign_url not in page
    response = client.get(sign_url, follow=True)
    assert response.redirect_chain[-1][0] == record.get_absolute_url()
    current = selectors.record_review(selectors.record_queryset().get(pk=record.pk)).current_hash
    response = client.post(sign_url, {"record_hash": current, "decision": "approve", "meaning": "OK",
                                      "password": PASSWORD})
    assert response.status_code == 200 and "cannot sign it" in response.content.decode()
    assert not record.signoffs.exists()


def test_the_api_refuses_the_author_with_409(director, operations):
    record = entered_by(director, ops=operations)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=director)[0].key}")
    response = client.post(f"/api/v1/verification/records/{record.pk}/sign-off/",
                           {"decision": "approve", "meaning": "OK", "password": PASSWORD}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "signer_edited_record" and "cannot sign it" in response.json()["detail"]
    body = client.get(f"/api/v1/verification/records/{record.pk}/").json()
    assert (body["entered_by"], body["last_edited_by"]) == ("dana", "dana")
    assert body["objectives"][0]["entered_by"] == operations.username


# --- The launch time -------------------------------------------------------------------------------


def test_the_launch_time_comes_from_the_flights_recorded_liftoff(operations):
    flight = VerificationFlightFlownFactory()
    with pytest.raises(InvalidInput, match="comes from the flight's recorded liftoff") as refusal:
        services.verification_record_create(flight=flight, by=operations, launched_at=flight.launched_at
                                            - dt.timedelta(days=30))
    assert "launched_at" in refusal.value.fields
    record = services.verification_record_create(flight=flight, by=operations)
    assert record.launched_at == flight.launched_at
    with pytest.raises(InvalidInput, match="cannot be entered by hand"):
        services.verification_record_update(record=record, by=operations, launched_at=past(2000))
    record.refresh_from_db()
    assert record.launched_at == flight.launched_at


def test_the_api_refuses_to_move_the_launch_time(operations):
    flight = VerificationFlightFlownFactory()
    record = services.verification_record_create(flight=flight, by=operations)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=operations)[0].key}")
    response = client.patch(f"/api/v1/verification/records/{record.pk}/", {"launched_at": "2020-01-01T00:00:00Z"},
                            format="json")
    assert response.status_code == 400 and "launched_at" in response.json()["fields"]


def test_liftoff_recorded_later_overrides_a_launch_time_typed_in_before(operations):
    flight = VerificationFlightFlownFactory(status=Flight.Status.SCHEDULED, launched_at=None, landed_at=None)
    record = services.verification_record_create(flight=flight, by=operations, launched_at=past(5))
    liftoff = past(3)
    Flight.objects.filter(pk=flight.pk).update(status=Flight.Status.COMPLETED, launched_at=liftoff,
                                               landed_at=liftoff + dt.timedelta(minutes=11))
    services.verification_record_update(record=record, by=operations, landed_at=liftoff + dt.timedelta(minutes=11),
                                        apogee_km="107", peak_g_ascent="3.0", peak_g_entry="5.0")
    record.refresh_from_db()
    assert record.launched_at == liftoff


def test_without_a_recorded_liftoff_the_launch_time_is_locked_once_signed(operations, director, other_director):
    record = record_in_review(by=operations)
    sign(record, director)
    services.verification_reopen(record=record, by=other_director, reason="Correct the summary")
    # A record whose flight lost its recorded liftoff (imported history, say): the signed time stays.
    Flight.objects.filter(pk=record.flight_id).update(status=Flight.Status.SCHEDULED, launched_at=None)
    with pytest.raises(RecordLocked, match="was signed and orders the vehicle's return-to-flight evidence"):
        services.verification_record_update(record=record, by=operations, launched_at=past(3000))
    services.verification_record_update(record=record, by=operations, summary="Corrected")  # other fields still can


def test_a_launch_time_that_is_not_the_flights_liftoff_is_reported(capsys, operations, director):
    record = record_in_review(by=operations)
    sign(record, director)
    Flight.objects.filter(pk=record.flight_id).update(launched_at=record.launched_at + dt.timedelta(days=40))
    with pytest.raises(CommandError):
        call_command("verify_signoffs")
    assert "is not the flight's recorded liftoff" in capsys.readouterr().out


def reopened_by(other_director, operations):
    record = record_in_review(by=operations)
    services.verification_reopen(record=record, by=other_director, reason="A correction")
    return record


def resubmit(record, operations):
    services.verification_mark_flown(record=record, by=operations)
    services.verification_submit_for_review(record=record, by=operations)
    record.refresh_from_db()
    return record


@pytest.mark.parametrize("part", ["record", "occupant", "attachment"])
def test_whoever_last_edited_the_record_added_an_occupant_or_attached_a_file_cannot_sign(
    part, director, other_director, operations
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    record = reopened_by(other_director, operations)
    if part == "record":
        services.verification_record_update(record=record, by=director, summary="Summary corrected")
        said = f"Dana Tester last edited the record of {record.flight.code}: whoever"
    elif part == "occupant":
        services.occupant_add(record=record, by=director, name="Grace", role="Test dummy", is_test_dummy=True)
        said = f"Dana Tester entered occupant Grace of {record.flight.code}: whoever"
    else:
        services.attachment_add(record=record, by=director, title="Drogue telemetry",
                                file=SimpleUploadedFile("drogue.csv", b"t,alt\n0,107\n"))
        said = f"Dana Tester attached “Drogue telemetry” of {record.flight.code}: whoever"
    record = resubmit(record, operations)
    with pytest.raises(SignOffRefused) as refusal:
        approve(record, director)
    assert refusal.value.message.startswith(said), refusal.value.message
    assert refusal.value.code == "signer_edited_record"
    approve(record, other_director)  # who reopened the record edited none of its content: they may sign
