import datetime as dt

import pytest
from django.apps import apps
from django.core.management import call_command

from flights.models import Flight

pytestmark = pytest.mark.django_db


def snapshot():
    rows = {}
    for app_label in ("flights", "traffic", "verification", "tourism", "auth"):
        for model in apps.get_app_config(app_label).get_models():
            if model._meta.label.startswith("flights.Historical") or model.__name__.startswith("Historical"):
                continue
            rows[model._meta.label] = sorted(model._default_manager.values_list("pk", flat=True))
    return rows


def traffic_figures():
    """The demo's conjunctions and return steps as a person sees them: a second load must not move them."""
    from flights.models import CountdownMilestone
    from flights.traffic.models import ConjunctionDecision, ConjunctionEvent, ConjunctionUpdate

    return (
        list(ConjunctionEvent.objects.order_by("pk").values_list("pk", "tca", "tier", "pc", "miss_distance_m", "status")),
        list(ConjunctionUpdate.objects.order_by("pk").values_list("pk", "message_id", "received_at", "pc")),
        list(ConjunctionDecision.objects.order_by("pk").values_list("pk", "kind", "signed_at")),
        list(CountdownMilestone.objects.filter(phase="return").order_by("pk").values_list("pk", "due_at", "status")),
    )


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
    flights_first = list(Flight.objects.values_list("code", "launch_at", "status", "landing_planned_at"))
    traffic_first = traffic_figures()
    call_command("load_demo")
    assert snapshot() == first
    assert list(Flight.objects.values_list("code", "launch_at", "status", "landing_planned_at")) == flights_first
    assert traffic_figures() == traffic_first
    out = capsys.readouterr().out
    assert "password: " in out and "ops" in out and "Flight Director" in out


def test_demo_has_real_places_and_upcoming_scheduled_flights():
    call_command("load_demo")
    upcoming = Flight.objects.filter(status="scheduled")
    assert upcoming.count() >= 5
    codes = set(upcoming.values_list("spaceport__code", flat=True))
    assert {"wtx", "spa", "ksc"} <= codes


def test_demo_has_a_flight_in_orbit_with_its_return_and_labelled_demo_conjunctions():
    from flights.traffic.models import ConjunctionEvent

    call_command("load_demo")
    in_orbit = Flight.objects.get(code="AX-8")
    assert in_orbit.status == "launched" and in_orbit.landing_planned_at == in_orbit.launched_at + dt.timedelta(days=10)
    steps = list(in_orbit.milestones.filter(phase="return").values_list("key", "status"))
    assert steps == [("undocking", "pending"), ("deorbit-burn", "pending"), ("landing", "pending")]
    events = {e.tier: e for e in ConjunctionEvent.objects.filter(protected__flight=in_orbit)}
    assert set(events) == {"red", "yellow", "green"}
    red = events["red"]
    assert red.other_name.endswith("(DEMO)") and red.protected.designator == "25544" and "DEMO" in red.protected.name
    assert not red.decisions.exists() and red.updates.count() == 3
    assert all("load_demo" in u.cdm_text and u.originator == "DEMO" for u in red.updates.all())
    # The Pc climbed yellow -> red as the covariances shrank; the CDMs are real ones the export can send back.
    assert [u.tier for u in red.updates.order_by("received_at")] == ["yellow", "red", "red"]
    assert events["yellow"].decisions.get().kind == "monitor"
