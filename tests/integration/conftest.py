"""A real Celery worker, started as its own process on the test database pytest-django created."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[2]


def database_url(settings_dict: dict) -> str:
    """The URL of the database this test process is using (the test database, not the real one)."""
    engine = settings_dict["ENGINE"]
    if engine.endswith("sqlite3"):
        return f"sqlite:///{Path(settings_dict['NAME']).resolve()}"
    if engine.endswith("postgresql"):
        auth = quote(settings_dict["USER"] or "", safe="")
        if settings_dict.get("PASSWORD"):
            auth += ":" + quote(settings_dict["PASSWORD"], safe="")
        host = settings_dict.get("HOST") or "localhost"
        port = settings_dict.get("PORT") or "5432"
        return f"postgres://{auth}@{host}:{port}/{settings_dict['NAME']}"
    raise RuntimeError(f"no worker URL for database engine {engine}")


@pytest.fixture
def worker_env(transactional_db):
    from django.db import connection

    return {**os.environ, "DATABASE_URL": database_url(connection.settings_dict), "PYTHONUNBUFFERED": "1"}


@pytest.fixture
def celery_worker_process(worker_env, tmp_path):
    """Start `celery worker` on the test database; tasks sent from the test go to it, not eager."""
    from config.celery import app

    log_path = tmp_path / "worker.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=INFO",
            "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"pytest-{uuid.uuid4().hex[:8]}@%h",
        ],
        cwd=ROOT, env=worker_env, stdout=log, stderr=subprocess.STDOUT,
    )
    app.conf.task_always_eager = False
    try:
        yield process
    finally:
        app.conf.task_always_eager = True
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        if process.returncode not in (0, -15):
            print(log_path.read_text()[-4000:])
