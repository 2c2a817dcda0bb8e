"""Launch windows in the database: catalog import and feed, the computation, closures, readiness status,
the flight page's progress and timeline, and the `launch_windows` command."""

import datetime as dt
import functools
import http.server
import json
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.urls import reverse

from flights import catalog
from flights.exceptions import InvalidInput
from flights.launch_windows import (
    WindowComputationRefused,
    flight_window_status,
    launch_windows_compute,
    launch_windows_request,
)
from flights.models import CatalogImport, LaunchWindow, TrackedObject, WindowClosure, WindowComputation
from flights.orbits.fit import element_set_through
from flights.orbits.frames import ecef_to_teme, gmst_rad, julian_date
from flights.orbits.trajectory import AscentProfile, nominal_trajectory
from tests.flights.factories import (
    FlightFactory,
    OrbitalItineraryFactory,
    SpaceportFactory,
    VehicleFactory,
    VehicleModelFactory,
)
from tests.shared_data import DATA_DIR as DATA
from tests.shared_data import STATIONS, requires_data
from tests.twofactor import log_in

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db

needs_data = requires_data


@pytest.fixture
def compute(django_capture_on_commit_callbacks):
    """Request a computation and run it, as the worker would once the request commits."""

    def run(flight, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            computation = launch_windows_request(flight=flight, **kwargs)
        computation.refresh_from_db()
        return computation

    return run


def import_stations():
    return catalog.catalog_import_text(text=STATIONS.read_text(), source=str(STATIONS))


@pytest.fixture
def ksc():
    return SpaceportFactory(
        code="ksc", name="Kennedy LC-39A", latitude_deg=28.6082, longitude_deg=-80.6041, altitude_m=3,
        timezone="America/New_York", azimuth_min_deg=35, azimuth_max_deg=120,
    )


@pytest.fixture
def iss_flight(ksc):
    model = VehicleModelFactory(name="Crew Dragon", regime="orbital", apogee_km=590, plane_change_budget_deg=0.5)
    return FlightFactory(
        code="AX-9", itinerary=OrbitalItineraryFactory(target_norad_id=25544), spaceport=ksc,
        vehicle=VehicleFactory(model=model, home_spaceport=ksc),
        launch_at=dt.datetime(2026, 8, 22, 7, 13, tzinfo=dt.UTC),
    )


# --- Catalog ----------------------------------------------------------------------------------------


@needs_data
def test_import_catalog_command_reads_tle_and_alpha5_and_keeps_newer_epochs(capsys):
    call_command("import_catalog", str(DATA / "alpha5-sample-2026-09-21.tle"))
    assert "256 new" in capsys.readouterr().out
    assert TrackedObject.objects.filter(norad_id__gte=100000).count() == 256
    import_stations()
    iss = TrackedObject.objects.get(norad_id=25544)
    assert iss.inhabitable and iss.object_type == "payload" and 400 < iss.perigee_km < 430
    # The 2026-06 payload file holds an older ISS epoch: the newer 2026-08 set stays.
    lines = (DATA / "payloads-2026-06-10.tle").read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("1 25544"))
    record = catalog.catalog_import_text(text="\n".join(lines[at - 1 : at + 2]), source="payloads ISS")
    iss.refresh_from_db()
    assert iss.epoch.date() == dt.date(2026, 8, 22)
    assert (record.created, record.updated, record.unchanged) == (0, 0, 1)
    assert CatalogImport.objects.count() == 3


@needs_data
def test_import_omm_csv():
    record = catalog.catalog_import_text(text=(DATA / "iss-2026-09-20.omm.csv").read_text(), source="omm")
    assert record.created == 1
    iss = TrackedObject.objects.get(norad_id=25544)
    assert iss.epoch.date() == dt.date(2026, 9, 20) and iss.line1 == ""
    assert catalog.element_set_of(iss).satrec().sgp4(*np.array([2461304.0, 0.5]))[0] == 0


@needs_data
def test_broken_lines_are_reported_with_their_line_numbers(capsys, tmp_path):
    good = STATIONS.read_text().splitlines()[:3]
    broken = good + ["0 BROKEN SAT", "1 99999U 98067A   26234.50000000  .00010000  00000-0  18000-3 0  9990", "2 99999"]
    path = tmp_path / "broken.tle"
    path.write_text("\n".join(broken) + "\n")
    call_command("import_catalog", str(path))
    captured = capsys.readouterr()
    record = CatalogImport.objects.get()
    assert record.errors and record.errors[0]["line"] in (5, 6)
    assert "line " in captured.err
    assert TrackedObject.objects.filter(norad_id=99999).count() == 0


