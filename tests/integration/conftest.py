"""The worker fixtures live in tests/workers.py (a plugin every test can use); kept importable here."""

import pytest

from tests.workers import WorkerProcess, celery_worker_process, database_url, start_worker, worker_env  # noqa: F401


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing multi-host test shows the tail of every process's log (web, worker and beat of each host)."""
    outcome = yield
    report = outcome.get_result()
    cluster = getattr(item, "funcargs", {}).get("multihost")
    if report.failed and cluster is not None:
        report.sections.append(("multi-host process logs", cluster.logs()))
