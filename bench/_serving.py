"""What the serving benchmarks share (`pages.py`, `booking_contention.py`): a PostgreSQL database of their
own, made fresh for each run, the app under gunicorn in production mode (DJANGO_DEBUG=0), and N client
threads released together that time every request.

Not a benchmark itself (`make bench` runs only the scripts whose names do not start with "_").
"""

from __future__ import annotations

import base64
import http.client
import json
import math
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
REQUEST_TIMEOUT_S = 30


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict = field(default_factory=dict)


def missing_services() -> str:
    """Why the serving benches cannot run here ("" when they can): production mode needs PostgreSQL and Redis."""
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return "it needs PostgreSQL: set DATABASE_URL=postgres://user@host:5432/db"
    if not os.environ.get("REDIS_URL", "").startswith(("redis://", "rediss://")):
        return "production mode needs Redis: set REDIS_URL=redis://127.0.0.1:6379/<a database of its own>"
    return ""


def fresh_database(database_url: str, suffix: str) -> str:
    """A new, empty database `<name>_bench_<suffix>` on the same server (dropped first if an earlier run left
    it): every run measures the same rows, whatever ran before."""
    import psycopg2

    parsed = urlparse(database_url)
    name = f"{parsed.path.lstrip('/') or 'flightops'}_bench_{suffix}"
    maintenance = psycopg2.connect(urlunparse(parsed._replace(path="/postgres")))
    maintenance.autocommit = True
    try:
        with maintenance.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        maintenance.close()
    return urlunparse(parsed._replace(path=f"/{name}"))


def server_env(*, database_url: str, var_dir: str) -> dict:
    """Production settings (DJANGO_DEBUG=0) on loopback, with throttles out of the way."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-" + uuid.uuid4().hex * 2,
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        # Its own runtime folder, and uploads (none are made) on this host's disk.
        "DJANGO_VAR_DIR": var_dir,
        "FILE_STORAGE": "local",
        # Production settings refuse to start without these keys; the benches write no medical record.
        "MEDICAL_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "SIGNOFF_KEYS": "bench:" + base64.b64encode(os.urandom(32)).decode(),
        "EMAIL_URL": "locmem://",
        "THROTTLE_AUTH": "1000000/min",
        "THROTTLE_BOOKING": "1000000/min",
        "LOG_LEVEL": "ERROR",
        "PYTHONPATH": str(ROOT),
    }


def prepare_database(env: dict) -> None:
    """Migrate, load the demo, collect the static files (production serves them from their manifest), and set
    Django up in this process on the same database (for the fixtures)."""
    for command in (["migrate", "--no-input", "-v", "0"], ["load_demo"], ["collectstatic", "--no-input", "-v", "0"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
        )
    os.environ.update({key: value for key, value in env.items() if key != "PYTHONPATH"})
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Gunicorn:
    """`with Gunicorn(env, workers=4, log_path=...) as port:` serves the app on 127.0.0.1:port."""

    def __init__(self, env: dict, *, workers: int, log_path: Path):
        self.env, self.workers, self.log_path = env, workers, log_path

    def __enter__(self) -> int:
        self.port = free_port()
        self.log = self.log_path.open("w")  # refusals are logged as warnings: keep them out of the figures
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--bind",
                f"{HOST}:{self.port}",
                "--workers",
                str(self.workers),
                "--log-level",
                "warning",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        for _ in range(300):  # at most ~30 s
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            try:
                connection = http.client.HTTPConnection(HOST, self.port, timeout=2)
                connection.request("GET", "/healthz")
                connection.getresponse().read()
                connection.close()
                return self.port
            except OSError:
                time.sleep(0.1)
        self.__exit__(None, None, None)
        raise SystemExit(f"gunicorn did not start serving within 30 s; see {self.log_path}")

    def __exit__(self, *exc_info) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def percentile(sorted_values: Sequence[float], percent: float) -> float:
    """Nearest-rank percentile of values sorted ascending."""
    if not sorted_values:
        return 0.0
    rank = max(math.ceil(percent / 100 * len(sorted_values)), 1)
    return sorted_values[rank - 1]


@dataclass
class Result:
    requests: int
    seconds: float
    statuses: Counter
    codes: Counter
    latencies_s: list[float]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def p50_ms(self) -> float:
        return 1000 * percentile(self.latencies_s, 50)

    @property
    def p95_ms(self) -> float:
        return 1000 * percentile(self.latencies_s, 95)

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= 500)

    def describe(self, name: str) -> str:
        codes = ", ".join(
            f"{status}{' ' + code if code else ''}: {count}" for (status, code), count in sorted(self.codes.items())
        )
        return (
            f"{name}: {self.requests} requests in {self.seconds:.2f} s = {self.per_second:.0f} req/s "
            f"(p50 {self.p50_ms:.0f} ms, p95 {self.p95_ms:.0f} ms; {codes})"
        )


def fire(*, port: int, clients: Sequence[Sequence[Request]]) -> Result:
    """One thread per client, all released at once, each sending its requests in order on a new connection
    each (gunicorn's sync workers close it after the answer). Every request has a timeout; no answer at all
    counts as a 599."""
    barrier = threading.Barrier(len(clients))
    statuses: Counter = Counter()
    codes: Counter = Counter()
    latencies: list[float] = []
    guard = threading.Lock()

    def client(requests: Sequence[Request]) -> None:
        barrier.wait(timeout=60)
        for request in requests:
            started = time.perf_counter()
            try:
                connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
                body_headers = {"Content-Length": "0"} if request.method != "GET" else {}
                connection.request(request.method, request.path, headers={**body_headers, **request.headers})
                response = connection.getresponse()
                body = response.read()
                connection.close()
                status = response.status
                code = json.loads(body).get("code", "") if status >= 400 and body.startswith(b"{") else ""
            except OSError as exc:
                status, code = 599, type(exc).__name__
            elapsed = time.perf_counter() - started
            with guard:
                statuses[status] += 1
                codes[(status, code)] += 1
                latencies.append(elapsed)

    threads = [threading.Thread(target=client, args=(requests,)) for requests in clients]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    longest = max(len(requests) for requests in clients)
    for thread in threads:
        thread.join(timeout=REQUEST_TIMEOUT_S * longest + 60)
    wall = time.perf_counter() - started
    latencies.sort()
    return Result(sum(statuses.values()), wall, statuses, codes, latencies)


def passengers(count: int, *, prefix: str) -> list:
    """`count` passengers with a profile and a verified email address (holds refuse unverified ones)."""
    import datetime as dt
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from tourism.models import EmailVerification, PassengerProfile

    user_model = get_user_model()
    users = user_model.objects.bulk_create(
        [user_model(username=f"{prefix}-{i}", email=f"{prefix}-{i}@bench.test", password="!") for i in range(count)]
    )
    PassengerProfile.objects.bulk_create(
        [
            PassengerProfile(
                user=user,
                legal_name=f"Bench Passenger {i}",
                date_of_birth=dt.date(1980, 1, 1),
                nationality="US",
                passport_number=f"B{i:07d}",
                mass_kg=Decimal("75"),
                height_cm=175,
                emergency_contact="Bench contact",
            )
            for i, user in enumerate(users)
        ]
    )
    EmailVerification.objects.bulk_create(
        [EmailVerification(user=user, email=user.email, verified_at=timezone.now()) for user in users]
    )
    return users


def token_header(user) -> dict:
    from rest_framework.authtoken.models import Token

    return {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}


def session_header(user) -> dict:
    """A logged-in portal session for `user`, as the browser would send it."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return {"Cookie": f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"}