def test_unreadable_file_is_refused_clearly(tmp_path):
    path = tmp_path / "nonsense.tle"
    path.write_text("hello\nworld\n")
    with pytest.raises(Exception, match="No element set could be read"):
        call_command("import_catalog", str(path))


class _Feed(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def feed_server():
    handler = functools.partial(_Feed, directory=str(DATA))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@needs_data
def test_refresh_from_a_gp_feed_served_locally(feed_server, settings):
    settings.CATALOG_FEED_URL = f"{feed_server}/stations-2026-08-22.tle"
    from flights.tasks import refresh_catalog

    assert refresh_catalog.delay().get() == {"created": 2, "updated": 0, "errors": 0}
    assert set(TrackedObject.objects.values_list("norad_id", flat=True)) == {25544, 48274}


@needs_data
def test_feed_errors_are_clear(feed_server):
    with pytest.raises(catalog.CatalogFeedError, match="answered HTTP 404"):
        catalog.catalog_refresh_from_feed(url=f"{feed_server}/missing.tle")
    with pytest.raises(catalog.CatalogFeedError, match="could not be reached"):
        catalog.catalog_refresh_from_feed(url="http://127.0.0.1:9/feed.tle")
    with pytest.raises(InvalidInput, match="must be http"):
        catalog.catalog_refresh_from_feed(url="file:///etc/passwd")


def test_refresh_without_a_feed_is_skipped(settings):
    from flights.tasks import refresh_catalog

    settings.CATALOG_FEED_URL = ""
    assert refresh_catalog.delay().get() == {"skipped": "CATALOG_FEED_URL is not set"}


# --- Computation ------------------------------------------------------------------------------------


@needs_data
def test_orbital_windows_for_the_station_from_kennedy(iss_flight, compute):
    import_stations()
    computation = compute(iss_flight)
    assert computation.status == "done", computation.error
    windows = list(iss_flight.launch_windows.all())
    # Two days from Kennedy into the ISS plane: only the north-east (ascending) passes fit 35-120 deg.
    assert len(windows) == 2
    first = windows[0]
    assert first.kind == "planar"
    assert dt.datetime(2026, 8, 22, 7, 9, tzinfo=dt.UTC) < first.in_plane_at < dt.datetime(2026, 8, 22, 7, 17, tzinfo=dt.UTC)
    assert 40 < first.azimuth_deg < 46
    assert first.opens_at < first.in_plane_at < first.closes_at
    assert computation.objects_screened == 2 and computation.progress_percent == 100


@needs_data
def test_rerun_replaces_the_windows_with_one_set(iss_flight, compute):
    import_stations()
    compute(iss_flight)
    first_ids = set(LaunchWindow.objects.values_list("pk", flat=True))
    compute(iss_flight)
    assert LaunchWindow.objects.count() == len(first_ids)
    assert not first_ids & set(LaunchWindow.objects.values_list("pk", flat=True))
    # Running the same computation again (a redelivered task) changes nothing.
    done = WindowComputation.objects.filter(status="done").first()
    before = list(LaunchWindow.objects.values_list("pk", flat=True))
    launch_windows_compute(computation=done)
    assert list(LaunchWindow.objects.values_list("pk", flat=True)) == before


@needs_data
def test_a_planted_object_closes_liftoffs_and_blocks_the_launch(iss_flight, compute):
    import_stations()
    compute(iss_flight)
    window = iss_flight.launch_windows.first()
    liftoff = window.in_plane_at.replace(microsecond=0)
    # A crewed object crossing the vehicle's path at right angles 1 h after that liftoff, at the same point.
    model = iss_flight.vehicle.model
    profile = AscentProfile(
        regime="orbital", launch_azimuth_deg=window.azimuth_deg, time_to_150km_s=model.ascent_time_to_150km_s,
        insertion_time_s=model.ascent_insertion_time_s, insertion_altitude_km=model.ascent_insertion_altitude_km,
        downrange_at_insertion_km=model.ascent_downrange_km,
    )
    spaceport = iss_flight.spaceport
    path = nominal_trajectory(profile, spaceport.latitude_deg, spaceport.longitude_deg, spaceport.altitude_m / 1000)
    meet_s = 3600
    meet_at = liftoff + dt.timedelta(seconds=meet_s)
    jd, fraction = julian_date(meet_at)
    jd_next, fraction_next = julian_date(meet_at + dt.timedelta(seconds=1))
    r_now = ecef_to_teme(path[meet_s], gmst_rad(jd, fraction))
    r_next = ecef_to_teme(path[meet_s + 1], gmst_rad(jd_next, fraction_next))
    velocity = np.asarray(r_next) - np.asarray(r_now)
    across = np.cross(r_now, velocity)
    across *= np.linalg.norm(velocity) / np.linalg.norm(across)
    planted = element_set_through(r_now, across, meet_at, norad_id=90001, name="PLANTED STATION")
    TrackedObject.objects.create(norad_id=90001, inhabitable=True, **catalog.tracked_object_fields(planted))

    compute(iss_flight)
    closures = list(WindowClosure.objects.filter(norad_id=90001, window__opens_at=window.opens_at))
    assert len(closures) == 1
    closure = closures[0]
    assert closure.object_class == "inhabitable" and closure.starts_at <= liftoff <= closure.ends_at
    # 200 km stand-off, crossing at right angles: about a minute either side of that liftoff is closed.
    assert 30 <= (closure.ends_at - closure.starts_at).total_seconds() <= 150
    assert closure.min_distance_km < 1
    assert abs((closure.closest_approach_at - meet_at).total_seconds()) <= 2
    status = flight_window_status(iss_flight, at=liftoff, now=liftoff - dt.timedelta(hours=1))
    assert not status.ok and "closure" in status.problems[0] and "90001 PLANTED STATION" in status.problems[0]
    clear = closure.ends_at + dt.timedelta(seconds=5)
    if window.contains(clear):
        assert flight_window_status(iss_flight, at=clear, now=liftoff - dt.timedelta(hours=1)).ok


@needs_data
def test_window_status_outside_windows_and_stale_after_a_slip(iss_flight, compute):
    import_stations()
    assert "No launch windows have been computed" in flight_window_status(iss_flight).problems[0]
    compute(iss_flight)
    window = iss_flight.launch_windows.first()
    noon = dt.datetime(2026, 8, 22, 12, 0, tzinfo=dt.UTC)
    assert "outside every computed launch window" in flight_window_status(iss_flight, at=noon).problems[0]
    # The launch slips by a day: closures computed for the old time are not current any more.
    iss_flight.launch_at = iss_flight.launch_at + dt.timedelta(days=1)
    iss_flight.save(update_fields=["launch_at"])
    second = iss_flight.launch_windows.all()[1]
    status = flight_window_status(iss_flight, at=second.in_plane_at, now=second.opens_at - dt.timedelta(hours=1))
    assert not status.closures_current
    assert any("not current" in p and "launch time changed" in p for p in status.problems)
    assert window.pk


def test_suborbital_windows_follow_daylight_and_are_exempt_from_screening(compute):
    spa = SpaceportFactory(code="spa", name="Spaceport America", timezone="America/Denver")
    flight = FlightFactory(vehicle=VehicleFactory(home_spaceport=spa), spaceport=spa,
                           launch_at=dt.datetime(2026, 12, 12, 17, 0, tzinfo=dt.UTC))
    computation = compute(flight)
    assert computation.status == "done"
    assert "150 km" in computation.screening_exempt_reason
    windows = list(flight.launch_windows.all())
    assert len(windows) == 2 and all(w.kind == "daylight" for w in windows)
    # Sunrise in southern New Mexico in mid-December is about 07:05 MST = 14:05 UTC.
    assert dt.time(13, 50) < windows[0].opens_at.time() < dt.time(14, 20)
    assert flight_window_status(flight).ok


def test_missing_target_in_the_catalog_fails_the_computation_with_a_reason(iss_flight, compute):
    computation = compute(iss_flight)
    assert computation.status == "failed"
    assert "Target object 25544 is not in the catalog" in computation.error


@needs_data
def test_unreachable_target_fails_with_the_reason(iss_flight, compute):
    iss_flight.spaceport.latitude_deg = 62.0
    iss_flight.spaceport.save()
    import_stations()
    computation = compute(iss_flight)
    assert computation.status == "failed" and "beyond the reach of inclination" in computation.error


def test_request_refusals(iss_flight, compute):
    with pytest.raises(InvalidInput, match="between 1 and 14 days"):
        launch_windows_request(flight=iss_flight, days=30)
    from flights.models import Flight

    Flight.objects.filter(pk=iss_flight.pk).update(status="cancelled")
    with pytest.raises(WindowComputationRefused, match="is cancelled"):
        compute(iss_flight)


# --- Portal -----------------------------------------------------------------------------------------


@needs_data
def test_flight_page_shows_timeline_and_windows(client, iss_flight, compute, operations):
    import_stations()
    compute(iss_flight)
    assert '<svg class="timeline"' not in client.get(iss_flight.get_absolute_url()).content.decode()  # staff only
    log_in(client, operations)
    page = client.get(iss_flight.get_absolute_url()).content.decode()
    assert '<svg class="timeline"' in page and 'class="window"' in page and 'class="in-plane"' in page
    assert "42." in page or "43." in page  # the azimuth column
    assert "<script" not in page.split("</head>")[1]


def test_progress_panel_polls_while_running(client, iss_flight, operations):
    WindowComputation.objects.create(
        flight=iss_flight, status="running", progress_percent=40, stage="Screened window 1 of 2",
        search_start=iss_flight.launch_at, search_end=iss_flight.launch_at + dt.timedelta(days=1),
        flight_launch_at=iss_flight.launch_at,
    )
    panel = client.get(reverse("flights:flight-windows", args=[iss_flight.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in panel and 'value="40"' in panel and "Screened window 1 of 2" in panel


def test_only_operations_and_directors_may_start_a_computation(client, iss_flight, passenger, operations):
    url = reverse("flights:flight-windows-compute", args=[iss_flight.pk])
    client.force_login(passenger)
    assert client.post(url).status_code == 403
    assert not WindowComputation.objects.exists()
    log_in(client, operations)
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert WindowComputation.objects.filter(flight=iss_flight).exists()


# --- The command ------------------------------------------------------------------------------------


def run_command(*args):
    return subprocess.run(
        [sys.executable, "manage.py", "launch_windows", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


@needs_data
def test_launch_windows_command_prints_json_windows():
    result = run_command(
        "--lat", "28.6082", "--lon", "-80.6041", "--elements", str(STATIONS), "--norad", "25544",
        "--start", "2026-08-22T00:00:00Z", "--days", "2", "--plane-tolerance-deg", "0.5",
        "--azimuth-min", "35", "--azimuth-max", "120", "--json",
    )
    assert result.returncode == 0, result.stderr
    windows = json.loads(result.stdout)
    assert [set(w) for w in windows] == [{"open", "close", "in_plane", "azimuth_deg"}] * 2
    assert all(w["open"].endswith("Z") and w["open"] < w["in_plane"] < w["close"] for w in windows)


@needs_data
@pytest.mark.parametrize(
    "args,reason",
    [
        (["--lat", "62", "--lon", "0"], "beyond the reach of inclination"),
        (["--lat", "28.6", "--lon", "-80.6", "--azimuth-min", "150", "--azimuth-max", "170"], "azimuth"),
        (["--lat", "95", "--lon", "0"], "--lat 95 is outside"),
        (["--lat", "28.6", "--lon", "-80.6", "--norad", "ZZZZZ"], "--norad"),
        (["--lat", "28.6", "--lon", "-80.6", "--start", "yesterday"], "not an ISO 8601 time"),
    ],
)
def test_launch_windows_command_refusals_exit_2_with_one_line(args, reason):
    base = {"--elements": str(STATIONS), "--norad": "25544", "--start": "2026-08-22T00:00:00Z", "--days": "1",
            "--plane-tolerance-deg": "0.5"}
    for i in range(0, len(args), 2):
        base[args[i]] = args[i + 1]
    result = run_command(*[token for pair in base.items() for token in pair])
    assert result.returncode == 2
    assert reason in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


@needs_data
def test_a_computation_for_a_launch_time_since_changed_does_not_replace_the_newer_ones_windows(iss_flight, compute):
    """After a reschedule two computations run side by side: the older one, finishing last, stores nothing."""
    import_stations()
    older = launch_windows_request(flight=iss_flight)  # queued for the first launch time, not yet run
    iss_flight.launch_at = iss_flight.launch_at + dt.timedelta(days=1)
    iss_flight.save(update_fields=["launch_at"])
    newer = compute(iss_flight)
    assert newer.status == "done"
    stored = set(iss_flight.launch_windows.values_list("pk", flat=True))
    older = launch_windows_compute(computation=older, in_process=True)
    assert older.status == "failed" and older.error.startswith("Superseded: computed for a launch at")
    assert set(iss_flight.launch_windows.values_list("pk", flat=True)) == stored
    assert set(iss_flight.launch_windows.values_list("computation", flat=True)) == {newer.pk}
    window = iss_flight.launch_windows.all()[1]
    status = flight_window_status(iss_flight, at=window.in_plane_at, now=window.opens_at - dt.timedelta(hours=1))
    assert status.computation.pk == newer.pk
    assert not any("launch time changed" in p for p in status.problems)
