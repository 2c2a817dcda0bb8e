"""Who may reach which medical page and endpoint: passenger (the record's owner), another passenger,
a flight surgeon, a flight director, operations staff and an anonymous visitor.

ok        the request passes access control (it may still be refused by a rule: 400/409, or redirected)
login     sent to log in (pages) or 401 (API)
forbidden 403: the role is known but not allowed
hidden    404: another passenger must not learn the record exists
"""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.flights.factories import scheduled_flight
from tests.medical import factories as f
from tests.twofactor import log_in
from tourism.medical import services

pytestmark = pytest.mark.django_db
ROLES = ("passenger", "other_passenger", "surgeon", "director", "operations", "anonymous")


@dataclass
class Case:
    name: str
    method: str
    url: object  # callable(record) -> str
    expected: dict
    data: object = None  # callable(record) -> dict
    api: bool = False


def everyone(**overrides):
    return dict.fromkeys(ROLES, "ok") | {"anonymous": "login"} | overrides


STAFF_FORBIDDEN = {"surgeon": "forbidden", "director": "forbidden", "operations": "forbidden"}
CONTENT = everyone(other_passenger="hidden", director="forbidden", operations="forbidden")
PASSENGERS_ONLY = everyone(**STAFF_FORBIDDEN)
SURGEONS_ONLY = everyone(passenger="forbidden", other_passenger="forbidden", director="forbidden",
                         operations="forbidden")


def decision(record):
    return {"outcome": "cleared", "reasons": "Fit to fly."}


def examination(record):
    return {"kind": "physical", "performed_on": dt.date.today().isoformat(), "outcome": "satisfactory",
            "findings": "Normal."}


def document_file(record):
    return {"kind": "ecg", "file": f.upload()}


PAGES = [
    Case("my medical", "get", lambda r: reverse("medical:home"), PASSENGERS_ONLY),
    Case("start questionnaire", "post", lambda r: reverse("medical:questionnaire-start"), PASSENGERS_ONLY),
    Case("questionnaire step", "get", lambda r: reverse("medical:questionnaire-step", args=["body"]), PASSENGERS_ONLY),
    Case("questionnaire review", "get", lambda r: reverse("medical:questionnaire-review"), PASSENGERS_ONLY),
    Case("clearance detail", "get", lambda r: reverse("medical:clearance-detail", args=[r["clearance"].pk]), CONTENT),
    Case("document upload", "post", lambda r: reverse("medical:document-upload", args=[r["clearance"].pk]), CONTENT,
         data=document_file),
    Case("document download", "get", lambda r: reverse("medical:document-download", args=[r["document"].pk]), CONTENT),
    Case("eligibility", "get", lambda r: reverse("medical:eligibility", args=[r["flight"].pk]), PASSENGERS_ONLY),
    Case("self-certify", "post", lambda r: reverse("medical:eligibility", args=[r["flight"].pk]), PASSENGERS_ONLY,
         data=lambda r: {"confirm": "on"}),
    Case("review queue", "get", lambda r: reverse("medical:review-queue"), SURGEONS_ONLY),
    Case("review page", "get", lambda r: reverse("medical:review-detail", args=[r["clearance"].pk]), SURGEONS_ONLY),
    Case("start review", "post", lambda r: reverse("medical:review-start", args=[r["clearance"].pk]), SURGEONS_ONLY),
    Case("decide", "post", lambda r: reverse("medical:review-decide", args=[r["clearance"].pk]), SURGEONS_ONLY,
         data=decision),
    Case("request information", "post", lambda r: reverse("medical:review-request-information", args=[r["clearance"].pk]),
         SURGEONS_ONLY, data=lambda r: {"message": "ECG please"}),
    Case("record examination", "post", lambda r: reverse("medical:review-examination", args=[r["clearance"].pk]),
         SURGEONS_ONLY, data=examination),
    Case("add note", "post", lambda r: reverse("medical:review-note", args=[r["clearance"].pk]), SURGEONS_ONLY,
         data=lambda r: {"body": "Called the GP."}),
]

