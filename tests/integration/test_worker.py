"""A task travels through the real broker to a real worker process and its result comes back."""

import pytest

from flights import services
from flights.tasks import fleet_status_report
from tests.conftest import IN_CI, require_redis
from tests.flights.factories import VehicleFactory


@pytest.mark.worker
@pytest.mark.redis
def test_task_round_trip_through_a_real_worker(celery_worker_process, operations, settings):
    if IN_CI:
        require_redis()  # in CI the round trip must go through Redis
    if settings.REDIS_URL:
        from config.celery import app

        with app.connection_for_write() as connection:
            assert connection.transport.driver_type == "redis"
    VehicleFactory.create_batch(2)
    services.vehicle_ground(vehicle=VehicleFactory(), reason="Parachute test", by=operations)

    result = fleet_status_report.delay()
    # The worker read the rows this test committed to the test database.
    assert result.get(timeout=90) == {"active": 2, "maintenance": 0, "grounded": 1, "retired": 0}
    assert result.status == "SUCCESS"


def wait_for(predicate, *, timeout_s: float = 120.0, interval_s: float = 0.25):
    """Poll another process's progress (not a clock): True once `predicate()` holds."""
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval_s)
    return False


@pytest.mark.worker
def test_launch_windows_are_computed_by_a_real_worker_and_rerun_leaves_one_set(celery_worker_process, operations):
    import datetime as dt

    from flights.launch_windows import launch_windows_request
    from flights.models import LaunchWindow, WindowComputation
    from tests.flights.factories import FlightFactory, SpaceportFactory

    spa = SpaceportFactory(code="spa", name="Spaceport America", timezone="America/Denver")
    flight = FlightFactory(vehicle=VehicleFactory(home_spaceport=spa), spaceport=spa,
                           launch_at=dt.datetime(2026, 12, 12, 17, 0, tzinfo=dt.UTC))
    first = launch_windows_request(flight=flight, by=operations)
    assert wait_for(lambda: WindowComputation.objects.get(pk=first.pk).status == "done"), (
        WindowComputation.objects.get(pk=first.pk).stage
    )
    assert LaunchWindow.objects.filter(flight=flight).count() == 2
    second = launch_windows_request(flight=flight, by=operations)
    assert wait_for(lambda: WindowComputation.objects.get(pk=second.pk).status == "done")
    windows = LaunchWindow.objects.filter(flight=flight)
    assert windows.count() == 2 and set(windows.values_list("computation", flat=True)) == {second.pk}
    assert WindowComputation.objects.get(pk=second.pk).progress_percent == 100
