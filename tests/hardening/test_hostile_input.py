"""Hostile input and the API contract: every refusal under /api/ is a 4xx in the error shape, never a 500.

Each test is one input from issue 11 (non-numeric ids, unencodable text, deep and huge JSON bodies, overlong
text, a required field left out, the wrong role), or one path to an error Django answers itself (an unmatched
URL, a wrong method, a crashing view).
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from flights import roles
from tests.conftest import make_user
from tests.medical.factories import draft, submitted
from tests.twofactor import log_in
from tourism.medical.models import MedicalExamination

pytestmark = pytest.mark.django_db
ERROR_KEYS = {"code", "detail", "fields"}


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == ERROR_KEYS, body
    assert isinstance(body["detail"], str) and body["detail"] and isinstance(body["fields"], dict)
    if code is not None:
        assert body["code"] == code, body
    return body


def raw_json(client, method: str, path: str, body: str):
    return getattr(client, method)(path, data=body.encode("utf-8", "surrogatepass"), content_type="application/json")


@pytest.fixture
def everyone(django_user_model):
    """One account holding every role, so that no permission check answers before the lookup does."""
    user = make_user(django_user_model, "allroles", roles.PASSENGER, staff=True)
    for role in (roles.OPERATIONS, roles.FLIGHT_DIRECTOR, roles.FLIGHT_SURGEON):
        user.groups.add(user.groups.model.objects.get_or_create(name=role)[0])
    return user


# --- Non-numeric ids -----------------------------------------------------------------------------------

FLIGHT_ACTIONS = [
    ("post", "holds/"), ("post", "waitlist/"), ("get", "manifest/"), ("get", "readiness/"),
    ("get", "readiness-reports/"), ("get", "launch-windows/"), ("post", "launch-windows/"), ("post", "polls/"),
    ("post", "waivers/"),
]


@pytest.mark.parametrize(("method", "action"), FLIGHT_ACTIONS)
def test_a_non_numeric_flight_id_is_404_on_every_flight_action(everyone, method, action):
    assert_error(getattr(api(everyone), method)(f"/api/v1/flights/abc/{action}", {}, format="json"), 404, "not_found")


def test_a_non_numeric_id_is_404_on_every_operation_of_the_schema(everyone):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    client = api(everyone)
    tried = 0
    for path, operations in schema["paths"].items():
        if "{" not in path:
            continue
        for method in operations:
            url = path.replace("{id}", "abc").replace("{flight_id}", "abc")
            assert "{" not in url, f"a path parameter this test does not know: {path}"
            response = getattr(client, method)(url, {}, format="json")
            assert_error(response, 404, "not_found")
            tried += 1
    assert tried > 40


def test_unmatched_api_urls_answer_json_404_and_portal_urls_html():
    assert_error(Client().get("/api/v1/bookings/0.5/"), 404, "not_found")
    assert_error(Client().get("/api/v1/no-such-thing/"), 404, "not_found")
    portal = Client().get("/no-such-page/")
    assert portal.status_code == 404 and portal["Content-Type"].startswith("text/html")
    assert b"Page not found" in portal.content


def test_a_method_the_endpoint_does_not_answer_is_405_in_the_error_shape(pax):
    assert_error(api(pax).delete("/api/v1/bookings/"), 405, "method_not_allowed")


# --- Unencodable text: refused before it is stored; already stored, still rendered ---------------------


@pytest.mark.parametrize("bad", ["\\ud800x", "x\\udfff", "nul\\u0000here"])
def test_unencodable_text_in_questionnaire_answers_is_refused_before_it_is_stored(pax, bad):
    clearance = draft(pax)
    record = clearance.questionnaire
    before = type(record).objects.get(pk=record.pk).answers
    assert before["history"]["medications"]
    body = '{"section": "history", "draft": true, "answers": {"medications": "BAD", "surgeries_last_12_months": "none"}}'
    body = body.replace("BAD", bad)  # the raw escape: json.dumps would not write a lone surrogate
    response = raw_json(api(pax), "patch", f"/api/v1/medical/clearances/{clearance.pk}/questionnaire/", body)
    error = assert_error(response, 400, "invalid")
    assert list(error["fields"]) == ["answers"]
    assert type(record).objects.get(pk=record.pk).answers == before


@pytest.mark.parametrize("bad", ["\\ud800x", "a\\u0000b"])
def test_unencodable_text_is_refused_in_any_field_and_in_keys(pax, bad):
    response = raw_json(api(pax), "patch", "/api/v1/me/", '{"emergency_contact": "BAD"}'.replace("BAD", bad))
    assert list(assert_error(response, 400)["fields"]) == ["emergency_contact"]
    response = raw_json(api(pax), "patch", "/api/v1/me/", '{"BAD": "x"}'.replace("BAD", bad))
    assert_error(response, 400)


def test_a_nul_in_a_query_parameter_is_400(pax):
    assert_error(api(pax).get("/api/v1/flights/", {"month": "2026\x00-07"}), 400, "invalid_text")


def test_a_record_already_holding_a_lone_surrogate_still_renders_for_the_surgeon(pax, surgeon):
    clearance = submitted(pax)
    record = type(clearance.questionnaire).objects.get(pk=clearance.questionnaire.pk)
    record.answers = {**record.answers, "history": {**record.answers["history"], "medications": "Apixaban \ud800 5 mg"}}
    record.save(update_fields=["answers"])  # as it was saved before the API refused such text

    response = api(surgeon).get(f"/api/v1/medical/clearances/{clearance.pk}/questionnaire/")
    assert response.status_code == 200
    assert response.json()["answers"]["history"]["medications"] == "Apixaban \ufffd 5 mg"
    portal = Client()
    log_in(portal, surgeon)
    page = portal.get(f"/medical/review/{clearance.pk}/")
    assert page.status_code == 200 and "Apixaban \ufffd 5 mg" in page.content.decode()


def test_the_json_renderer_answers_even_when_a_stored_value_holds_a_lone_surrogate():
    from config.parsers import JSONRenderer

    assert json.loads(JSONRenderer().render({"note": "a\udc00b", "ok": "Zoë"})) == {"note": "a\ufffdb", "ok": "Zoë"}


# --- JSON depth and size -------------------------------------------------------------------------------


def test_a_deeply_nested_body_is_400_invalid_json():
    assert_error(raw_json(APIClient(), "post", "/api/v1/auth/register/", "[" * 100_000), 400, "invalid_json")
    nested = json.dumps({"username": "deep", "emergency_contact": json.loads("[" * 40 + "]" * 40)})
    assert_error(raw_json(APIClient(), "post", "/api/v1/auth/register/", nested), 400, "invalid_json")


def test_malformed_json_is_400_invalid_json():
    assert_error(raw_json(APIClient(), "post", "/api/v1/auth/register/", '{"username": '), 400, "invalid_json")
    assert_error(raw_json(APIClient(), "post", "/api/v1/auth/register/", '{"mass_kg": NaN}'), 400, "invalid_json")


def test_a_20_mb_body_is_413_too_large_in_the_error_shape(pax):
    huge = '{"emergency_contact": "' + "x" * (20 * 1024 * 1024) + '"}'
    assert_error(raw_json(APIClient(), "post", "/api/v1/auth/register/", huge), 413, "too_large")
    assert_error(raw_json(api(pax), "patch", "/api/v1/me/", huge), 413, "too_large")
    clearance = draft(pax)
    upload = api(pax).post(
        f"/api/v1/medical/clearances/{clearance.pk}/documents/",
        data=b"--b\r\n" + b"x" * (20 * 1024 * 1024) + b"\r\n--b--\r\n",
        content_type="multipart/form-data; boundary=b",
    )
    assert_error(upload, 413, "too_large")


def test_form_data_over_djangos_own_limit_is_413_json_under_the_api(pax, settings):
    settings.API_MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # past our guard: Django's DATA_UPLOAD_MAX_MEMORY_SIZE answers
    clearance = draft(pax)
    response = api(pax).post(
        f"/api/v1/medical/clearances/{clearance.pk}/documents/",
        data={"kind": "other", "note": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)},
    )
    assert_error(response, 413, "too_large")


# --- Length limits, required fields, permissions first --------------------------------------------------


def test_a_1_mb_emergency_contact_is_refused(pax):
    assert_error(api(pax).patch("/api/v1/me/", {"emergency_contact": "x" * 1024 * 1024}, format="json"), 413, "too_large")
    response = api(pax).patch("/api/v1/me/", {"emergency_contact": "x" * 10_000}, format="json")
    error = assert_error(response, 400, "invalid")
    assert error["fields"]["emergency_contact"] == ["Ensure this field has no more than 500 characters."]
    pax.passenger_profile.refresh_from_db()
    assert len(pax.passenger_profile.emergency_contact) < 500


def _string_fields(schema: dict):
    components = schema["components"]["schemas"]

    def resolve(node):
        while "$ref" in node:
            node = components[node["$ref"].rsplit("/", 1)[-1]]
        for key in ("allOf", "oneOf", "anyOf"):
            if key in node and "type" not in node:
                return resolve(node[key][0])
        return node

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for media in operation.get("requestBody", {}).get("content", {}).values():
                for name, field in resolve(media["schema"]).get("properties", {}).items():
                    field = resolve(field)
                    if field.get("readOnly"):
                        continue
                    if field.get("type") == "array":
                        field = resolve(field.get("items", {}))
                    if field.get("type") == "string":
                        yield f"{method.upper()} {path} {name}", field


def test_every_free_text_input_of_the_api_has_a_length_limit():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    unbounded = [
        where for where, field in _string_fields(schema)
        if "maxLength" not in field and "enum" not in field and "pattern" not in field
        and field.get("format") not in ("date", "date-time", "binary", "decimal")
    ]
    assert unbounded == []


def test_an_examination_without_findings_is_400_and_a_passenger_is_refused_before_validation(pax, surgeon):
    clearance = submitted(pax)
    url = f"/api/v1/medical/clearances/{clearance.pk}/examinations/"
    body = {"kind": "physical", "performed_on": "2026-06-01", "outcome": "satisfactory"}  # no findings
    assert_error(api(pax).post(url, {}, format="json"), 403, "permission_denied")  # before what is missing
    assert_error(api(pax).post(url, body, format="json"), 403, "permission_denied")
    from tourism.medical import services

    services.clearance_start_review(clearance=clearance, by=surgeon)
    error = assert_error(api(surgeon).post(url, body, format="json"), 400, "invalid")
    assert error["fields"] == {"findings": ["This field is required."]}
    assert not MedicalExamination.objects.filter(clearance=clearance).exists()
    response = api(surgeon).post(url, {**body, "findings": "Fit for flight"}, format="json")
    assert response.status_code == 201, response.content
    assert MedicalExamination.objects.get(clearance=clearance).findings == "Fit for flight"


def test_a_passenger_note_is_refused_before_validation(pax):
    clearance = submitted(pax)
    assert_error(api(pax).post(f"/api/v1/medical/clearances/{clearance.pk}/notes/", {}, format="json"), 403)


# --- Bodies are JSON (multipart only for uploads) -------------------------------------------------------


def test_form_bodies_are_refused_outside_uploads(pax, password):
    assert_error(APIClient().post("/api/v1/auth/token/", {"username": "pat", "password": password}), 415,
                 "unsupported_media_type")  # multipart
    response = APIClient().post("/api/v1/auth/token/", {"username": "pat", "password": password}, format="json")
    assert response.status_code == 200 and response.json()["token"]


# --- A view that crashes --------------------------------------------------------------------------------


@pytest.mark.urls("tests.hardening.urls_crash")
def test_a_crashing_api_view_answers_500_in_the_error_shape(pax):
    client = Client(raise_request_exception=False)
    client.force_login(pax)
    assert_error(client.get("/api/v1/crash/"), 500, "server_error")
    portal = client.get("/crash/")
    assert portal.status_code == 500 and portal["Content-Type"].startswith("text/html")
    assert b"Something went wrong" in portal.content and b"Traceback" not in portal.content
