"""The medical API: the passenger's questionnaire and status, the surgeons' queue and decisions."""

import datetime as dt

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.conftest import make_user
from tests.flights.factories import ItineraryFactory, scheduled_flight
from tests.medical import factories as f
from tests.querycounts import assert_flat_queries
from tourism.medical import services
from tourism.medical.models import MedicalAccessLog, MedicalClearance, MedicalDocument

pytestmark = pytest.mark.django_db
API = "/api/v1/medical"


def api_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def assert_error(response, status: int, code: str, detail: str | None = None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "detail", "fields"}
    assert body["code"] == code, body
    if detail:
        assert detail in body["detail"], body
    return body


def test_a_passenger_fills_and_submits_through_the_api(passenger):
    client = api_for(passenger)
    created = client.post(f"{API}/clearances/")
    assert created.status_code == 201 and created.json()["status"] == "draft"
    pk = created.json()["id"]
    for section, answers in f.ANSWERS.items():
        response = client.patch(
            f"{API}/clearances/{pk}/questionnaire/", {"section": section, "answers": answers}, format="json"
        )
        assert response.status_code == 200, response.content
    body = response.json()
    assert body["missing_sections"] == [] and body["answers"]["body"]["mass_kg"] == "72.5"
    assert client.get(f"{API}/clearances/{pk}/questionnaire/").json()["answers"]["conditions"]["arrhythmia"]["answer"] is True
    submitted = client.post(f"{API}/clearances/{pk}/submit/", {}, format="json")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"


def test_bad_questionnaire_input_is_400_with_fields(passenger):
    clearance = services.clearance_start(passenger=passenger)
    client = api_for(passenger)
    url = f"{API}/clearances/{clearance.pk}/questionnaire/"
    body = assert_error(
        client.patch(url, {"section": "body", "answers": {"mass_kg": -70, "height_cm": 178, "confirmed": True}},
                     format="json"),
        400, "invalid", "Mass and height: A mass below 20 kg is not possible",
    )
    assert "mass_kg" in body["fields"]
    assert_error(client.patch(url, {"section": "blood", "answers": {}}, format="json"), 400, "invalid")
    assert_error(client.patch(url, {"section": "body"}, format="json"), 400, "invalid")
    assert_error(client.post(f"{API}/clearances/{clearance.pk}/submit/", {}, format="json"), 400, "invalid",
                 "still incomplete")


def test_a_second_questionnaire_in_progress_is_a_conflict(passenger):
    client = api_for(passenger)
    client.post(f"{API}/clearances/")
    assert_error(client.post(f"{API}/clearances/"), 409, "clearance_conflict", "already have a medical questionnaire")


def test_surgeon_queue_review_and_decision(passenger, surgeon, flights_of_passengers):
    clearance = f.submitted(passenger)
    flights_of_passengers[passenger.pk] = [scheduled_flight(code="NS-41")]
    client = api_for(surgeon)
    queue = client.get(f"{API}/review-queue/").json()
    assert queue["count"] == 1
    entry = queue["results"][0]
    assert entry["clearance"]["id"] == clearance.pk and entry["next_flight"]["code"] == "NS-41"
    assert client.post(f"{API}/clearances/{clearance.pk}/start-review/").json()["status"] == "under_review"
    exam = client.post(
        f"{API}/clearances/{clearance.pk}/examinations/",
        {"kind": "physical", "performed_on": dt.date.today().isoformat(), "outcome": "satisfactory", "findings": "Normal"},
        format="json",
    )
    assert exam.status_code == 201 and exam.json()["examiner"] == "sasha"
    decided = client.post(
        f"{API}/clearances/{clearance.pk}/decide/",
        {"outcome": "cleared_with_restrictions", "reasons": "Rate controlled.", "allowed_regimes": ["suborbital"],
         "max_g": "4.0"},
        format="json",
    )
    assert decided.status_code == 200, decided.content
    body = decided.json()
    assert (body["status"], body["allowed_regimes"], body["max_g"], body["restrictions"]) == (
        "cleared_with_restrictions", ["suborbital"], "4.0", "Suborbital only, max 4.0 g"
    )
    assert body["decided_by"] == "sasha" and body["valid_until"]
    assert client.get(f"{API}/review-queue/").json()["count"] == 0


@pytest.mark.parametrize(
    "data,status,code,detail",
    [
        ({"outcome": "cleared"}, 400, "invalid", "A decision needs its reasons"),
        ({"outcome": "cleared", "reasons": "  "}, 400, "invalid", "A decision needs its reasons"),
        ({"outcome": "maybe", "reasons": "x"}, 400, "invalid", None),
        ({"outcome": "cleared_with_restrictions", "reasons": "x"}, 400, "invalid", "needs a restriction"),
        ({"outcome": "cleared_with_restrictions", "reasons": "x", "max_g": "-1"}, 400, "invalid", "is not possible"),
        ({"outcome": "cleared", "reasons": "x", "allowed_regimes": ["lunar"]}, 400, "invalid", None),
        ({"outcome": "cleared", "reasons": "x", "valid_until": "2001-01-01"}, 400, "invalid", "is in the past"),
        ({"outcome": "cleared", "reasons": "x", "valid_until": "not-a-date"}, 400, "invalid", None),
    ],
)
def test_bad_decisions(passenger, surgeon, data, status, code, detail):
    clearance = f.under_review(passenger, surgeon)
    assert_error(api_for(surgeon).post(f"{API}/clearances/{clearance.pk}/decide/", data, format="json"),
                 status, code, detail)
    clearance.refresh_from_db()
    assert clearance.status == "under_review"


