"""The verification API: who reads, who writes, the one error shape, flat query counts, no DELETE."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from flights.models import Flight
from tests.conftest import PASSWORD
from tests.flights.factories import FlightFactory, VehicleFactory, VehicleModelFactory
from tests.querycounts import assert_flat_queries
from tests.verification.factories import (
    OccupantFactory,
    VerificationFlightFlownFactory,
    planned_record,
    record_in_review,
    sign,
)
from verification import services
from verification.models import VerificationFlight

pytestmark = pytest.mark.django_db
RECORDS = "/api/v1/verification/records/"


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def test_anonymous_passengers_and_surgeons_are_refused(passenger, surgeon):
    assert api().get(RECORDS).json()["code"] == "not_authenticated"
    for user in (passenger, surgeon):
        response = api(user).get(RECORDS)
        assert response.status_code == 403
        assert response.json() == {"code": "permission_denied", "fields": {},
                                   "detail": "Verification records are open to flight directors and operations staff only."}


def test_directors_and_operations_read_records_with_sign_off_validity(director, operations):
    record = record_in_review(by=operations, anomalies=[dict(severity="minor", title="Late chute")])
    sign(record, director)
    for user in (director, operations):
        body = api(user).get(RECORDS).json()
        assert body["count"] == 1 and set(body) == {"count", "next", "previous", "results"}
    item = body["results"][0]
    assert (item["flight"], item["kind"], item["status"], item["required_signatures"]) == (
        record.flight.code, "uncrewed", "signed_off", 1)
    assert item["counts_towards_certification"] is True and item["not_counting_because"] == []
    assert item["anomalies"][0]["title"] == "Late chute" and item["objectives"][0]["result"] == "pass"
    (signoff,) = item["signoffs"]
    assert (signoff["signer"], signoff["valid"], signoff["record_hash"]) == ("dana", True, item["current_hash"])
    assert "password" not in str(item)


def test_record_list_query_count_is_flat(operations, director):
    def add(n):
        for _ in range(n):
            sign(record_in_review(by=operations, anomalies=[dict(severity="minor")]), director)

    client = api(operations)
    sign(record_in_review(by=operations), director)  # sign-off #1 needs no chain look-up; the rest do
    assert_flat_queries(lambda: client.get(RECORDS), add, expected=10)


def test_signoff_and_certification_lists_are_flat(operations, director):
    vehicle_model = VehicleModelFactory(required_uncrewed_flights=1, required_crewed_flights=0)

    def add(n):
        for _ in range(n):
            sign(record_in_review(by=operations, vehicle=VehicleFactory(model=vehicle_model)), director)

    client = api(operations)
    add(1)  # sign-off #1 needs no chain look-up; the rest do
    assert_flat_queries(lambda: client.get("/api/v1/verification/signoffs/"), add, expected=11)
    assert_flat_queries(lambda: client.get("/api/v1/verification/certifications/"), add, expected=12)


def test_the_whole_record_through_the_api(operations, director, other_director):
    flight = VerificationFlightFlownFactory(purpose=Flight.Purpose.CREWED_VERIFICATION)
    ops = api(operations)
    response = ops.post(RECORDS, {"flight": flight.pk, "summary": "Crewed demo", "apogee_km": "107.1",
                                  "peak_g_ascent": "3.0", "peak_g_entry": "5.4"}, format="json")
    assert response.status_code == 201, response.json()
    record_id = response.json()["id"]
    assert response.json()["status"] == "planned"
    assert ops.patch(f"{RECORDS}{record_id}/", {"landing_distance_m": "310.5"}, format="json").json()[
        "landing_distance_m"] == "310.5"
    objective = ops.post("/api/v1/verification/objectives/", {
        "record": record_id, "description": "Crew egress", "success_criterion": "Under 2 minutes"}, format="json")
    assert objective.status_code == 201 and objective.json()["sequence"] == 1
    patched = ops.patch(f"/api/v1/verification/objectives/{objective.json()['id']}/",
                        {"measured_result": "1 min 25 s", "result": "pass"}, format="json")
    assert patched.json()["result"] == "pass"
    anomaly = ops.post("/api/v1/verification/anomalies/", {
        "record": record_id, "title": "Display flicker", "severity": "minor", "description": "2 s"}, format="json")
    assert anomaly.status_code == 201
    upload = ops.post("/api/v1/verification/attachments/", {
        "record": record_id, "title": "Telemetry", "file": SimpleUploadedFile("t.csv", b"0,0\n")}, format="multipart")
    assert upload.status_code == 201 and len(upload.json()["sha256"]) == 64
    assert upload.json()["download_url"].endswith(f"/verification/attachments/{upload.json()['id']}/")
    record = VerificationFlight.objects.get(pk=record_id)
    OccupantFactory(record=record)
    assert ops.post(f"{RECORDS}{record_id}/mark-flown/", {}, format="json").json()["status"] == "flown"
    assert ops.post(f"{RECORDS}{record_id}/submit/", {}, format="json").json()["status"] == "in_review"

    refused = ops.post(f"{RECORDS}{record_id}/sign-off/", {"decision": "approve", "meaning": "OK",
                                                           "password": PASSWORD}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "not_a_flight_director"
    wrong = api(director).post(f"{RECORDS}{record_id}/sign-off/", {"decision": "approve", "meaning": "OK",
                                                                   "password": "guess"}, format="json")
    assert wrong.status_code == 400
    assert wrong.json() == {"code": "wrong_password", "detail": "The password is not correct: re-enter your own password to sign.",
                            "fields": {"password": ["Incorrect password."]}}
    for user in (director, other_director):
        signed = api(user).post(f"{RECORDS}{record_id}/sign-off/", {
            "decision": "approve", "meaning": "Objectives met; safe to carry passengers.", "password": PASSWORD},
            format="json")
        assert signed.status_code == 201 and signed.json()["valid"] is True
    twice = api(director).post(f"{RECORDS}{record_id}/sign-off/", {"decision": "approve", "meaning": "x",
                                                                   "password": PASSWORD}, format="json")
    assert twice.status_code == 409  # signed off now: no longer in review
    body = ops.get(f"{RECORDS}{record_id}/").json()
    assert body["status"] == "signed_off" and [s["signer"] for s in body["signoffs"]] == ["dana", "drew"]

    locked = ops.patch(f"{RECORDS}{record_id}/", {"summary": "changed"}, format="json")
    assert locked.status_code == 409 and locked.json()["code"] == "record_locked"
    reopen = api(operations).post(f"{RECORDS}{record_id}/reopen/", {"reason": "fix"}, format="json")
    assert reopen.status_code == 403
    reopened = api(director).post(f"{RECORDS}{record_id}/reopen/", {"reason": "Fix the apogee"}, format="json")
    assert reopened.json()["status"] == "reopened" and reopened.json()["revision"] == 2
    assert all(s["valid"] is False for s in reopened.json()["signoffs"])


@pytest.mark.parametrize("url,payload,field", [
    (RECORDS, {"flight": 999999}, "flight"),
    (RECORDS, {}, "flight"),
    ("/api/v1/verification/objectives/", {"record": "x"}, "record"),
    ("/api/v1/verification/anomalies/", {"title": "x", "severity": "doom", "description": "y"}, "severity"),
])
def test_bad_input_gets_the_error_shape(operations, url, payload, field):
    response = api(operations).post(url, payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and field in body["fields"]


def test_commercial_flight_cannot_get_a_record(operations):
    response = api(operations).post(RECORDS, {"flight": FlightFactory().pk}, format="json")
    assert response.status_code == 400 and "flight" in response.json()["fields"]


def test_bad_sign_off_input(director, operations):
    record = record_in_review(by=operations)
    response = api(director).post(f"{RECORDS}{record.pk}/sign-off/", {"decision": "maybe"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"decision", "meaning", "password"}


def test_sign_off_attempts_are_throttled_like_logins(director, operations, monkeypatch):
    from django.core.cache import cache
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {**ScopedRateThrottle.THROTTLE_RATES, "auth": "2/min"})
    cache.clear()
    record = record_in_review(by=operations)
    client = api(director)
    codes = [client.post(f"{RECORDS}{record.pk}/sign-off/", {"decision": "approve", "meaning": "x", "password": "guess"},
                         format="json").status_code for _ in range(3)]
    assert codes == [400, 400, 429]
    assert client.get(RECORDS).status_code == 200  # only the signature is throttled


def test_sign_off_refuses_a_record_changed_since_it_was_reviewed(director, operations):
    record = record_in_review(by=operations)
    client = api(director)
    seen = client.get(f"{RECORDS}{record.pk}/").json()["current_hash"]
    response = client.post(f"{RECORDS}{record.pk}/sign-off/", {"decision": "approve", "meaning": "OK", "password": PASSWORD,
                                                              "expected_record_hash": "0" * 64}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "record_changed_since_review"
    response = client.post(f"{RECORDS}{record.pk}/sign-off/", {"decision": "approve", "meaning": "OK", "password": PASSWORD,
                                                              "expected_record_hash": seen}, format="json")
    assert response.status_code == 201 and response.json()["record_hash"] == seen


def test_certification_endpoint(director, operations):
    vehicle = VehicleFactory(model=VehicleModelFactory(required_uncrewed_flights=1, required_crewed_flights=1))
    sign(record_in_review(by=operations, vehicle=vehicle), director)
    body = api(director).get(f"/api/v1/verification/certifications/{vehicle.pk}/").json()
    assert (body["state"], body["state_label"], body["uncrewed_counted"], body["crewed_counted"]) == (
        "uncrewed_phase_complete", "Uncrewed phase complete", 1, 0)
    assert body["shortfall"] == ["0 of 1 crewed verification flights count"]
    assert body["evidence"][0]["counts"] is True and body["mishaps"] == []
    assert api(director).get("/api/v1/verification/certifications/999999/").status_code == 404


def test_nothing_can_be_deleted_or_replaced(operations, director):
    record = planned_record()
    client = api(operations)
    for url in (f"{RECORDS}{record.pk}/", f"/api/v1/verification/objectives/{record.objectives.get().pk}/"):
        assert client.delete(url).status_code == 405
        assert client.put(url, {}, format="json").status_code == 405
    assert VerificationFlight.objects.filter(pk=record.pk).exists()


def test_schema_covers_the_verification_endpoints_without_warnings():
    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = [path for path in schema["paths"] if path.startswith("/api/v1/verification/")]
    assert {"/api/v1/verification/records/", "/api/v1/verification/records/{id}/sign-off/",
            "/api/v1/verification/objectives/", "/api/v1/verification/anomalies/",
            "/api/v1/verification/signoffs/", "/api/v1/verification/certifications/{id}/"} <= set(paths)
    assert GENERATOR_STATS._warn_cache == {} and GENERATOR_STATS._error_cache == {}


@pytest.mark.parametrize("path", ["objectives", "anomalies", "attachments"])
def test_record_row_lists_are_flat(operations, path):
    def add(n):
        for _ in range(n):
            record = planned_record(anomalies=[dict(severity="minor")])
            services.attachment_add(record=record, by=operations, title="t", file=SimpleUploadedFile("t.csv", b"1"))

    client = api(operations)
    assert_flat_queries(lambda: client.get(f"/api/v1/verification/{path}/"), add, expected=4)


def test_bad_uploads_and_patches_are_refused(operations):
    record = planned_record()
    client = api(operations)
    response = client.post("/api/v1/verification/attachments/", {"record": record.pk, "title": "x"}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()["fields"]
    response = client.post("/api/v1/verification/attachments/", {"record": record.pk}, format="json")
    assert response.status_code == 415
    objective = record.objectives.get()
    response = client.patch(f"/api/v1/verification/objectives/{objective.pk}/", {"result": "great"}, format="json")
    assert response.status_code == 400 and "result" in response.json()["fields"]
    response = client.patch(f"/api/v1/verification/objectives/{objective.pk}/", {"measured_result": ""}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "A pass, fail or partial result needs the measured result that supports it."
    response = client.patch(f"{RECORDS}{record.pk}/", {"landed_at": "not a time"}, format="json")
    assert response.status_code == 400 and "landed_at" in response.json()["fields"]
    response = client.patch(f"{RECORDS}{record.pk}/", {"landed_at": "2000-01-01T00:00:00Z"}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "The landing time must be after the launch time."
