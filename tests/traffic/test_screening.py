"""Our own on-orbit screening as a periodic job: events from the catalog, docked objects excluded, CDMs
supersede it, fail closed on a bad catalog, and the beat's sweep queues and requeues runs."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from flights.catalog import tracked_object_fields
from flights.models import CatalogImport, Flight, Notification, Position, Regime, TrackedObject, Verdict
from flights.readiness import flight_findings
from flights.traffic import screening, services
from flights.traffic.models import (
    ConjunctionEvent,
    ConjunctionUpdate,
    CovarianceState,
    ProtectedObject,
    ScreeningRun,
    Source,
)
from tests.flights.factories import FlightFactory, OrbitalItineraryFactory, VehicleFactory
from tests.orbits.data import requires_data, stations
from tests.orbits.test_orbit_screening import T0, brute_force, planted

pytestmark = [requires_data, pytest.mark.django_db]
START = T0 - dt.timedelta(hours=12)  # the planted objects cross the ISS at T0
ISS = 25544


@pytest.fixture(autouse=True)
def _one_day(settings):
    settings.TRAFFIC_SCREENING_DAYS = 1.0  # T0 is 12 h in; a day keeps each run to a fraction of a second


@pytest.fixture
def flight(db, director):
    return FlightFactory(
        code="ORB-7",
        itinerary=OrbitalItineraryFactory(),
        flight_director=director,
        vehicle=VehicleFactory(model__regime=Regime.ORBITAL, model__name="Crew capsule", model__passenger_seats=4),
        status=Flight.Status.LAUNCHED,
        launched_at=START - dt.timedelta(days=2),
        launch_at=START - dt.timedelta(days=2),
    )


def register(flight, kind, designator, name):
    return ProtectedObject.objects.create(
        flight=flight, kind=kind, designator=designator, name=name, created_at=START - dt.timedelta(days=2)
    )


def station(flight):
    return register(flight, ProtectedObject.Kind.STATION, str(ISS), "ISS")


def vehicle(flight, designator="99001"):
    return register(flight, ProtectedObject.Kind.VEHICLE, designator, "Capsule ORB-7")


def catalog(*elements, imported_at=START):
    for item in elements:
        TrackedObject.objects.update_or_create(norad_id=item.norad_id, defaults=tracked_object_fields(item))
    CatalogImport.objects.create(source="test", started_at=imported_at, finished_at=imported_at)


def run_now(now=START) -> ScreeningRun:
    run = screening.screening_run_request(now=now)
    return screening.screening_run_execute(run_id=run.pk, now=now)


def traffic(flight, now=START):
    return [f for f in flight_findings(flight, now=now) if f.position == Position.TRAFFIC]


def test_a_run_records_the_planted_crossing_as_a_no_covariance_event_with_the_brute_force_tca_and_miss(flight):
    crossing, outside = planted(0.8, 99901, "PLANTED CROSSING"), planted(5.0, 99902, "PLANTED OUTSIDE")
    catalog(*stations().values(), crossing, outside)
    iss = station(flight)
    run = run_now()
    assert (run.status, run.progress_percent, run.objects_screened) == ("done", 100, 1)
    assert (run.approaches_found, run.events_created, run.catalog_size) == (1, 1, 4)
    [event] = ConjunctionEvent.objects.filter(protected=iss)
    tca, miss_km = brute_force(stations()[ISS], crossing, START, 1.0)
    assert event.other_designator == "99901" and event.other_name == "PLANTED CROSSING"
    assert abs((event.tca - tca).total_seconds()) < 1.0
    assert event.miss_distance_m == pytest.approx(miss_km * 1000, abs=5)
    assert (event.source, event.covariance, event.pc, event.tier) == (
        Source.SCREENING,
        CovarianceState.NONE,
        None,
        "yellow",
    )
    [update] = event.updates.all()
    assert update.message_id.startswith(f"SCREENING-{run.pk}-25544-99901-")
    # A new yellow event alerts the flight director at once, through the outbox.
    [alert] = Notification.objects.filter(recipient=flight.flight_director.email)
    assert alert.subject == "YELLOW conjunction: ISS and PLANTED CROSSING"
    assert "no covariance" in alert.body
    entry = run.result_for("25544")
    assert entry["status"] == "screened" and entry["catalog_objects"] == 3 and entry["events_created"] == 1


def test_the_vehicle_and_the_station_it_is_docked_to_are_never_each_others_conjunctions(flight):
    """The vehicle's own catalog entry is planted on a crossing orbit, so geometry alone would make the
    pair an event: docked together, neither is an event against the other."""
    capsule_elements = planted(0.5, 99001, "CAPSULE ORB-7")
    catalog(*stations().values(), capsule_elements)
    iss, capsule = station(flight), vehicle(flight)
    run = run_now()
    assert run.status == "done" and run.objects_screened == 2
    assert not ConjunctionEvent.objects.filter(protected=iss, other_designator="99001").exists()
    assert not ConjunctionEvent.objects.filter(protected=capsule, other_designator=str(ISS)).exists()
    assert run.result_for("25544")["excluded"] == [{"norad_id": 99001, "name": "CAPSULE ORB-7"}]
    assert run.result_for("99001")["excluded"] == [{"norad_id": ISS, "name": "ISS (ZARYA)"}]


def test_the_same_vehicle_flying_free_is_an_event_against_the_station_until_it_docks(flight):
    catalog(*stations().values(), planted(0.5, 99001, "CAPSULE ORB-7"))
    capsule = vehicle(flight)  # no station registered for the flight: not docked
    run_now()
    [event] = ConjunctionEvent.objects.filter(protected=capsule, other_designator=str(ISS))
    station(flight)  # docked now: the next run neither re-assesses that pair nor makes the reverse event
    run_now(START + dt.timedelta(hours=1))
    assert event.updates.count() == 1
    assert list(ConjunctionEvent.objects.values_list("protected__designator", "other_designator")) == [
        ("99001", "25544")
    ]


def test_a_vehicle_docked_but_not_yet_catalogued_is_screened_with_the_stations_elements(flight):
    catalog(*stations().values(), planted(0.8, 99901, "PLANTED CROSSING"))
    iss, capsule = station(flight), vehicle(flight, designator="99001")  # 99001 is not in the catalog
    run = run_now()
    assert run.result_for("99001")["norad_id"] == ISS
    for protected in (iss, capsule):
        assert list(
            ConjunctionEvent.objects.filter(protected=protected).values_list("other_designator", flat=True)
        ) == ["99901"]


def cdm_observation(protected, event, *, pc=2e-4, message_id="CDM-1"):
    return services.Observation(
        source=Source.CDM,
        protected_designator=protected.designator,
        other_designator=event.other_designator,
        other_name=event.other_name,
        tca=event.tca + dt.timedelta(seconds=2),
        miss_distance_m=610.0,
        miss_rtn_m=(600.0, 80.0, 60.0),
        relative_speed_m_s=7800.0,
        pc=pc,
        hbr_m=20.0,
        covariance=CovarianceState.GIVEN,
        pc_method="FOSTER-1992",
        message_id=message_id,
        originator="CARA",
    )


def test_a_cdm_supersedes_screening_results_for_the_same_pair_and_tca(flight):
    catalog(*stations().values(), planted(0.8, 99901, "PLANTED CROSSING"))
    iss = station(flight)
    run_now()
    [event] = ConjunctionEvent.objects.all()
    services.observation_record(observation=cdm_observation(iss, event), now=START + dt.timedelta(minutes=30))
    event.refresh_from_db()
    assert (event.source, event.tier, event.pc) == (Source.CDM, "red", 2e-4)  # the CDM applies over the screening
    later = run_now(START + dt.timedelta(hours=1))
    event.refresh_from_db()
    assert (event.source, event.tier, event.pc, event.miss_distance_m) == (Source.CDM, "red", 2e-4, 610.0)
    newest = event.updates.order_by("-received_at", "-id").first()
    assert newest.source == Source.SCREENING and newest.superseded  # kept, not used
    assert later.result_for("25544")["superseded"] == 1
    assert ConjunctionEvent.objects.count() == 1


def test_a_screening_run_after_a_cdm_for_the_pair_is_superseded_from_the_start(flight):
    catalog(*stations().values(), planted(0.8, 99901, "PLANTED CROSSING"))
    iss = station(flight)
    first = run_now()
    event = ConjunctionEvent.objects.get()
    ConjunctionUpdate.objects.filter(event=event).delete()  # as if only the CDM had ever been received
    ConjunctionEvent.objects.filter(pk=event.pk).update(source=Source.CDM)
    services.observation_record(observation=cdm_observation(iss, event, pc=3e-7), now=START)
    assert first.status == "done"
    run_now(START + dt.timedelta(hours=1))
    event.refresh_from_db()
    assert (event.source, event.pc, event.tier) == (Source.CDM, 3e-7, "green")
    assert [u.superseded for u in event.updates.order_by("received_at", "id")] == [False, True]


def test_an_event_the_next_run_no_longer_finds_inside_the_volume_is_updated(flight):
    catalog(*stations().values(), planted(0.8, 99901, "PLANTED"))
    station(flight)
    run_now()
    # New elements for the object: it now passes 5 km above the station (the box is +-2 km radial).
    catalog(planted(5.0, 99901, "PLANTED"), imported_at=START + dt.timedelta(hours=1))
    run = run_now(START + dt.timedelta(hours=1))
    event = ConjunctionEvent.objects.get()
    assert event.tier == "green" and event.miss_r_m == pytest.approx(5000, abs=100)
    assert event.updates.count() == 2 and run.result_for("25544")["events_updated"] == 1


@pytest.mark.parametrize(
    ("imported", "reason"),
    [(None, "The tracked-object catalog is empty"), (START - dt.timedelta(hours=30), "30 h ago")],
)
def test_an_empty_or_stale_catalog_fails_the_run_and_makes_traffic_no_go(flight, imported, reason):
    if imported is not None:
        catalog(*stations().values(), planted(0.8, 99901, "PLANTED"), imported_at=imported)
    station(flight)
    run = run_now()
    assert run.status == "failed" and reason in run.error and run.finished_at is not None
    assert not ConjunctionEvent.objects.exists()
    [finding] = traffic(flight, now=START + dt.timedelta(minutes=5))
    assert (
        finding.verdict == Verdict.NO_GO and "last on-orbit screening" in finding.message and reason in finding.message
    )


def test_a_protected_object_missing_from_the_catalog_is_not_screened_and_traffic_is_no_go(flight):
    catalog(*stations().values())
    vehicle(flight, designator="99555")
    run = run_now()
    assert run.status == "done" and run.objects_screened == 0
    [entry] = run.unscreened
    assert "not in the tracked-object catalog" in entry["reason"]
    [finding] = traffic(flight, now=START + dt.timedelta(minutes=5))
    assert finding.verdict == Verdict.NO_GO and "could not be screened" in finding.message


def test_protected_elements_too_old_are_not_screened(flight, settings):
    catalog(*stations().values(), imported_at=START + dt.timedelta(days=9))
    station(flight)
    run = run_now(START + dt.timedelta(days=9))
    assert "days old" in run.unscreened[0]["reason"]


def test_traffic_needs_a_current_screening(flight, settings):
    catalog(*stations().values())
    station(flight)
    [finding] = traffic(flight)
    assert finding.verdict == Verdict.NO_GO and "No on-orbit screening finished" in finding.message
    run_now()
    assert [f.verdict for f in traffic(flight, now=START + dt.timedelta(minutes=5))] == [Verdict.GO]
    stale_at = START + dt.timedelta(hours=settings.TRAFFIC_SCREENING_MAX_AGE_HOURS, minutes=5)
    [finding] = traffic(flight, now=stale_at)
    assert finding.verdict == Verdict.NO_GO and "last " in finding.message


def test_a_flight_just_launched_waits_for_the_next_run(flight):
    Flight.objects.filter(pk=flight.pk).update(launched_at=START - dt.timedelta(hours=1))
    flight.refresh_from_db()
    station(flight)
    assert [f.verdict for f in traffic(flight)] == [Verdict.GO]


def test_running_a_run_twice_records_nothing_twice(flight):
    catalog(*stations().values(), planted(0.8, 99901, "PLANTED"))
    station(flight)
    run = run_now()
    again = screening.screening_run_execute(run_id=run.pk, now=START)
    assert again.finished_at == run.finished_at and ConjunctionUpdate.objects.count() == 1
    run_now(START + dt.timedelta(hours=8))  # the next run: a new update of the same event (its trend)
    assert ConjunctionEvent.objects.count() == 1 and ConjunctionUpdate.objects.count() == 2


@pytest.fixture
def sent(monkeypatch):
    """The runs the services hand to the broker (after commit)."""
    from flights.traffic import tasks

    ids = []
    monkeypatch.setattr(tasks.run_orbit_screening, "delay", lambda pk: ids.append(pk))
    return ids


def test_the_sweep_queues_a_run_every_interval_and_requeues_a_stalled_one(
    settings, sent, django_capture_on_commit_callbacks
):
    settings.TRAFFIC_SCREENING_INTERVAL_HOURS = 8
    with django_capture_on_commit_callbacks(execute=True):
        first = screening.screening_sweep(now=START)
        assert screening.screening_sweep(now=START + dt.timedelta(minutes=1))["queued"] is None  # one at a time
    assert sent == [first["queued"]]
    ScreeningRun.objects.filter(pk=first["queued"]).update(status="done", finished_at=START + dt.timedelta(minutes=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert screening.screening_sweep(now=START + dt.timedelta(hours=7, minutes=59))["queued"] is None  # not due
        second = screening.screening_sweep(now=START + dt.timedelta(hours=8))["queued"]
    assert second and sent == [first["queued"], second]
    stalled_at = START + dt.timedelta(hours=8, seconds=settings.JOB_STALE_AFTER_SECONDS + 1)
    ScreeningRun.objects.filter(pk=second).update(status="running", heartbeat_at=START + dt.timedelta(hours=8))
    with django_capture_on_commit_callbacks(execute=True):
        assert screening.screening_sweep(now=stalled_at) == {"requeued": 1, "failed": 0, "queued": None}
    assert sent == [first["queued"], second, second]
    assert ScreeningRun.objects.get(pk=second).attempts == 2


def test_a_second_request_while_one_runs_is_refused():
    screening.screening_run_request(now=START)
    with pytest.raises(screening.ScreeningRefused, match="already queued"):
        screening.screening_run_request(now=START)


def test_the_command_runs_a_screening_now_and_fails_with_the_reason(flight):
    station(flight)
    with pytest.raises(CommandError, match="catalog is empty"):
        call_command("screen_orbits")
    out = io.StringIO()
    ScreeningRun.objects.update(status="failed")
    TrackedObject.objects.all().delete()
    fresh = planted(0.0, ISS, "ISS (ZARYA)", angle_deg=0.0, at=dt.datetime.now(dt.UTC))
    catalog(fresh, imported_at=dt.datetime.now(dt.UTC))
    call_command("screen_orbits", stdout=out)
    assert "1 protected objects screened" in out.getvalue() and "ISS (ORB-7): 0 catalog objects" in out.getvalue()
