"""Seat holds under contention: the app served by gunicorn on PostgreSQL, N clients at once.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/flightops python bench/booking_contention.py

Migrates the database, loads the demo, creates a flight on the demo's certified 6-seat NS-RSS1 and N passengers with API tokens, starts gunicorn
on 127.0.0.1, then fires N concurrent clients, each sending the same number of requests, first at a
trivial authenticated endpoint (GET /api/v1/me/) and then at the holds endpoint of the flight. Prints
the oversold seats (must be 0), the 5xx responses (must be 0), and the hold throughput as a ratio of the
trivial endpoint's. Exits non-zero when a seat was oversold or a request failed. Everything is bounded:
a fixed number of requests per client, a timeout on every request, only 127.0.0.1.

Options: --clients 50 --requests 20 --workers 4
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
REQUEST_TIMEOUT_S = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_env(var_dir: str) -> dict:
    environment = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    return {
        # Without REDIS_URL the emails the holds queue stay in this run's own folder, never in a shared broker.
        **environment,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-" + uuid.uuid4().hex * 2,
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        # Its own runtime folder: a `make run` worker must not pick up the bench's queued emails.
        "DJANGO_VAR_DIR": var_dir,
        # Production settings refuse to start without medical keys; the bench writes no medical record.
        "MEDICAL_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "EMAIL_URL": "locmem://",
        "THROTTLE_AUTH": "1000000/min",
        "THROTTLE_BOOKING": "1000000/min",
        "LOG_LEVEL": "ERROR",
        "PYTHONPATH": str(ROOT),
    }


def create_fixtures(*, clients: int) -> tuple[int, int, list[str]]:
    """A scheduled commercial flight on the demo's certified NS-RSS1 and `clients` passengers with tokens:
    (flight id, its seats, tokens)."""
    import datetime as dt
    from decimal import Decimal

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from flights import services as flight_services
    from flights.models import Flight, Itinerary, Regime, Vehicle
    from tourism.models import EmailVerification, PassengerProfile

    run = uuid.uuid4().hex[:8]
    # The demo's NS-RSS1 is certified for passengers by its verification history (load_demo): a bench
    # vehicle of its own would be refused, since commercial flights need a certified vehicle.
    vehicle = Vehicle.objects.select_related("model", "home_spaceport").get(serial="NS-RSS1")
    seats = vehicle.model.passenger_seats
    itinerary = Itinerary.objects.create(
        name=f"Bench hop {run}", slug=f"bench-{run}", regime=Regime.SUBORBITAL, duration=dt.timedelta(minutes=11),
        apogee_km=105, peak_g=Decimal("5"), price=Decimal("1000.00"), deposit=Decimal("100.00"),
    )
    # Each run's flight a month after the previous run's, clear of the demo schedule and of each other.
    earlier = Flight.objects.filter(code__startswith="BENCH-").count()
    flight = Flight.objects.create(
        code=f"BENCH-{run}", itinerary=itinerary, vehicle=vehicle, spaceport=vehicle.home_spaceport,
        launch_at=timezone.now() + dt.timedelta(days=200 + 30 * earlier),
    )
    flight_services.flight_schedule(flight=flight, by=None)
    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"bench-{run}-{i}", email=f"bench-{run}-{i}@bench.test", password="!") for i in range(clients)]
    )
    PassengerProfile.objects.bulk_create([
        PassengerProfile(user=user, legal_name=f"Bench Passenger {i}", date_of_birth=dt.date(1980, 1, 1),
                         nationality="US", passport_number=f"B{i:07d}", mass_kg=Decimal("75"), height_cm=175,
                         emergency_contact="Bench contact")
        for i, user in enumerate(users)
    ])
    # Bench passengers have followed their verification link (holds refuse unverified addresses).
    EmailVerification.objects.bulk_create(
        [EmailVerification(user=user, email=user.email, verified_at=timezone.now()) for user in users]
    )
    tokens = [Token.objects.create(user=user).key for user in users]
    return flight.pk, seats, tokens


def wait_until_serving(port: int, process: subprocess.Popen) -> None:
    for _ in range(200):  # at most ~20 s
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/api/v1/me/")
            connection.getresponse().read()
            connection.close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not start serving within 20 s")


def fire(*, port: int, method: str, path: str, tokens: list[str], requests_each: int) -> dict:
    """Each token is one client thread sending `requests_each` requests; all start together."""
    barrier = threading.Barrier(len(tokens))
    statuses: Counter = Counter()
    codes: Counter = Counter()
    latencies: list[float] = []
    guard = threading.Lock()

    def client(token: str) -> None:
        barrier.wait(timeout=60)
        for _ in range(requests_each):
            started = time.perf_counter()
            try:
                connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
                connection.request(method, path, headers={"Authorization": f"Token {token}", "Content-Length": "0"})
                response = connection.getresponse()
                body = response.read()
                connection.close()
                status = response.status
                code = json.loads(body).get("code", "") if status >= 400 and body.startswith(b"{") else ""
            except OSError as exc:
                status, code = 599, type(exc).__name__  # no answer at all counts as a server failure
            elapsed = time.perf_counter() - started
            with guard:
                statuses[status] += 1
                codes[(status, code)] += 1
                latencies.append(elapsed)

    threads = [threading.Thread(target=client, args=(token,)) for token in tokens]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=REQUEST_TIMEOUT_S * requests_each + 60)
    wall = time.perf_counter() - started
    total = sum(statuses.values())
    latencies.sort()
    return {
        "requests": total,
        "seconds": wall,
        "per_second": total / wall if wall else 0.0,
        "statuses": statuses,
        "codes": codes,
        "p50_ms": 1000 * statistics.median(latencies) if latencies else 0.0,
        "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))] if latencies else 0.0,
    }


def describe(name: str, result: dict) -> str:
    codes = ", ".join(
        f"{status}{' ' + code if code else ''}: {count}" for (status, code), count in sorted(result["codes"].items())
    )
    return (
        f"{name}: {result['requests']} requests in {result['seconds']:.2f} s = {result['per_second']:.0f} req/s "
        f"(p50 {result['p50_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms; {codes})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20, help="requests per client and endpoint")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        # `make bench` on a bare machine: say what is missing rather than fail the other benchmarks.
        print("booking_contention skipped: it needs PostgreSQL, set DATABASE_URL=postgres://user@host:5432/db")
        return 0

    var_dir = tempfile.mkdtemp(prefix="bench-booking-")
    env = server_env(var_dir)
    os.environ.update({k: v for k, v in env.items() if k.startswith(("DJANGO_", "EMAIL_", "THROTTLE_", "LOG_", "MEDICAL_"))})
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    for command in (["migrate", "--no-input", "-v", "0"], ["load_demo"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    flight_id, seats, tokens = create_fixtures(clients=args.clients)

    port = free_port()
    server_log_path = Path(var_dir) / "gunicorn.log"
    server_log = server_log_path.open("w")  # every 409 is logged as a warning: keep them out of the figures
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"{HOST}:{port}", "--workers", str(args.workers),
         "--log-level", "warning", "--timeout", "60"],
        cwd=ROOT, env=env, stdout=server_log, stderr=subprocess.STDOUT,
    )
    try:
        wait_until_serving(port, server)
        trivial = fire(port=port, method="GET", path="/api/v1/me/", tokens=tokens, requests_each=args.requests)
        holds = fire(
            port=port, method="POST", path=f"/api/v1/flights/{flight_id}/holds/", tokens=tokens,
            requests_each=args.requests,
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        server_log.close()

    from tourism.models import Booking

    live = Booking.objects.filter(flight_id=flight_id, status__in=Booking.LIVE_STATUSES)
    seat_numbers = list(live.values_list("seat_number", flat=True))
    oversold = max(len(seat_numbers) - seats, 0) + (len(seat_numbers) - len(set(seat_numbers)))
    server_errors = sum(n for status, n in (trivial["statuses"] + holds["statuses"]).items() if status >= 500)
    ratio = holds["per_second"] / trivial["per_second"] if trivial["per_second"] else 0.0

    print(
        f"booking_contention: {args.clients} clients x {args.requests} requests each, a {seats}-seat flight, "
        f"gunicorn {args.workers} workers on PostgreSQL"
    )
    print(describe("trivial GET /api/v1/me/", trivial))
    print(describe(f"holds POST /api/v1/flights/{flight_id}/holds/", holds))
    print(f"seats held: {len(seat_numbers)} of {seats}")
    print(f"oversold seats: {oversold}")
    print(f"5xx responses: {server_errors}")
    print(f"hold throughput / trivial throughput: {ratio:.2f}")
    failed = bool(oversold or server_errors or holds["statuses"].get(201, 0) != seats)
    if failed:
        print(f"FAILED; the server's log is kept at {server_log_path}")
    else:
        shutil.rmtree(var_dir, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
