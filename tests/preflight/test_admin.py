"""Admin: operations keep the syllabus and enter sign-offs and screenings through the services' rules;
sign-offs, screenings and waivers are then read-only; nothing is deleted; every page renders on demo data."""


import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from flights import demo
from flights.catalog import catalog_import_text
from tests.flights.factories import ItineraryFactory
from tests.preflight import factories as f
from tests.shared_data import STATIONS, stations_text
from tests.twofactor import log_in
from tourism.preflight.models import SecurityScreening, TrainingModule, TrainingRecord, WaiverOfClaims

pytestmark = pytest.mark.django_db
MODELS = [TrainingModule, TrainingRecord, WaiverOfClaims, SecurityScreening]


def url(model, page, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


@pytest.fixture
def ops_client(client, operations):
    log_in(client, operations)
    return client


@pytest.fixture
def demo_data(django_capture_on_commit_callbacks):
    catalog_import_text(text=stations_text(), source=str(STATIONS))
    with django_capture_on_commit_callbacks(execute=True):
        demo.load()


def test_every_model_is_registered_without_delete(operations):
    registered = {m for m in admin.site._registry if m._meta.app_label == "preflight"}
    assert registered == set(MODELS)
    request = type("R", (), {"user": operations})()
    for model in MODELS:
        assert not admin.site._registry[model].has_delete_permission(request), model


def test_every_page_renders_with_demo_data(ops_client, demo_data):
    for model in MODELS:
        listing = ops_client.get(url(model, "changelist"))
        assert listing.status_code == 200, model
        obj = model._default_manager.first()
        assert obj is not None, f"the demo has no {model._meta.label}"
        assert ops_client.get(url(model, "change", obj.pk)).status_code == 200, model
        assert ops_client.get(url(model, "history", obj.pk)).status_code == 200, model
        assert ops_client.get(url(model, "delete", obj.pk)).status_code == 403, model
    assert "Ada Lovelace Passenger" in ops_client.get(url(WaiverOfClaims, "changelist")).content.decode()


def test_changelists_keep_their_query_count(ops_client, booking, instructor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    f.preflight_complete(booking, by=instructor)
    counts = {}
    for model in MODELS:
        with CaptureQueriesContext(connection) as one:
            ops_client.get(url(model, "changelist"))
        counts[model] = len(one.captured_queries)
    for _ in range(5):
        f.sign_off(booking, TrainingModule.objects.first(), by=instructor)
        f.sign_waiver(booking)
        f.screen(booking, by=instructor)
    for model in MODELS:
        with CaptureQueriesContext(connection) as more:
            ops_client.get(url(model, "changelist"))
        assert len(more.captured_queries) == counts[model], model


def test_operations_sign_off_training_through_the_service(ops_client, booking, instructor, operations):
    module = f.emergency_module(booking.flight.itinerary)
    form = ops_client.get(url(TrainingRecord, "add")).content.decode()
    assert "Pat Q. Tester" in form and 'name="instructor"' in form
    data = {"booking": booking.pk, "module": module.pk, "completed_on": timezone.localdate().isoformat(),
            "hours_attended": "4", "instructor": instructor.pk, "note": "Egress in 38 s."}
    response = ops_client.post(url(TrainingRecord, "add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    record = TrainingRecord.objects.get()
    assert (record.passenger, record.instructor, record.recorded_by, record.note) == (
        booking.user, instructor, operations, "Egress in 38 s.")
    page = ops_client.get(url(TrainingRecord, "change", record.pk)).content.decode()
    assert 'name="hours_attended"' not in page  # read-only once recorded
    assert ops_client.post(url(TrainingRecord, "change", record.pk), {**data, "hours_attended": "9"}).status_code == 403


def test_a_refused_sign_off_shows_the_service_message(ops_client, booking, operations):
    other = f.emergency_module(ItineraryFactory(name="Orbital Station Stay"), name="Centrifuge")
    data = {"booking": booking.pk, "module": other.pk, "completed_on": timezone.localdate().isoformat(),
            "hours_attended": "4", "instructor": operations.pk}
    page = ops_client.post(url(TrainingRecord, "add"), data).content.decode()
    assert "is not training for" in page and "Not a module of this booking&#x27;s itinerary." in page
    assert not TrainingRecord.objects.exists()


def test_operations_record_a_screening_and_a_failure_needs_a_note(ops_client, booking, operations):
    data = {"passenger": booking.user.pk, "flight": booking.flight.pk, "result": "failed", "note": ""}
    page = ops_client.post(url(SecurityScreening, "add"), data).content.decode()
    assert "A failed screening needs a note" in page
    response = ops_client.post(url(SecurityScreening, "add"), {**data, "note": "Lithium batteries over the limit."})
    assert response.status_code == 302
    screening = SecurityScreening.objects.get()
    assert (screening.result, screening.screened_by, screening.booking) == ("failed", operations, booking)


def test_waivers_are_read_only_in_admin(ops_client, booking):
    waiver = f.sign_waiver(booking)
    assert ops_client.get(url(WaiverOfClaims, "add")).status_code == 403
    page = ops_client.get(url(WaiverOfClaims, "change", waiver.pk)).content.decode()
    assert 'name="typed_name"' not in page and waiver.text_sha256 in page
    assert ops_client.post(url(WaiverOfClaims, "change", waiver.pk), {"typed_name": "X"}).status_code == 403


def test_operations_keep_the_syllabus(ops_client, booking):
    data = {"name": "Seat drills", "description": "", "itinerary": booking.flight.itinerary.pk, "regime": "",
            "hours": "2", "position": "3", "is_active": "on"}
    assert ops_client.post(url(TrainingModule, "add"), data).status_code == 302
    module = TrainingModule.objects.get(name="Seat drills")
    page = ops_client.post(url(TrainingModule, "add"), {**data, "name": "Both", "regime": "suborbital"}).content.decode()
    assert "Choose an itinerary or a regime, not both." in page
    assert ops_client.post(url(TrainingModule, "change", module.pk), {**data, "is_active": ""}).status_code == 302
    module.refresh_from_db()
    assert not module.is_active


@pytest.mark.parametrize("who", ["passenger", "surgeon"])
def test_people_without_staff_access_are_refused(client, request, who):
    log_in(client, request.getfixturevalue(who))
    for model in MODELS:
        response = client.get(url(model, "changelist"))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_directors_may_look_but_not_enter(client, director, booking, instructor):
    f.preflight_complete(booking, by=instructor)
    log_in(client, director)
    for model in MODELS:
        assert client.get(url(model, "changelist")).status_code == 200, model
    assert client.get(url(TrainingRecord, "add")).status_code == 403
    assert client.get(url(SecurityScreening, "add")).status_code == 403
