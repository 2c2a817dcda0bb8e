import pytest
from django.apps import apps
from django.core.management import call_command

from flights.models import Flight

pytestmark = pytest.mark.django_db


def snapshot():
    rows = {}
    for app_label in ("flights", "verification", "tourism", "auth"):
        for model in apps.get_app_config(app_label).get_models():
            if model._meta.label.startswith("flights.Historical") or model.__name__.startswith("Historical"):
                continue
            rows[model._meta.label] = sorted(model._default_manager.values_list("pk", flat=True))
    return rows


def test_load_demo_twice_leaves_the_same_rows(capsys, django_capture_on_commit_callbacks):
    import socket

    from flights.models import WindowComputation
    from tests.workers import app_broker_at

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        nowhere = f"redis://127.0.0.1:{probe.getsockname()[1]}/0"
    with app_broker_at(nowhere), django_capture_on_commit_callbacks(execute=True):  # a fresh machine: no broker
        call_command("load_demo")
    # Computed in-process, not left queued for a worker that may never come.
    assert not WindowComputation.objects.filter(status__in=["queued", "running"]).exists()
    assert WindowComputation.objects.filter(status="done").exists()
    first = snapshot()
    flights_first = list(Flight.objects.values_list("code", "launch_at", "status"))
    call_command("load_demo")
    assert snapshot() == first
    assert list(Flight.objects.values_list("code", "launch_at", "status")) == flights_first
    out = capsys.readouterr().out
    assert "password: " in out and "ops" in out and "Flight Director" in out


def test_demo_has_real_places_and_upcoming_scheduled_flights():
    call_command("load_demo")
    upcoming = Flight.objects.filter(status="scheduled")
    assert upcoming.count() >= 5
    codes = set(upcoming.values_list("spaceport__code", flat=True))
    assert {"wtx", "spa", "ksc"} <= codes
