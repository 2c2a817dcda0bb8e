"""Real Celery workers for tests, started as their own processes on the test database pytest-django created."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[1]


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


class LoggedProcess:
    """A process this test started, its output in a log file. It leads a process group of its own, so that
    killing it also kills the children it forked (a prefork worker's pool, gunicorn's workers)."""

    def __init__(self, command: list[str], *, env: dict, log_path: Path, cwd: Path = ROOT):
        self.log_path = log_path
        self._terminated = False
        self._log = log_path.open("w")
        self.process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text()

    def alive(self) -> bool:
        return not self._exited()

    def _exited(self) -> bool:
        """Whether it has exited, without reaping it: until `wait()` reaps it, its pid (the group's id) is still
        its own, so signalling the group cannot reach a process that merely got the number later."""
        if self.process.returncode is not None:
            return True
        return os.waitid(os.P_PID, self.process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None

    def _kill_group_and_reap(self) -> None:
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)  # the group this process leads: its children only
        self.process.wait()

    def kill(self) -> None:
        """SIGKILL: the process dies mid-task without acknowledging or cleaning up anything (a host lost)."""
        self._kill_group_and_reap()

    def terminate(self) -> None:
        """SIGTERM, once: a warm shutdown (running work finishes); `stop()` waits for it."""
        if not self._terminated and not self._exited():
            self._terminated = True
            self.process.terminate()

    def stop(self, timeout_s: float = 30) -> None:
        """SIGTERM, SIGKILL after `timeout_s`; then whatever it left of its process group."""
        self.terminate()
        deadline = time.monotonic() + timeout_s
        while not self._exited() and time.monotonic() < deadline:
            time.sleep(0.1)
        self._kill_group_and_reap()
        if not self._log.closed:
            self._log.close()


class WorkerProcess(LoggedProcess):
    """A `celery worker` process and its log file."""

    def __init__(self, env: dict, log_path: Path):
        super().__init__(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"pytest-{uuid.uuid4().hex[:8]}@%h",
            ],
            env=env,
            log_path=log_path,
        )


@pytest.fixture
def start_worker(worker_env, tmp_path):
    """Start workers on the test database (extra environment per worker); tasks sent go to them."""
    from config.celery import app

    workers: list[WorkerProcess] = []

    def start(**extra_env) -> WorkerProcess:
        worker = WorkerProcess({**worker_env, **extra_env}, tmp_path / f"worker-{len(workers)}.log")
        workers.append(worker)
        return worker

    app.conf.task_always_eager = False
    try:
        yield start
    finally:
        app.conf.task_always_eager = True
        for worker in workers:
            worker.stop()


@pytest.fixture
def celery_worker_process(start_worker):
    """One worker for the test."""
    return start_worker().process


@contextlib.contextmanager
def app_broker_at(url: str):
    """Point this process's Celery app at `url` (dropping pooled connections to the old broker); tasks sent
    go to that broker, not run in-process."""
    from config.celery import app

    keys = ("broker_url", "broker_transport_options", "task_publish_retry_policy", "task_always_eager")
    saved = {key: app.conf[key] for key in keys}

    def drop_pools():
        # Forget the pools without closing them: kombu keeps one pool per broker URL, and a closed one would be
        # handed back (and refuse) once the old URL is restored.
        app._pool = None
        app.amqp._producer_pool = None

    drop_pools()
    app.conf.broker_url = url
    app.conf.task_always_eager = False
    app.conf.broker_transport_options = {"socket_connect_timeout": 1, "socket_timeout": 5}
    app.conf.task_publish_retry_policy = {
        "max_retries": 2,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.5,
    }
    try:
        yield
    finally:
        drop_pools()
        app.conf.update(saved)
