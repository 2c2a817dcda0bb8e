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
