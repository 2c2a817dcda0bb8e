"""The permission matrix: every API operation in the schema and every portal page, for anonymous, each
role and a second passenger, on the demo data.

- nothing answers 5xx, whoever asks and whatever they send;
- anonymous gets 401 from the API and a login redirect (or 403) from the portal on everything protected;
- a second passenger reading or changing the demo passenger's booking, waitlist entry, clearance or pre-flight
  records (training sign-offs, waiver of claims, screenings) gets 404;
- passengers never sign off training or record security screenings (403);
- no DELETE anywhere: the API answers 405 (or refuses earlier), admin offers no delete, and no record is gone;
- staff (surgeon, director, operations) reach everything above only with a session that passed the two-factor
  code step (`tests.twofactor.log_in`); with the password alone every page sends them to the code step and
  every API call with that session is 403.
"""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from flights.models import Flight
from tests.hardening.portal import DEMO_PEOPLE, demo_arguments, fill, load_demo, portal_pages
from tests.twofactor import log_in
from tourism.medical.models import MedicalClearance
from tourism.models import Booking, ConsentSignature, WaitlistEntry
from tourism.preflight.models import SecurityScreening, TrainingModule, TrainingRecord, WaiverOfClaims
from verification.models import SignOff, VerificationFlight

pytestmark = pytest.mark.django_db

RECORDS = [Flight, Booking, ConsentSignature, WaitlistEntry, MedicalClearance, VerificationFlight, SignOff,
           TrainingRecord, WaiverOfClaims, SecurityScreening]
# Who asks, in this order: the second passenger first, so nobody has changed the rows it must not reach.
PEOPLE = ["other_passenger", "anonymous", "passenger", "surgeon", "director", "operations"]


@pytest.fixture
def demo_users(django_capture_on_commit_callbacks):
    users = load_demo(django_capture_on_commit_callbacks)
    return {role: users[username] for role, username in DEMO_PEOPLE.items()}


@pytest.fixture(autouse=True)
def _no_throttling(monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    from config.throttling import DatabaseRateThrottle

    for throttle in (SimpleRateThrottle, DatabaseRateThrottle):  # DRF's (cache) and ours (config/throttling.py)
        monkeypatch.setattr(throttle, "allow_request", lambda self, request, view: True)


def record_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in RECORDS}


