"""The launch chain fails closed on space traffic (issue 12): uncertain objects close and name themselves in
the Traffic position, decayed ones are listed, and an empty or old catalog stops GO with its reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from flights import catalog
from flights.launch_windows import (
    CLOSURES_DEADLINE_BEFORE_OPEN,
    CLOSURES_MAX_AGE_AT_OPEN,
    flight_window_status,
)
from flights.models import CatalogImport, Position, TrackedObject, WindowComputation
from flights.orbits.element_set import ElementSet
from flights.readiness import flight_findings
from tests.flights import test_launch_windows
from tests.flights.factories import FlightFactory, OrbitalItineraryFactory, VehicleFactory, VehicleModelFactory
from tests.flights.test_launch_windows import STATIONS, import_stations, needs_data

# The launch-window tests' fixtures: a Kennedy spaceport, a flight to the ISS plane, a computation run on commit.
compute, iss_flight, ksc = test_launch_windows.compute, test_launch_windows.iss_flight, test_launch_windows.ksc

pytestmark = [pytest.mark.django_db, needs_data]


def plant_elements(flight, **fields) -> ElementSet:
    values = {
        "norad_id": 99200, "name": "BROKEN", "epoch": flight.launch_at - dt.timedelta(hours=6),
        "inclination_deg": 51.6, "raan_deg": 0.0, "eccentricity": 0.0, "arg_perigee_deg": 0.0,
        "mean_anomaly_deg": 0.0, "mean_motion_rev_per_day": 16.2, "bstar": 50.0,
    }
    return ElementSet(**{**values, **fields})


def add_object(elements: ElementSet) -> None:
    TrackedObject.objects.create(norad_id=elements.norad_id, **catalog.tracked_object_fields(elements))


def traffic(flight, now):
    return [f for f in flight_findings(flight, now=now) if f.position == Position.TRAFFIC]


def no_go_keys(flight, now):
    return {f.key for f in traffic(flight, now) if not f.is_go}


def test_an_object_that_fails_propagation_in_the_corridor_closes_the_span_and_traffic_is_no_go(iss_flight, compute):
    import_stations()
    add_object(plant_elements(iss_flight))  # 220 km circular, in the flight's band; SGP4 gives up on its drag term (error 1)
    computation = compute(iss_flight)
    assert computation.status == "done", computation.error
    window = iss_flight.launch_windows.first()
    closures = list(window.closures.filter(norad_id=99200))
    assert [(c.rule, c.starts_at, c.ends_at) for c in closures] == [("unpropagatable_band", window.opens_at, window.closes_at)]
    (uncertain,) = [u for u in computation.uncertain_objects if u["norad_id"] == 99200]
    assert uncertain["reason"] == "propagation_failed" and uncertain["closes_span"]
    assert computation.object_counts["unpropagatable"] == 1

    liftoff = window.in_plane_at.replace(microsecond=0)
    iss_flight.launch_at = liftoff
    iss_flight.save(update_fields=["launch_at"])
    computation.flight_launch_at = liftoff
    computation.save(update_fields=["flight_launch_at"])
    now = liftoff - dt.timedelta(hours=1)
    findings = {f.key: f for f in traffic(iss_flight, now)}
    assert not findings["traffic.uncertain_objects"].is_go
    assert "99200 BROKEN" in findings["traffic.uncertain_objects"].message
    assert "SGP4 error 1" in findings["traffic.uncertain_objects"].message
    assert not findings["traffic.closures"].is_go  # the closure check stays
    assert any("cannot be propagated" in p for p in flight_window_status(iss_flight, now=now).problems)


def test_a_decayed_object_closes_nothing_and_is_listed(iss_flight, compute):
    import_stations()
    add_object(plant_elements(iss_flight, norad_id=99201, name="DOWN", mean_motion_rev_per_day=17.5, bstar=0.0))
    computation = compute(iss_flight)
    assert computation.status == "done", computation.error
    assert [d["norad_id"] for d in computation.decayed_objects] == [99201]
    assert "SGP4 error 6" in computation.decayed_objects[0]["message"]
    assert not iss_flight.launch_windows.filter(closures__norad_id=99201).exists()
    assert computation.uncertain_objects == [] and computation.object_counts["decayed"] == 1
    window = iss_flight.launch_windows.first()
    now = window.opens_at - dt.timedelta(hours=1)
    iss_flight.launch_at = window.in_plane_at.replace(microsecond=0)
    iss_flight.save(update_fields=["launch_at"])
    WindowComputation.objects.filter(pk=computation.pk).update(flight_launch_at=iss_flight.launch_at)
    assert no_go_keys(iss_flight, now) == set()


def test_an_empty_catalog_stops_go_with_its_reason(iss_flight, compute):
    # No target plane to find: the window needs no catalog entry, only the screening does.
    free = FlightFactory(
        code="AX-10", itinerary=OrbitalItineraryFactory(target_norad_id=None), spaceport=iss_flight.spaceport,
        vehicle=iss_flight.vehicle, launch_at=iss_flight.launch_at,
    )
    computation = compute(free, days=1)
    assert computation.status == "failed"
    assert "The tracked-object catalog is empty" in computation.error
    # Closures computed from a catalog that has since been emptied: NO-GO, saying why.
    import_stations()
    computation = compute(iss_flight)
    assert computation.status == "done", computation.error
    now = iss_flight.launch_at - dt.timedelta(hours=1)
    assert "traffic.catalog_age" not in no_go_keys(iss_flight, now)
    TrackedObject.objects.all().delete()
    (finding,) = [f for f in traffic(iss_flight, now) if f.key == "traffic.catalog_age"]
    assert not finding.is_go and "catalog is empty" in finding.message


def test_a_three_day_old_catalog_stops_go_with_its_reason(iss_flight, compute):
    three_days_ago = timezone.now() - dt.timedelta(days=3)
    catalog.catalog_import_text(text=STATIONS.read_text(), source=str(STATIONS), now=three_days_ago)
    computation = compute(iss_flight)
    assert computation.status == "failed"
    assert "72 h ago (limit 24 h): refresh it before screening" in computation.error

    CatalogImport.objects.update(finished_at=timezone.now())
    computation = compute(iss_flight)
    assert computation.status == "done", computation.error
    now = iss_flight.launch_at - dt.timedelta(hours=1)
    assert not no_go_keys(iss_flight, now) & {"traffic.catalog", "traffic.catalog_age"}
    # On launch day the catalog is three days old: NO-GO, with its age.
    CatalogImport.objects.update(finished_at=now - dt.timedelta(days=3))
    (finding,) = [f for f in traffic(iss_flight, now) if f.key == "traffic.catalog_age"]
    assert not finding.is_go and "72 h ago (limit 24 h)" in finding.message
    # And closures computed from a catalog that was already old then do not count either.
    WindowComputation.objects.filter(pk=computation.pk).update(
        catalog_imported_at=computation.finished_at - dt.timedelta(days=3))
    (finding,) = [f for f in traffic(iss_flight, now) if f.key == "traffic.catalog"]
    assert not finding.is_go and "computed from a catalog 72 h old" in finding.message


def test_closures_freshness_is_a_maximum_age_at_window_open_a_deadline_and_a_slip(iss_flight, compute):
    import_stations()
    compute(iss_flight)
    window = iss_flight.launch_windows.first()
    at = window.in_plane_at.replace(microsecond=0)
    iss_flight.launch_at = at
    iss_flight.save(update_fields=["launch_at"])
    WindowComputation.objects.filter(flight=iss_flight).update(flight_launch_at=at)
    # Computed 13 h before the window opens: too old when it opens (at most 12 h).
    window.closures_computed_at = window.opens_at - CLOSURES_MAX_AGE_AT_OPEN - dt.timedelta(hours=1)
    window.save(update_fields=["closures_computed_at"])
    early = flight_window_status(iss_flight, now=window.opens_at - dt.timedelta(hours=5))
    assert not early.closures_current and early.ok  # before the 3 h deadline: a warning, not a NO-GO
    late = flight_window_status(iss_flight, now=window.opens_at - CLOSURES_DEADLINE_BEFORE_OPEN)
    assert not late.ok and "13.0 h old when the window opens (at most 12 h" in late.problems[0]
    # 11 h before the window opens: current.
    window.closures_computed_at = window.opens_at - dt.timedelta(hours=11)
    window.save(update_fields=["closures_computed_at"])
    assert flight_window_status(iss_flight, now=window.opens_at - dt.timedelta(hours=1)).ok
    # A slip inside the same window still needs a new analysis.
    iss_flight.launch_at = at + dt.timedelta(seconds=30)
    iss_flight.save(update_fields=["launch_at"])
    slipped = flight_window_status(iss_flight, now=window.opens_at - dt.timedelta(hours=1))
    assert not slipped.ok and "a slipped launch needs a new analysis" in slipped.problems[0]


@pytest.fixture
def suborbital_model():
    return VehicleModelFactory(name="Hopper")


def test_a_suborbital_hop_below_150_km_needs_no_catalog(compute, ksc, suborbital_model):
    hop = FlightFactory(code="NS-71", spaceport=ksc, vehicle=VehicleFactory(model=suborbital_model, home_spaceport=ksc),
                        launch_at=dt.datetime(2026, 12, 12, 17, 0, tzinfo=dt.UTC))
    computation = compute(hop)
    assert computation.status == "done" and "150 km" in computation.screening_exempt_reason
    assert no_go_keys(hop, hop.launch_at - dt.timedelta(hours=1)) & {"traffic.catalog", "traffic.catalog_age"} == set()


def catalog_findings(flight, now):
    return {f.key: f for f in traffic(flight, now) if f.key in ("traffic.catalog", "traffic.catalog_age")}


def test_the_catalog_findings_with_their_limits(iss_flight, compute):
    import_stations()
    computation = compute(iss_flight)
    assert computation.status == "done", computation.error
    size = computation.catalog_size
    now = iss_flight.launch_at - dt.timedelta(hours=1)
    (ok,) = catalog_findings(iss_flight, now).values()
    assert (ok.key, ok.position, ok.is_go) == ("traffic.catalog", Position.TRAFFIC, True)
    assert ok.message == (f"Screened against {size} catalogued objects imported "
                          f"{computation.catalog_imported_at:%Y-%m-%d %H:%M} UTC.")
    rows = WindowComputation.objects.filter(pk=computation.pk)
    # Closures on record without the catalog they came from (its size or its time unknown): NO-GO.
    for unknown in ({"catalog_size": 0}, {"catalog_imported_at": None}):
        original = rows.values(*unknown).get()
        rows.update(**unknown)
        found = catalog_findings(iss_flight, now)
        assert (found["traffic.catalog"].position, found["traffic.catalog"].is_go) == (Position.TRAFFIC, False), unknown
        assert found["traffic.catalog"].message == (
            "The closures were computed without a catalog on record (empty or of unknown age): "
            "refresh the catalog and recompute.")
        rows.update(**original)
    # A catalog of one object is small, not empty.
    rows.update(catalog_size=1)
    assert catalog_findings(iss_flight, now)["traffic.catalog"].is_go
    TrackedObject.objects.exclude(pk=TrackedObject.objects.order_by("pk").first().pk).delete()
    assert set(catalog_findings(iss_flight, now)) == {"traffic.catalog"}
    # Exactly at the age limit when the closures were computed: still usable.
    rows.update(catalog_imported_at=computation.finished_at - dt.timedelta(hours=24))
    assert catalog_findings(iss_flight, now)["traffic.catalog"].is_go
    # The catalog's age counts from 24 h before launch, that second included.
    CatalogImport.objects.update(finished_at=iss_flight.launch_at - dt.timedelta(days=3))
    day_before = iss_flight.launch_at - dt.timedelta(hours=24)
    assert "traffic.catalog_age" not in catalog_findings(iss_flight, day_before - dt.timedelta(seconds=1))
    assert not catalog_findings(iss_flight, day_before)["traffic.catalog_age"].is_go


def test_a_hop_just_above_150_km_is_screened_so_it_needs_the_catalog(compute, ksc):
    hop = FlightFactory(code="NS-72", spaceport=ksc,
                        vehicle=VehicleFactory(model=VehicleModelFactory(name="Tall hopper", apogee_km=150.6),
                                               home_spaceport=ksc),
                        itinerary__apogee_km=150.6, launch_at=dt.datetime(2026, 12, 12, 17, 0, tzinfo=dt.UTC))
    computation = compute(hop)
    assert computation.status == "failed"
    assert "The tracked-object catalog is empty" in computation.error


def test_the_catalog_age_limit_is_inclusive_and_its_hours_are_rounded():
    imported = dt.datetime(2026, 9, 20, 12, 0, tzinfo=dt.UTC)

    def problem(age: dt.timedelta, size: int = 5) -> str:
        return catalog.CatalogStatus(size=size, imported_at=imported, max_age=dt.timedelta(hours=24),
                                     now=imported + age).problem

    assert problem(dt.timedelta(hours=24)) == ""
    assert problem(dt.timedelta(hours=25, minutes=30)) == (
        "The tracked-object catalog was last imported 2026-09-20 12:00 UTC, 26 h ago (limit 24 h): "
        "refresh it before screening.")
    assert problem(dt.timedelta(0), size=0) == "The tracked-object catalog is empty: import or refresh it before screening."
