"""The worker fixtures live in tests/workers.py (a plugin every test can use); kept importable here."""

from tests.workers import WorkerProcess, celery_worker_process, database_url, start_worker, worker_env  # noqa: F401
