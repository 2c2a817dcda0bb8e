"""The pre-flight API: passengers read their own records and sign their waiver; operations sign off
training and record screenings; every refusal is the one error body; lists keep their query count."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests.preflight import factories as f
from tests.querycounts import assert_flat_queries
from tests.tourism.factories import bookable_flight, reserved_booking
from tourism.preflight.models import SecurityScreening, TrainingRecord, WaiverOfClaims
from tourism.preflight.waiver import waiver_text_build

pytestmark = pytest.mark.django_db
API = "/api/v1/preflight"


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "detail", "fields"} and body["code"] == code, body
    return body


@pytest.fixture
def module(booking):
    return f.emergency_module(booking.flight.itinerary)


# --- Training ----------------------------------------------------------------------------------------


def test_operations_sign_off_training(booking, module, instructor):
    response = as_user(instructor).post(f"{API}/training-records/", {
        "booking": booking.pk, "module": module.pk, "completed_on": timezone.localdate().isoformat(),
        "hours_attended": "4.0", "instructor": instructor.pk, "note": "Out of the hatch in 40 s.",
    }, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["passenger"] == booking.user.username and body["module_name"] == "Emergency egress (460.51)"
    assert body["instructor"] == "Ivy Instructor" and body["hours_attended"] == "4.0"
    assert TrainingRecord.objects.get().recorded_by == instructor


def test_sign_off_refusals_are_the_error_body(booking, module, instructor, other_pax):
    client = as_user(instructor)
    base = {"booking": booking.pk, "module": module.pk, "completed_on": timezone.localdate().isoformat(),
            "hours_attended": "4", "instructor": other_pax.pk}
    body = error(client.post(f"{API}/training-records/", base, format="json"), 400, "instructor_not_staff")
    assert "not on the operator's staff" in body["detail"] and "instructor" in body["fields"]
    other = f.emergency_module(bookable_flight(code="XX-1").itinerary, name="Other drill")
    error(client.post(f"{API}/training-records/", {**base, "instructor": instructor.pk, "module": other.pk},
                      format="json"), 400, "module_not_for_itinerary")
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    error(client.post(f"{API}/training-records/", {**base, "instructor": instructor.pk, "completed_on": tomorrow},
                      format="json"), 400, "completion_in_future")
    body = error(client.post(f"{API}/training-records/", {**base, "booking": 999999}, format="json"), 400, "invalid")
    assert "booking" in body["fields"]


@pytest.mark.parametrize("who", ["pax", "director", "surgeon"])
def test_only_operations_sign_off_training(request, booking, module, instructor, who):
    response = as_user(request.getfixturevalue(who)).post(f"{API}/training-records/", {
        "booking": booking.pk, "module": module.pk, "completed_on": timezone.localdate().isoformat(),
        "hours_attended": "4", "instructor": instructor.pk,
    }, format="json")
    error(response, 403, "permission_denied")
    assert not TrainingRecord.objects.exists()


def test_passengers_read_only_their_own_training_records(booking, module, instructor, other_pax, flight, operations):
    mine = f.sign_off(booking, module, by=instructor)
    theirs = f.sign_off(reserved_booking(flight, user=other_pax, by=operations), module, by=instructor)
    client = as_user(booking.user)
    listed = client.get(f"{API}/training-records/").json()
    assert [r["id"] for r in listed["results"]] == [mine.pk]
    assert client.get(f"{API}/training-records/{mine.pk}/").status_code == 200
    error(client.get(f"{API}/training-records/{theirs.pk}/"), 404, "not_found")
    assert {r["id"] for r in as_user(operations).get(f"{API}/training-records/").json()["results"]} == {mine.pk, theirs.pk}


def test_training_records_list_keeps_its_query_count(booking, module, instructor):
    client = as_user(booking.user)
    client.get(f"{API}/training-records/")  # the user's roles are read once, then kept on the user
    assert_flat_queries(
        lambda: client.get(f"{API}/training-records/"),
        lambda n: [f.sign_off(booking, module, by=instructor) for _ in range(n)],
        expected=2,
    )


def test_modules_are_listed_with_the_emergency_tag(booking, module):
    body = as_user(booking.user).get(f"{API}/training-modules/", {"itinerary": booking.flight.itinerary.pk}).json()
    assert [(m["label"], m["is_emergency_training"]) for m in body["results"]] == [("Emergency egress (460.51)", True)]


# --- Waiver of claims --------------------------------------------------------------------------------


def test_passenger_reads_then_signs_the_waiver(booking):
    client = as_user(booking.user)
    shown = client.get(f"{API}/bookings/{booking.pk}/waiver/").json()
    expected = waiver_text_build(flight=booking.flight, legal_name="Pat Q. Tester")
    assert (shown["text"], shown["sha256"], shown["signed"], shown["signature"]) == (
        expected.text, expected.sha256, False, None)
    response = client.post(f"{API}/bookings/{booking.pk}/waiver/",
                           {"legal_name": "Pat Q. Tester", "text_sha256": shown["sha256"]}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["text_sha256"] == expected.sha256
    again = client.get(f"{API}/bookings/{booking.pk}/waiver/").json()
    assert again["signed"] and again["signature"]["typed_name"] == "Pat Q. Tester"


def test_waiver_refusals(booking):
    client = as_user(booking.user)
    body = error(client.post(f"{API}/bookings/{booking.pk}/waiver/", {"legal_name": "P. Tester"}, format="json"),
                 400, "typed_name_mismatch")
    assert body["fields"] == {"legal_name": ["Does not match your legal name."]}
    error(client.post(f"{API}/bookings/{booking.pk}/waiver/", {"legal_name": "Pat Q. Tester", "text_sha256": "a" * 64},
                      format="json"), 409, "waiver_text_changed")
    error(client.post(f"{API}/bookings/{booking.pk}/waiver/", {}, format="json"), 400, "invalid")
    assert not WaiverOfClaims.objects.exists()


def test_nobody_else_reads_or_signs_a_passengers_waiver(booking, other_pax, operations):
    for who in (other_pax, operations):
        client = as_user(who)
        error(client.get(f"{API}/bookings/{booking.pk}/waiver/"), 404, "not_found")
        error(client.post(f"{API}/bookings/{booking.pk}/waiver/", {"legal_name": "Pat Q. Tester"}, format="json"),
              404, "not_found")
    waiver = f.sign_waiver(booking)
    error(as_user(other_pax).get(f"{API}/waivers/{waiver.pk}/"), 404, "not_found")
    assert as_user(operations).get(f"{API}/waivers/{waiver.pk}/").json()["text"] == waiver.text


# --- Security screening ------------------------------------------------------------------------------


def test_operations_record_screenings(booking, operations):
    response = as_user(operations).post(f"{API}/screenings/", {
        "passenger": booking.user.pk, "flight": booking.flight.pk, "result": "passed",
    }, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["screened_by"] == operations.username
    assert SecurityScreening.objects.get().booking == booking


def test_screening_refusals(booking, operations, other_pax):
    client = as_user(operations)
    body = error(client.post(f"{API}/screenings/", {"passenger": other_pax.pk, "flight": booking.flight.pk,
                                                    "result": "passed"}, format="json"), 409, "passenger_not_on_flight")
    assert body["detail"] == "Quinn R. Tester holds no seat on flight NS-41: screen passengers of the flight only."
    error(client.post(f"{API}/screenings/", {"passenger": booking.user.pk, "flight": booking.flight.pk,
                                             "result": "failed"}, format="json"), 400, "screening_note_required")
    error(client.post(f"{API}/screenings/", {"passenger": booking.user.pk, "flight": booking.flight.pk,
                                             "result": "maybe"}, format="json"), 400, "invalid")
    for who in (booking.user, other_pax):
        error(as_user(who).post(f"{API}/screenings/", {"passenger": booking.user.pk, "flight": booking.flight.pk,
                                                       "result": "passed"}, format="json"), 403, "permission_denied")
    assert not SecurityScreening.objects.exists()


def test_passengers_see_only_their_own_screenings(booking, operations, other_pax, flight):
    mine = f.screen(booking, by=operations)
    theirs = f.screen(reserved_booking(flight, user=other_pax, by=operations), by=operations)
    client = as_user(booking.user)
    assert [s["id"] for s in client.get(f"{API}/screenings/").json()["results"]] == [mine.pk]
    error(client.get(f"{API}/screenings/{theirs.pk}/"), 404, "not_found")


# --- A booking's pre-flight status -------------------------------------------------------------------


def test_booking_status_names_what_is_missing(booking, module, instructor):
    f.sign_off(booking, module, by=instructor, hours=2)
    body = as_user(booking.user).get(f"{API}/bookings/{booking.pk}/").json()
    assert body["complete"] is False
    assert body["training"]["modules"][0] | {"completed_on": None} == {
        "module": module.pk, "name": "Emergency egress (460.51)", "is_emergency_training": True, "planned_hours": "4.0",
        "state": "signed_off", "completed_on": None, "instructor": "Ivy Instructor", "hours_attended": "2.0",
        "problem": "",
    }
    assert body["refusals"] == [
        "Training incomplete: 2 of 14 training hours done.",
        "Waiver of claims (14 CFR 460.49) not signed for flight NS-41.",
        "Security screening (14 CFR 460.53) not recorded for flight NS-41.",
    ]
    assert body["waiver"] == {"signed": False, "signed_at": None, "text_version": None,
                              "problem": "Waiver of claims (14 CFR 460.49) not signed for flight NS-41."}


def test_booking_status_complete(booking, instructor):
    f.preflight_complete(booking, by=instructor)
    body = as_user(booking.user).get(f"{API}/bookings/{booking.pk}/").json()
    assert body["complete"] is True and body["refusals"] == []
    assert body["screening"]["result"] == "passed" and body["waiver"]["signed"] is True


def test_another_passengers_booking_status_is_not_found(booking, other_pax, director):
    error(as_user(other_pax).get(f"{API}/bookings/{booking.pk}/"), 404, "not_found")
    assert as_user(director).get(f"{API}/bookings/{booking.pk}/").status_code == 200


def test_booking_status_list_keeps_its_query_count(pax, instructor, operations):
    from tests.tourism.factories import flight_adder

    def book(flight):
        booking = reserved_booking(flight, user=pax, by=operations)
        f.preflight_complete(booking, by=instructor)

    client = as_user(pax)
    client.get(f"{API}/bookings/")  # the user's roles are read once, then kept on the user
    # count, the page of bookings, then modules, training records, waivers and screenings: one query each
    assert_flat_queries(lambda: client.get(f"{API}/bookings/"), flight_adder(on_each=book), expected=6)


def test_operations_list_every_booking_with_its_passenger(booking, other_pax, flight, operations):
    reserved_booking(flight, user=other_pax, by=operations)
    passengers = {b["passenger"] for b in as_user(operations).get(f"{API}/bookings/").json()["results"]}
    assert passengers == {booking.user.username, other_pax.username}
    assert [b["passenger"] for b in as_user(other_pax).get(f"{API}/bookings/").json()["results"]] == [other_pax.username]


def test_schema_covers_the_preflight_endpoints_without_warnings(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(out))
    schema = out.read_text()
    for path in (
        "/api/v1/preflight/training-modules/", "/api/v1/preflight/training-records/",
        "/api/v1/preflight/training-records/{id}/", "/api/v1/preflight/waivers/{id}/",
        "/api/v1/preflight/screenings/", "/api/v1/preflight/bookings/{id}/",
        "/api/v1/preflight/bookings/{id}/waiver/",
    ):
        assert path + ":" in schema, path
    assert "ScreeningResultEnum" in schema