def api_operations() -> list[tuple[str, str, dict]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [(path, method, operation) for path, operations in schema["paths"].items()
            for method, operation in operations.items() if method in {"get", "post", "put", "patch", "delete"}]


def api_arguments() -> dict[str, int]:
    from flights.models import Spaceport, Vehicle, VehicleModel
    from flights.traffic.models import ConjunctionEvent
    from tourism.medical.models import MedicalDocument
    from verification.models import Anomaly, Attachment, TestObjective

    portal = demo_arguments()
    first = lambda model: getattr(model._default_manager.order_by("pk").first(), "pk", 1)  # noqa: E731
    own = lambda model: model._default_manager.filter(passenger__username="passenger").order_by("pk").first().pk  # noqa: E731
    return {
        "/preflight/bookings/": portal["booking"], "/preflight/training-records/": own(TrainingRecord),
        "/preflight/waivers/": own(WaiverOfClaims), "/preflight/screenings/": own(SecurityScreening),
        "/preflight/training-modules/": first(TrainingModule),
        "/bookings/": portal["booking"], "/waitlist/": portal["waitlist"], "/medical/clearances/": portal["clearance"],
        "/medical/documents/": first(MedicalDocument), "/medical/eligibility/": portal["flight"],
        "/flights/": portal["flight"], "/polls/": portal["poll"], "/itineraries/": first(Flight.itinerary.field.related_model),
        "/spaceports/": first(Spaceport), "/vehicle-models/": first(VehicleModel), "/vehicles/": first(Vehicle),
        "/verification/records/": portal["record"], "/verification/attachments/": first(Attachment),
        "/verification/anomalies/": first(Anomaly), "/verification/objectives/": first(TestObjective),
        "/verification/signoffs/": first(SignOff), "/verification/certifications/": 1,
        "/conjunctions/events/": first(ConjunctionEvent),
    }


def api_url(path: str, arguments: dict) -> str:
    def value(match):
        before = path[: match.start()]
        for marker, pk in sorted(arguments.items(), key=lambda item: -len(item[0])):
            if before.endswith(marker):
                return str(pk)
        raise AssertionError(f"the permission matrix does not know what {{{match[1]}}} is in {path}")

    return re.sub(r"\{(\w+)\}", value, path)


PRIVATE_API = ("/api/v1/bookings/{id}/", "/api/v1/waitlist/{id}/", "/api/v1/medical/clearances/{id}/",
               "/api/v1/preflight/bookings/{id}/", "/api/v1/preflight/training-records/{id}/",
               "/api/v1/preflight/waivers/{id}/", "/api/v1/preflight/screenings/{id}/")


def test_api_matrix(demo_users):
    arguments = api_arguments()
    operations = api_operations()
    assert len(operations) > 50
    before = record_counts()
    refused_for_role: dict[str, set] = {"other_passenger": set(), "passenger": set()}
    for role in PEOPLE:
        client = APIClient()
        if role != "anonymous":
            client.force_authenticate(demo_users[role])
        for path, method, operation in operations:
            url = api_url(path, arguments)
            response = getattr(client, method)(url, {}, format="json") if method != "get" else client.get(url)
            where = (role, method.upper(), url, response.status_code)
            assert response.status_code < 500, where
            if response.status_code >= 400:
                assert set(response.json()) == {"code", "detail", "fields"}, where
            public = {} in operation.get("security", [{}])
            if role == "anonymous" and not public:
                assert response.status_code == 401, where
            if role == "other_passenger" and path.startswith(PRIVATE_API):
                assert response.status_code in (403, 404), where
            if role in refused_for_role and response.status_code == 403:
                refused_for_role[role].add((method, path))
    # A 403 for the second passenger is only allowed where the owner is refused too (a surgeon's action):
    # it says nothing about whose row it is.
    assert refused_for_role["other_passenger"] <= refused_for_role["passenger"]
    for path in {path for path, _, _ in operations}:
        url = api_url(path, arguments)
        statuses = set()
        for role in PEOPLE:
            client = APIClient()
            if role != "anonymous":
                client.force_authenticate(demo_users[role])
            statuses.add(client.delete(url).status_code)
        assert statuses <= {401, 403, 404, 405} and 405 in statuses, (url, statuses)
    assert not any(method == "delete" for _, method, _ in operations)
    after = record_counts()
    assert all(after[label] >= count for label, count in before.items()), (before, after)


# Pages anyone may open; everything else needs a log-in.
PUBLIC_PAGES = {"home", "login", "tourism:signup", "tourism:itinerary-list", "tourism:itinerary-detail",
                "tourism:flight-detail", "flights:flight-detail", "flights:vehicle-detail", "flights:flight-windows",
                "password_reset", "password_reset_done", "password_reset_confirm", "password_reset_complete",
                "tourism:verify-email-confirm"}
PRIVATE_PAGES = ("bookings/<int:pk>/", "waitlist/<int:pk>/", "medical/clearances/<int:pk>/",
                 "preflight/bookings/<int:pk>/")


def test_portal_matrix(demo_users):
    arguments = demo_arguments()
    pages = portal_pages()
    assert {page.name for page in pages} >= PUBLIC_PAGES
    before = record_counts()
    open_to_anonymous = []
    for role in PEOPLE:
        client = Client()
        if role != "anonymous":
            log_in(client, demo_users[role])
        for page in pages:
            url = fill(page, arguments)
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                where = (role, method.upper(), page.name, url, response.status_code)
                assert response.status_code < 500, where
                if role == "anonymous" and page.name not in PUBLIC_PAGES and page.name != "logout":
                    login_redirect = response.status_code == 302 and response["Location"].startswith("/accounts/login/")
                    if not (login_redirect or response.status_code in (403, 405)):
                        open_to_anonymous.append(where)
                if role == "other_passenger" and page.route.startswith(PRIVATE_PAGES):
                    assert response.status_code in (404, 405), where  # 405: a POST-only view asked with GET
                    if method == "post":
                        assert response.status_code == 404, where
            if role != "anonymous":
                log_in(client, demo_users[role])  # the logout page logs out
    assert open_to_anonymous == []
    after = record_counts()
    assert all(after[label] >= count for label, count in before.items()), (before, after)


def test_passengers_cannot_sign_off_training_or_record_screenings(demo_users):
    booking = Booking.objects.get(user=demo_users["passenger"], flight__code="NS-41")
    module = TrainingModule.objects.filter(is_emergency_training=True, regime="suborbital").first()
    sign_off = {"booking": booking.pk, "module": module.pk, "completed_on": "2026-01-05", "hours_attended": "4",
                "instructor": demo_users["operations"].pk}
    screening = {"passenger": demo_users["passenger"].pk, "flight": booking.flight_id, "result": "passed"}
    before = record_counts()
    for role in ("passenger", "other_passenger", "surgeon", "director"):
        client = APIClient()
        client.force_authenticate(demo_users[role])
        assert client.post("/api/v1/preflight/training-records/", sign_off, format="json").status_code == 403, role
        assert client.post("/api/v1/preflight/screenings/", screening, format="json").status_code == 403, role
    assert record_counts() == before


def test_a_passenger_cannot_read_another_passengers_preflight_records(demo_users):
    owner = demo_users["passenger"]
    urls = [f"/api/v1/preflight/training-records/{pk}/" for pk in TrainingRecord.objects.filter(passenger=owner)
            .values_list("pk", flat=True)]
    urls += [f"/api/v1/preflight/waivers/{w.pk}/" for w in WaiverOfClaims.objects.filter(passenger=owner)]
    urls += [f"/api/v1/preflight/screenings/{s.pk}/" for s in SecurityScreening.objects.filter(passenger=owner)]
    booking = Booking.objects.get(user=owner, flight__code="NS-41")
    urls += [f"/api/v1/preflight/bookings/{booking.pk}/", f"/api/v1/preflight/bookings/{booking.pk}/waiver/"]
    other, mine = APIClient(), APIClient()
    other.force_authenticate(demo_users["other_passenger"])
    mine.force_authenticate(owner)
    assert len(urls) >= 6
    for url in urls:
        assert mine.get(url).status_code == 200, url
        assert other.get(url).status_code == 404, url
    listed = other.get("/api/v1/preflight/training-records/").json()["results"]
    assert all(record["passenger"] == "mira" for record in listed)
    page = Client()
    page.force_login(demo_users["other_passenger"])
    assert page.get(reverse("preflight:waiver", args=[booking.pk])).status_code == 404


# The launch-day manifest (names, mass, every gate): the launch team only, in the portal and the API.
LAUNCH_MANIFEST = {"anonymous": (302, 401), "other_passenger": (403, 403), "passenger": (403, 403),
                   "surgeon": (200, 200), "director": (200, 200), "operations": (200, 200)}


def test_launch_manifest_matrix(demo_users):
    flight = Flight.objects.get(code="NS-41")
    page, endpoint = reverse("tourism:flight-manifest", args=[flight.pk]), f"/api/v1/flights/{flight.pk}/manifest/"
    for role, (page_status, api_status) in LAUNCH_MANIFEST.items():
        client, api = Client(), APIClient()
        if role != "anonymous":
            log_in(client, demo_users[role])
            api.force_authenticate(demo_users[role])
        response = client.get(page)
        assert response.status_code == page_status, (role, page)
        if role == "anonymous":
            assert response["Location"].startswith("/accounts/login/")
        elif page_status == 200:
            assert "Launch manifest · Flight NS-41" in response.content.decode()
        response = api.get(endpoint)
        assert response.status_code == api_status, (role, endpoint)
        if api_status == 200:
            assert response.json()["flight"]["code"] == "NS-41"
        else:
            assert set(response.json()) == {"code", "detail", "fields"}
        assert client.post(page).status_code in (page_status, 405)  # reads only: no POST is served


STAFF = ["surgeon", "director", "operations"]
BEFORE_THE_CODE_STEP = {"logout", "accounts:two-factor", "accounts:two-factor-setup"}


def test_staff_sessions_without_the_code_step_reach_nothing(demo_users):
    """Each staff role logged in with the password only: every portal page and the admin send it to the code
    step, and every API operation with its session answers 403 `two_factor_required`."""
    arguments, api_argument_values, pages = demo_arguments(), api_arguments(), portal_pages()
    api_gets = [(path, operation) for path, method, operation in api_operations() if method == "get"]
    before = record_counts()
    for role in STAFF:
        client = Client()
        client.force_login(demo_users[role])
        for page in pages:
            if page.name in BEFORE_THE_CODE_STEP:
                continue
            url = fill(page, arguments)
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                where = (role, method.upper(), page.name, url, response.status_code)
                assert response.status_code == 302, where
                assert response["Location"].startswith("/accounts/two-factor/?next="), where
        response = client.get("/admin/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/two-factor/?next=")
        for path, _ in api_gets:
            url = api_url(path, api_argument_values)
            response = client.get(url)
            assert response.status_code == 403, (role, url, response.status_code)
            assert response.json()["code"] == "two_factor_required", (role, url)
        # The same session after the code step gets in.
        log_in(client, demo_users[role])
        assert client.get("/").status_code == 200
    assert record_counts() == before


def test_admin_offers_no_delete_of_records(demo_users):
    client = Client()
    log_in(client, demo_users["operations"])
    for model in RECORDS:
        model_admin = admin.site._registry[model]
        request = type("R", (), {"user": demo_users["operations"]})()
        obj = model._default_manager.first()
        assert not model_admin.has_delete_permission(request, obj), model
        info = (model._meta.app_label, model._meta.model_name)
        response = client.get(reverse("admin:{}_{}_delete".format(*info), args=[obj.pk]))
        assert response.status_code in (403, 302), model
        client.post(reverse("admin:{}_{}_changelist".format(*info)),
                               {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"})
        assert model._default_manager.filter(pk=obj.pk).exists(), model
