"""Our own on-orbit screening as a periodic job: events from the catalog, docked objects excluded, CDMs
supersede it, fail closed on a bad catalog, and the beat's sweep queues and requeues runs."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import math

import numpy as np
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
from tests.flights.factories import FlightFactory, ItineraryFactory, OrbitalItineraryFactory, VehicleFactory
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


def test_a_flight_just_launched_is_no_go_until_a_run_screens_it(flight):
    catalog(*stations().values())
    Flight.objects.filter(pk=flight.pk).update(launched_at=START - dt.timedelta(hours=1))
    flight.refresh_from_db()
    station(flight)
    [finding] = traffic(flight)
    assert finding.verdict == Verdict.NO_GO and "ORB-7 (launched " in finding.message
    assert "is not screened on orbit" in finding.message and "No run is queued" in finding.message
    run_now()
    assert [f.verdict for f in traffic(flight, now=START + dt.timedelta(minutes=5))] == [Verdict.GO]


def test_an_object_registered_after_the_last_run_is_no_go_and_its_registration_queues_a_run(
    flight, sent, django_capture_on_commit_callbacks
):
    catalog(*stations().values())
    station(flight)
    first = run_now()
    with django_capture_on_commit_callbacks(execute=True):  # registered after the run: a run is queued on commit
        capsule = ProtectedObject.objects.create(
            flight=flight, kind=ProtectedObject.Kind.VEHICLE, designator="99001", name="Capsule ORB-7",
            created_at=START + dt.timedelta(minutes=1),
        )
    [queued] = ScreeningRun.objects.filter(status="queued")
    assert sent == [queued.pk]
    [finding] = traffic(flight, now=START + dt.timedelta(minutes=5))
    assert finding.verdict == Verdict.NO_GO and finding.message.startswith(f"{capsule.name} is not yet screened on orbit")
    assert f"Run {queued.pk} is queued" in finding.message
    ScreeningRun.objects.filter(pk=queued.pk).delete()
    # Registered while a run is going (not in it): the sweep queues the next one at once, not an interval later.
    ScreeningRun.objects.filter(pk=first.pk).update(span_start=START + dt.timedelta(minutes=10))
    late = register(flight, ProtectedObject.Kind.VEHICLE, "99002", "Capsule ORB-7 B")
    ProtectedObject.objects.filter(pk=late.pk).update(created_at=START + dt.timedelta(minutes=20))
    with django_capture_on_commit_callbacks(execute=True):
        assert screening.screening_sweep(now=START + dt.timedelta(minutes=30))["queued"]
        assert screening.screening_sweep(now=START + dt.timedelta(minutes=31))["queued"] is None  # one at a time


def test_liftoff_of_an_orbital_flight_queues_a_run_and_a_suborbital_one_does_not(
    director, operations, sent, django_capture_on_commit_callbacks
):
    from flights import services as flight_services

    def launched(regime, code):
        flight = FlightFactory(
            code=code, itinerary=OrbitalItineraryFactory() if regime == Regime.ORBITAL else ItineraryFactory(),
            vehicle=VehicleFactory(model__regime=regime), flight_director=director, launch_at=START,
            status=Flight.Status.READY,
        )
        with django_capture_on_commit_callbacks(execute=True):
            flight_services.flight_launch(flight=flight, by=operations, at=START, now=START)

    launched(Regime.SUBORBITAL, "SUB-1")
    assert sent == [] and not ScreeningRun.objects.exists()
    launched(Regime.ORBITAL, "ORB-8")
    [run] = ScreeningRun.objects.all()
    assert sent == [run.pk] and run.status == "queued"


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


# -- What a run cannot clear is WAIVABLE, naming the objects ---------------------------------------------------------

T1 = T0 + dt.timedelta(days=20)


def fresh_iss(at):
    """The ISS with elements of epoch `at` (stations() elements would be too old to screen with by then)."""
    return planted(0.0, ISS, "ISS (ZARYA)", angle_deg=0.0, at=at)


def ahead_in_track(base, km, *, at, angle_deg, norad_id, name):
    """An object at `at` where `base` will be `km` further along its track, crossing its path at `angle_deg`."""
    from flights.orbits.fit import element_set_through
    from flights.orbits.frames import julian_date

    speed = 7.66
    _, r, v = base.satrec().sgp4(*julian_date(at + dt.timedelta(seconds=km / speed)))
    r, v = np.array(r), np.array(v)
    radial, angle = r / np.linalg.norm(r), math.radians(angle_deg)
    v_rot = v * math.cos(angle) + np.cross(radial, v) * math.sin(angle)
    return element_set_through(r, v_rot, at, norad_id=norad_id, name=name)


def aged(elements, days):
    """The same object described by elements `days` older (fitted through its SGP4 state then)."""
    from tests.orbits.test_screening_fail_closed import aged as fitted

    return dataclasses.replace(fitted(elements, days, elements.norad_id), name=elements.name)


def test_twenty_day_old_elements_40_km_in_track_are_uncertain_not_a_miss_and_waivable(flight, settings):
    settings.TRAFFIC_SCREENING_DAYS = 0.02  # the crossing at T1 only (the pair meets again each half revolution)
    start = T1 - dt.timedelta(minutes=10)
    iss = fresh_iss(start)
    nominal = ahead_in_track(iss, 40.0, at=T1, angle_deg=20.0, norad_id=99950, name="COSMOS 2251 DEB (STALE)")
    stale = aged(nominal, 20.0)
    catalog(iss, stale, imported_at=start)
    Flight.objects.filter(pk=flight.pk).update(launched_at=start - dt.timedelta(days=2))
    station(flight)
    run = run_now(start)
    assert run.status == "done" and not ConjunctionEvent.objects.exists()  # outside the box: no event
    [finding] = traffic(flight, now=start + dt.timedelta(minutes=5))
    assert finding.verdict == Verdict.WAIVABLE and finding.key.startswith("traffic.conjunctions.uncertain-")
    assert "COSMOS 2251 DEB (STALE) (99950, " in finding.message and "not known to miss" in finding.message
    [closest] = run.result_for(str(ISS))["uncertain"]
    assert closest["norad_id"] == 99950 and 19.5 < closest["element_age_days"] <= 20.5
    assert 38.0 < closest["miss_km"] < 41.0 and abs(closest["miss_rtn_km"][1]) > 25.0  # in-track, beyond the box
    assert closest["allowance_km"] == pytest.approx(2.0 * closest["element_age_days"], abs=0.2)


def test_stale_protected_elements_pad_the_volume_too(flight):
    """The station's own elements 6.8 days old at the start are 7.8 at the end: past the limit, so a miss just
    outside the box late in the span is uncertain; with fresh station elements it is a miss."""
    start = T1 - dt.timedelta(hours=12)
    iss = fresh_iss(start)
    passer = planted(3.0, 99951, "PASSER", at=T1, base=iss)  # 3 km above: outside the +-2 km radial box
    station(flight)
    catalog(iss, passer, imported_at=start)
    entry = run_now(start).result_for(str(ISS))
    assert entry["uncertain"] == [] and entry["approaches_found"] == 0
    old_iss = aged(fresh_iss(start + dt.timedelta(days=6.8)), 6.8)  # epoch = start, as seen 6.8 days later
    later = start + dt.timedelta(days=6.8)
    catalog(old_iss, planted(3.0, 99951, "PASSER", at=later + dt.timedelta(hours=20), base=old_iss), imported_at=later)
    entry = run_now(later).result_for(str(ISS))
    assert [f.verdict for f in traffic(flight, now=later + dt.timedelta(minutes=5))] == [Verdict.WAIVABLE]
    doubt = min(entry["uncertain"], key=lambda u: u["miss_km"])  # the planted pass (and the next revolutions')
    assert doubt["norad_id"] == 99951 and doubt["element_age_days"] == 0.0
    assert 7.0 < doubt["protected_element_age_days"] < 7.8 and doubt["miss_km"] == pytest.approx(3.0, abs=0.1)


def broken(norad_id, name, **fields):
    from flights.orbits.element_set import ElementSet

    values = {
        "norad_id": norad_id, "name": name, "epoch": START, "inclination_deg": 51.6, "raan_deg": 0.0,
        "eccentricity": 0.0, "arg_perigee_deg": 0.0, "mean_anomaly_deg": 0.0, "mean_motion_rev_per_day": 15.5,
        "bstar": 50.0,  # a drag term so large that SGP4 gives up (error 1)
    }
    return ElementSet(**{**values, **fields})


def test_unpropagatable_objects_in_the_band_are_waivable_decayed_ones_only_listed(flight):
    catalog(
        *stations().values(),
        broken(99100, "BROKEN DEB"),
        # Perigee underground: SGP4 says decayed (error 6); re-entered, it closes nothing.
        broken(99121, "PLUNGING DEB", eccentricity=0.07, bstar=0.0, epoch=START - dt.timedelta(days=0.5)),
        broken(99122, "HIGH BROKEN", mean_motion_rev_per_day=11.0, bstar=5e4),  # far above: never propagated
    )
    station(flight)
    entry = run_now().result_for(str(ISS))
    [finding] = traffic(flight, now=START + dt.timedelta(minutes=5))
    assert finding.verdict == Verdict.WAIVABLE and "SGP4 cannot propagate 1 catalog objects" in finding.message
    assert "BROKEN DEB (99100, SGP4 error 1)" in finding.message and "PLUNGING" not in finding.message
    assert [(o["norad_id"], o["error_code"], o["decayed"]) for o in entry["failed_objects"]] == [
        (99100, 1, False), (99121, 6, True)
    ]


def test_an_attached_object_not_ours_is_waivable_and_the_director_waives_it_at_a_return_step(flight, director):
    from flights.readiness import waiver_grant

    catalog(*stations().values(), planted(0.005, 99960, "ISS DEB (SHED)", angle_deg=0.0, at=START),
            planted(0.005, 99001, "CAPSULE ORB-7", angle_deg=0.0, at=START))
    station(flight)
    vehicle(flight)  # the capsule moves with the station too: ours, excluded, never named
    run = run_now()
    assert [o["norad_id"] for o in run.result_for(str(ISS))["attached"]] == [99960]
    assert not ConjunctionEvent.objects.exists()
    now = START + dt.timedelta(minutes=5)
    doubts = [f for f in traffic(flight, now=now) if f.verdict != Verdict.GO]
    assert [f.verdict for f in doubts] == [Verdict.WAIVABLE] * 2  # one per protected object: station, capsule
    assert all("ISS DEB (SHED) (99960, at most" in f.message and "CAPSULE" not in f.message for f in doubts)
    assert "not debris shed or a satellite deployed" in doubts[0].message
    for finding in doubts:
        waiver_grant(flight=flight, check_key=finding.key, reason="Ground confirms: bag of tools jettisoned on EVA 12, "
                     "tracked by the station's crew", by=director, now=now)
    waived = [f for f in traffic(flight, now=now) if f.key in {d.key for d in doubts}]
    assert [(f.verdict, f.waived_by) for f in waived] == [(Verdict.GO, "Dana Tester")] * 2
    assert "EVA 12" in waived[0].waiver_reason
    # A second object attached next time is a new set: the waivers do not cover it.
    catalog(planted(0.004, 99961, "ISS DEB 2 (SHED)", angle_deg=0.0, at=START), imported_at=START)
    run_now(START + dt.timedelta(minutes=10))
    again = [f for f in traffic(flight, now=START + dt.timedelta(minutes=15)) if f.verdict != Verdict.GO]
    assert len(again) == 2 and all(f.verdict == Verdict.WAIVABLE and "99961" in f.message for f in again)
    assert not {f.key for f in again} & {d.key for d in doubts}
