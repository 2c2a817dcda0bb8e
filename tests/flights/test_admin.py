"""Operations staff run the fleet in admin; passengers never get in; nothing can be hard-deleted."""


import pytest
from django.contrib import admin
from django.urls import reverse

from flights import demo, roles
from flights.catalog import catalog_import_text
from flights.models import Flight, Vehicle
from tests.shared_data import STATIONS, stations_text
from tests.twofactor import log_in

APPS = ("flights", "verification", "tourism", "medical", "preflight")
pytestmark = pytest.mark.django_db


def registered_models():
    # Private medical content is not for operations at all (tests/medical/test_admin.py covers it).
    return [
        model for model in admin.site._registry
        if model._meta.app_label in APPS and model._meta.label_lower not in roles.PRIVATE_MODELS
    ]




@pytest.fixture
def demo_data(operations, django_capture_on_commit_callbacks):
    # The catalog comes from a GP feed in production; the demo's window computations run on commit.
    catalog_import_text(text=stations_text(), source=str(STATIONS))
    with django_capture_on_commit_callbacks(execute=True):
        demo.load()


def admin_url(model, page, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


def test_every_model_of_the_three_apps_is_in_admin():
    names = {m._meta.label for m in registered_models()}
    assert {"flights.Spaceport", "flights.VehicleModel", "flights.Vehicle", "flights.Itinerary", "flights.Flight",
            "flights.MaintenanceRecord"} <= names


def test_operations_reach_changelist_add_and_change_of_every_model(client, operations, demo_data):
    log_in(client, operations)
    for model in registered_models():
        model_admin = admin.site._registry[model]
        assert client.get(admin_url(model, "changelist")).status_code == 200, model
        if model_admin.has_add_permission(type("R", (), {"user": operations})()):
            assert client.get(admin_url(model, "add")).status_code == 200, model
        obj = model._default_manager.first()
        assert obj is not None, f"demo data has no {model._meta.label} to open"
        assert client.get(admin_url(model, "change", obj.pk)).status_code == 200, model
        assert client.get(admin_url(model, "history", obj.pk)).status_code == 200, model


def test_changelists_search_and_filter(client, operations, demo_data):
    log_in(client, operations)
    response = client.get(admin_url(Flight, "changelist"), {"q": "NS-4", "status__exact": "scheduled"})
    assert response.status_code == 200
    assert b"NS-41" in response.content and b"VG-12" not in response.content


@pytest.mark.parametrize("who", ["passenger", "surgeon", "anonymous"])
def test_people_without_staff_access_are_refused(client, who, request, demo_data):
    if who != "anonymous":
        log_in(client, request.getfixturevalue(who))
    for model in registered_models():
        obj = model._default_manager.first()
        for url in (admin_url(model, "changelist"), admin_url(model, "add"), admin_url(model, "change", obj.pk)):
            response = client.get(url)
            assert response.status_code == 302 and "/admin/login/" in response["Location"], url


def test_director_may_look_but_not_change(client, director, demo_data):
    log_in(client, director)
    flight = Flight.objects.first()
    assert client.get(admin_url(Flight, "changelist")).status_code == 200
    response = client.post(admin_url(Flight, "change", flight.pk), {"code": "HACKED"})
    assert response.status_code == 403
    assert client.get(admin_url(Flight, "add")).status_code == 403


def test_no_hard_delete_anywhere_in_admin(client, operations, demo_data):
    log_in(client, operations)
    for model in registered_models():
        obj = model._default_manager.first()
        assert client.get(admin_url(model, "delete", obj.pk)).status_code == 403, model
        response = client.post(admin_url(model, "changelist"), {"action": "delete_selected", "_selected_action": [obj.pk]})
        assert model._default_manager.filter(pk=obj.pk).exists(), model
        assert response.status_code in (200, 302)


def test_status_is_read_only_and_changes_through_actions(client, operations, demo_data):
    log_in(client, operations)
    vehicle = Vehicle.objects.get(serial="NS-RSS1")
    page = client.get(admin_url(Vehicle, "change", vehicle.pk)).content.decode()
    assert 'name="status"' not in page
    response = client.post(
        admin_url(Vehicle, "changelist"),
        {"action": "action_vehicle_ground", "_selected_action": [vehicle.pk], "reason": "Parachute anomaly on NS-40"},
        follow=True,
    )
    assert "Ground selected vehicles: 1 done." in response.content.decode()
    vehicle.refresh_from_db()
    assert (vehicle.status, vehicle.status_reason, vehicle.status_changed_by) == (
        "grounded", "Parachute anomaly on NS-40", operations,
    )


def test_action_without_reason_is_refused_with_a_message(client, operations, demo_data):
    log_in(client, operations)
    vehicle = Vehicle.objects.get(serial="NS-RSS1")
    response = client.post(
        admin_url(Vehicle, "changelist"),
        {"action": "action_vehicle_ground", "_selected_action": [vehicle.pk], "reason": ""},
        follow=True,
    )
    assert "give a reason in the Reason box" in response.content.decode()
    vehicle.refresh_from_db()
    assert vehicle.status == "active"


def test_refused_action_shows_the_service_message(client, operations, demo_data):
    log_in(client, operations)
    flight = Flight.objects.get(code="NS-41")
    response = client.post(
        admin_url(Flight, "changelist"),
        {"action": "action_flight_schedule", "_selected_action": [flight.pk]},
        follow=True,
    )
    assert "NS-41: Cannot schedule flight NS-41: it is scheduled." in response.content.decode()