API = "/api/v1/medical"
STATUS_VISIBLE = everyone(other_passenger="hidden")
API_CASES = [
    Case("list clearances", "get", lambda r: f"{API}/clearances/", everyone()),
    Case("start clearance", "post", lambda r: f"{API}/clearances/", PASSENGERS_ONLY),
    Case("clearance status", "get", lambda r: f"{API}/clearances/{r['clearance'].pk}/", STATUS_VISIBLE),
    Case("read questionnaire", "get", lambda r: f"{API}/clearances/{r['clearance'].pk}/questionnaire/", CONTENT),
    Case("save questionnaire", "patch", lambda r: f"{API}/clearances/{r['clearance'].pk}/questionnaire/",
         CONTENT | {"surgeon": "forbidden"}, data=lambda r: {"section": "body", "answers": f.ANSWERS["body"]}),
    Case("submit", "post", lambda r: f"{API}/clearances/{r['clearance'].pk}/submit/",
         STATUS_VISIBLE | STAFF_FORBIDDEN, data=lambda r: {"reply": "Done"}),
    Case("start review", "post", lambda r: f"{API}/clearances/{r['clearance'].pk}/start-review/", SURGEONS_ONLY),
    Case("decide", "post", lambda r: f"{API}/clearances/{r['clearance'].pk}/decide/", SURGEONS_ONLY, data=decision),
    Case("request information", "post", lambda r: f"{API}/clearances/{r['clearance'].pk}/request-information/",
         SURGEONS_ONLY, data=lambda r: {"message": "ECG please"}),
    Case("read examinations", "get", lambda r: f"{API}/clearances/{r['clearance'].pk}/examinations/", CONTENT),
    Case("record examination", "post", lambda r: f"{API}/clearances/{r['clearance'].pk}/examinations/",
         CONTENT | {"passenger": "forbidden"}, data=examination),
    Case("read notes", "get", lambda r: f"{API}/clearances/{r['clearance'].pk}/notes/", CONTENT),
    Case("add note", "post", lambda r: f"{API}/clearances/{r['clearance'].pk}/notes/",
         CONTENT | {"passenger": "forbidden"}, data=lambda r: {"body": "Called the GP."}),
    Case("list documents", "get", lambda r: f"{API}/clearances/{r['clearance'].pk}/documents/", CONTENT),
    Case("upload document", "post", lambda r: f"{API}/clearances/{r['clearance'].pk}/documents/", CONTENT,
         data=document_file),
    Case("access log", "get", lambda r: f"{API}/clearances/{r['clearance'].pk}/access-log/", CONTENT),
    Case("document content", "get", lambda r: f"{API}/documents/{r['document'].pk}/content/", CONTENT),
    Case("review queue", "get", lambda r: f"{API}/review-queue/", SURGEONS_ONLY),
    Case("eligibility", "get", lambda r: f"{API}/eligibility/{r['flight'].pk}/", PASSENGERS_ONLY),
    Case("list self-certifications", "get", lambda r: f"{API}/self-certifications/", PASSENGERS_ONLY),
    Case("self-certify", "post", lambda r: f"{API}/self-certifications/", PASSENGERS_ONLY,
         data=lambda r: {"flight": r["flight"].pk}),
]
for case in API_CASES:
    case.api = True


@pytest.fixture
def record(passenger, surgeon):
    """The passenger's clearance, under review, with a document, a note and an examination."""
    clearance = f.draft(passenger)
    document = services.document_upload(clearance=clearance, by=passenger, upload=f.upload())
    services.clearance_submit(clearance=clearance, by=passenger)
    services.clearance_start_review(clearance=clearance, by=surgeon)
    services.note_add(clearance=clearance, by=surgeon, body="Called the cardiologist.")
    return {"clearance": clearance, "document": document, "flight": scheduled_flight()}


def outcome(response, api: bool) -> str:
    assert response.status_code < 500, response.content[:500]
    if api and response.status_code == 401:
        return "login"
    if not api and response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return "login"
    return {403: "forbidden", 404: "hidden"}.get(response.status_code, "ok")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", PAGES + API_CASES, ids=lambda c: ("api " if c.api else "page ") + c.name)
def test_permission_matrix(case, role, record, request, client):
    user = None if role == "anonymous" else request.getfixturevalue(role)
    if case.api:
        client = APIClient()
        if user:
            client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    elif user:
        log_in(client, user)
    data = case.data(record) if case.data else {}
    kwargs = {"format": "multipart" if "file" in data else "json"} if case.api else {}
    response = getattr(client, case.method)(case.url(record), data, **kwargs)
    assert outcome(response, case.api) == case.expected[role], (response.status_code, response.content[:300])
    if role not in ("passenger", "surgeon"):
        # Nobody else ever receives medical content, whatever the answer.
        assert f.SECRET_DETAIL.encode() not in response.content
        assert b"Called the cardiologist" not in response.content
        assert f.PDF not in response.content


def test_the_matrix_covers_every_medical_url():
    from types import SimpleNamespace

    from django.urls import get_resolver, resolve

    def routes(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            if hasattr(pattern, "url_patterns"):
                yield from routes(pattern, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern)

    every = {
        r.replace("/^", "/") for r in routes(get_resolver()) if r.startswith(("medical/", "api/v1/medical/")) and "<format>" not in r
    }
    stand_in = {key: SimpleNamespace(pk=1) for key in ("clearance", "document", "flight")}
    covered = {resolve(case.url(stand_in)).route.replace("/^", "/") for case in PAGES + API_CASES}
    assert len(every) > 25 and covered == every