def test_decision_on_a_submission_not_under_review_is_409(passenger, surgeon):
    clearance = f.submitted(passenger)
    assert_error(
        api_for(surgeon).post(f"{API}/clearances/{clearance.pk}/decide/", {"outcome": "cleared", "reasons": "ok"},
                              format="json"),
        409, "invalid_transition", f"Cannot decide medical clearance #{clearance.pk} (pat): it is submitted.",
    )


def test_request_information_needs_a_message(passenger, surgeon):
    clearance = f.under_review(passenger, surgeon)
    client = api_for(surgeon)
    assert_error(client.post(f"{API}/clearances/{clearance.pk}/request-information/", {}, format="json"),
                 400, "invalid", "Say what information")
    response = client.post(f"{API}/clearances/{clearance.pk}/request-information/", {"message": "ECG please"},
                           format="json")
    assert response.json()["status"] == "information_requested"


def test_documents_upload_list_and_download(passenger, surgeon):
    clearance = f.draft(passenger)
    client = api_for(passenger)
    url = f"{API}/clearances/{clearance.pk}/documents/"
    created = client.post(url, {"kind": "ecg", "file": f.upload("ecg.pdf", f.PDF)}, format="multipart")
    assert created.status_code == 201, created.content
    document = created.json()
    assert (document["content_type"], document["original_name"], document["size_bytes"]) == (
        "application/pdf", "ecg.pdf", len(f.PDF)
    )
    listing = client.get(url).json()
    assert listing["count"] == 1
    content = api_for(surgeon).get(document["content_url"])
    assert content.status_code == 200 and content.content == f.PDF and content["Content-Type"] == "application/pdf"


@pytest.mark.parametrize(
    "name,content,detail",
    [
        ("x.pdf", b"GIF89a", "Only PDF, PNG and JPEG documents are accepted"),
        ("x.pdf", f.PDF + b"0" * 4096, "documents may be at most"),
    ],
)
def test_bad_uploads_are_400(passenger, settings, name, content, detail):
    settings.MEDICAL_DOCUMENT_MAX_BYTES = 2048
    clearance = f.draft(passenger)
    body = assert_error(
        api_for(passenger).post(f"{API}/clearances/{clearance.pk}/documents/", {"file": f.upload(name, content)},
                                format="multipart"),
        400, "invalid_document", detail,
    )
    assert "file" in body["fields"]
    assert_error(api_for(passenger).post(f"{API}/clearances/{clearance.pk}/documents/", {}, format="multipart"),
                 400, "invalid")
    assert not MedicalDocument.objects.exists()


def test_eligibility_endpoint(passenger, surgeon):
    f.restricted(passenger, surgeon, allowed_regimes=["suborbital"], max_g=None)
    flight = scheduled_flight(code="NS-41", itinerary=ItineraryFactory())
    body = api_for(passenger).get(f"{API}/eligibility/{flight.pk}/").json()
    assert body["flight"] == flight.pk and body["eligible"] is False
    assert [r["code"] for r in body["refusals"]] == ["self_certification_missing"]
    assert api_for(passenger).get(f"{API}/eligibility/999999/").status_code == 404


def test_self_certification_endpoint(passenger, surgeon):
    f.decided(passenger, surgeon)
    flight = scheduled_flight()
    client = api_for(passenger)
    assert_error(client.post(f"{API}/self-certifications/", {"flight": flight.pk}, format="json"),
                 409, "self_certification_refused", "opens 24 hours before launch")
    assert_error(client.post(f"{API}/self-certifications/", {"flight": 999999}, format="json"), 400, "invalid")
    from django.utils import timezone

    type(flight).objects.filter(pk=flight.pk).update(launch_at=timezone.now() + dt.timedelta(hours=3))
    created = client.post(f"{API}/self-certifications/", {"flight": flight.pk}, format="json")
    assert created.status_code == 201 and created.json()["flight"] == flight.pk
    assert client.get(f"{API}/self-certifications/").json()["count"] == 1
    assert client.get(f"{API}/eligibility/{flight.pk}/").json()["eligible"] is True


def test_nothing_can_be_deleted_or_overwritten(passenger, surgeon):
    clearance = f.decided(passenger, surgeon)
    for client in (api_for(passenger), api_for(surgeon)):
        for url in (f"{API}/clearances/{clearance.pk}/", f"{API}/clearances/{clearance.pk}/questionnaire/",
                    f"{API}/clearances/{clearance.pk}/notes/"):
            assert_error(client.delete(url), 405, "method_not_allowed")
        assert_error(client.put(f"{API}/clearances/{clearance.pk}/", {}, format="json"), 405, "method_not_allowed")
    assert MedicalClearance.objects.filter(pk=clearance.pk).exists()


