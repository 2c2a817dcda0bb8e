"""The worker fixtures live in tests/workers.py (a plugin every test can use); kept importable here. `own_redis`: a
redis-server of the test's own as the broker (tests/integration/faults.py)."""

import pytest

from tests.conftest import require_postgres
from tests.integration.faults import OwnRedis
from tests.workers import WorkerProcess, app_broker_at, celery_worker_process, database_url, start_worker, worker_env  # noqa: F401


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing multi-host test shows the tail of every process's log (web, worker and beat of each host)."""
    outcome = yield
    report = outcome.get_result()
    cluster = getattr(item, "funcargs", {}).get("multihost")
    if report.failed and cluster is not None:
        report.sections.append(("multi-host process logs", cluster.logs()))


@pytest.fixture
def own_redis(tmp_path):
    require_postgres()  # the outbox's row locks and a worker killed mid-send need a real database
    redis = OwnRedis(tmp_path)
    redis.start()
    with app_broker_at(redis.url):
        yield redis
    redis.kill()