def test_each_api_read_of_content_is_logged(passenger, surgeon):
    clearance = f.draft(passenger)
    document = services.document_upload(clearance=clearance, by=passenger, upload=f.upload())
    services.clearance_submit(clearance=clearance, by=passenger)
    services.clearance_start_review(clearance=clearance, by=surgeon)
    note = services.note_add(clearance=clearance, by=surgeon, body="Spoke to the GP.")
    exam = services.examination_record(
        clearance=clearance, by=surgeon, kind="physical", performed_on=dt.date.today(), outcome="satisfactory",
        findings="Normal",
    )
    client = api_for(surgeon)
    expected = {
        "questionnaire/": ("questionnaire", clearance.questionnaire.pk, "view"),
        "notes/": ("note", note.pk, "view"),
        "examinations/": ("examination", exam.pk, "view"),
        "documents/": ("document", document.pk, "view"),
    }
    for suffix, (record_type, record_id, action) in expected.items():
        before = MedicalAccessLog.objects.count()
        assert client.get(f"{API}/clearances/{clearance.pk}/{suffix}").status_code == 200
        log = MedicalAccessLog.objects.latest("id")
        assert MedicalAccessLog.objects.count() == before + 1
        assert (log.accessed_by, log.record_type, log.record_id, log.action, log.channel) == (
            surgeon, record_type, record_id, action, "api"
        )
    client.get(f"{API}/documents/{document.pk}/content/")
    log = MedicalAccessLog.objects.latest("id")
    assert (log.record_type, log.record_id, log.action, log.path) == (
        "document", document.pk, "download", f"{API}/documents/{document.pk}/content/"
    )
    # The passenger sees who read the record.
    trail = api_for(passenger).get(f"{API}/clearances/{clearance.pk}/access-log/").json()
    assert trail["count"] == 5 and trail["results"][0]["accessed_by"] == "sasha"


def test_status_reads_are_not_content_and_log_nothing(passenger, surgeon, director):
    clearance = f.decided(passenger, surgeon)
    api_for(director).get(f"{API}/clearances/")
    api_for(passenger).get(f"{API}/clearances/{clearance.pk}/")
    assert not MedicalAccessLog.objects.exists()


def test_clearance_list_shows_status_validity_and_restrictions_only(passenger, surgeon, operations):
    f.restricted(passenger, surgeon)
    item = api_for(operations).get(f"{API}/clearances/").json()["results"][0]
    assert set(item) == {
        "id", "passenger", "status", "created_at", "submitted_at", "decided_at", "decided_by", "valid_until",
        "allowed_regimes", "max_g", "restrictions", "superseded_by",
    }
    assert f.SECRET_DETAIL not in str(item)


def test_clearance_list_filters_by_status(passenger, other_passenger, surgeon):
    f.decided(passenger, surgeon)
    f.submitted(other_passenger)
    body = api_for(surgeon).get(f"{API}/clearances/", {"status": "submitted"}).json()
    assert [item["passenger"] for item in body["results"]] == ["quinn"]


def test_list_endpoints_query_counts_are_flat(passenger, surgeon, django_user_model, flights_of_passengers):
    counter = iter(range(1000))
    as_surgeon, as_passenger = api_for(surgeon), api_for(passenger)

    def add_submissions(n):
        for _ in range(n):
            f.submitted(make_user(django_user_model, f"s{next(counter)}", "Passenger"))

    assert_flat_queries(lambda: as_surgeon.get(f"{API}/review-queue/"), add_submissions, expected=3)
    assert_flat_queries(lambda: as_surgeon.get(f"{API}/clearances/"), add_submissions, expected=4)

    clearance = f.under_review(passenger, surgeon)

    def add_notes(n):
        for i in range(n):
            services.note_add(clearance=clearance, by=surgeon, body=f"note {i}")

    assert_flat_queries(lambda: as_surgeon.get(f"{API}/clearances/{clearance.pk}/notes/"), add_notes, expected=6)

    def add_documents(n):
        for _ in range(n):
            services.document_upload(clearance=clearance, by=surgeon, upload=f.upload())

    assert_flat_queries(
        lambda: as_passenger.get(f"{API}/clearances/{clearance.pk}/documents/"), add_documents, expected=6
    )


def test_schema_covers_the_medical_endpoints_without_warnings(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(out))
    schema = out.read_text()
    for path in (
        "/api/v1/medical/clearances/", "/api/v1/medical/clearances/{id}/questionnaire/",
        "/api/v1/medical/clearances/{id}/decide/", "/api/v1/medical/clearances/{id}/documents/",
        "/api/v1/medical/review-queue/", "/api/v1/medical/documents/{id}/content/",
        "/api/v1/medical/eligibility/{flight_id}/", "/api/v1/medical/self-certifications/",
        "/api/v1/medical/clearances/{id}/access-log/",
    ):
        assert path + ":" in schema, path
