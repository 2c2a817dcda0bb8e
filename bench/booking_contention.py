"""Seat holds: successful ones on many flights, and contested ones on one 6-seat flight, both against
GET /api/v1/me/, with the app served by gunicorn on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/flightops REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python bench/booking_contention.py --clients 16

Makes a fresh database `<name>_bench_booking` on DATABASE_URL's server, migrates it and loads the demo, and
schedules flights on the demo's certified 6-seat NS-RSS1 (commercial flights need a certified vehicle):
enough of them that every hold of the successful phase finds a free seat, and one more for the contested
phase. Adds N passengers with API tokens and serves the app with gunicorn (DJANGO_DEBUG=0). N client
threads, released together, each send the same number of requests:

- `GET /api/v1/me/`: the baseline, a trivial authenticated request;
- successful holds, `POST /api/v1/flights/<id>/holds/`: no client asks a flight twice (a passenger has one
  live booking per flight), no flight gets more holds than seats, and the clients of one round ask different
  flights (`successful_flights`), so every answer must be a 201;
- contested holds: every client at the one 6-seat flight, again and again: 6 answers are 201, the rest
  409 refusals.

The database is ANALYZEd before the clock runs and again before each timed pair (`analyze`). Before the clock
runs, each client sends 3 of each (holds on flights of their own), so that every worker has
loaded its code and answered the vehicle's certification once. The baseline and the successful holds run in pairs, `--repeats` times (on a machine others share, the two
then see the same load); prints each run, each ratio of hold throughput to the baseline's and their
median (the target is at least 0.5). Then the contested phase, its oversold seats and the 5xx answers.
Exits 1 when a seat was oversold, any answer was a 5xx, a successful-phase hold was not a 201 (or is not
in the database), or the contested flight did not fill. Everything is bounded: a fixed number of requests
per client, a timeout on every request, only 127.0.0.1.

Options: --clients 16 --requests 20 --repeats 3 --workers 4
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import shutil
import statistics
import sys
import tempfile
import uuid
from collections import Counter
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _serving import (  # noqa: E402
    Gunicorn,
    Request,
    fire,
    fresh_database,
    missing_services,
    passengers,
    prepare_database,
    server_env,
    token_header,
)

TARGET_RATIO = 0.5
WARM_UP_REQUESTS = 3
VEHICLE = "NS-RSS1"


def schedule_flights(count: int) -> list[int]:
    """`count` scheduled commercial flights on the demo's NS-RSS1, two days apart after its last one, on an
    itinerary of their own."""
    from django.utils import timezone

    from flights import services as flight_services
    from flights.models import Flight, Itinerary, Regime, Vehicle

    run = uuid.uuid4().hex[:8]
    vehicle = Vehicle.objects.select_related("model", "home_spaceport").get(serial=VEHICLE)
    itinerary = Itinerary.objects.create(
        name=f"Bench hop {run}", slug=f"bench-{run}", regime=Regime.SUBORBITAL, duration=dt.timedelta(minutes=11),
        apogee_km=105, peak_g=Decimal("5"), price=Decimal("1000.00"), deposit=Decimal("100.00"),
    )
    latest = Flight.objects.filter(vehicle=vehicle).order_by("-launch_at").values_list("launch_at", flat=True).first()
    start = max(latest or timezone.now(), timezone.now()) + dt.timedelta(days=9)
    ids = []
    for n in range(count):
        flight = Flight.objects.create(
            code=f"BENCH-{run}-{n + 1:03d}", itinerary=itinerary, vehicle=vehicle, spaceport=vehicle.home_spaceport,
            launch_at=start + dt.timedelta(days=2 * n),
        )
        flight_services.flight_schedule(flight=flight, by=None)
        ids.append(flight.pk)
    return ids


def analyze() -> None:
    """ANALYZE the database: without statistics the planner takes the new tables for empty until autovacuum gets
    to them, mid-run, and the first run measures that instead of the code. Again before each timed run: a run adds
    320 bookings (and their history, outbox rows and status changes) to tables that held a few dozen, which a
    database in service has autovacuum analyze once a tenth of a table changed; a PostgreSQL with autovacuum off
    (this machine's) would otherwise plan every hold for the first run's 6-row booking table and scan it whole as
    it grows (seen: 4 sequential scans of tourism_booking a hold, and PostgreSQL's CPU a hold rising by a third
    over 3,600 holds)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def successful_flights(*, clients: int, requests: int, seats: int) -> list[list[int]]:
    """For each client, the flight (an index) of each of its requests: the k-th request of all (round r, client
    c: k = r * clients + c) goes to flight k mod F, so the clients of one round ask different flights (no one
    waits on another's flight lock: the contested phase measures that), no client asks a flight twice (a
    passenger has one live booking per flight) and no flight gets more holds than seats. F is the fewest
    flights, at least `clients`, for which all three hold."""
    count = max(clients, math.ceil(clients * requests / seats))
    while True:
        plan = [[(r * clients + c) % count for r in range(requests)] for c in range(clients)]
        per_flight = Counter(flight for flights in plan for flight in flights)
        if max(per_flight.values()) <= seats and all(len(set(flights)) == requests for flights in plan):
            return plan
        count += 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=20, help="requests per client, endpoint and repeat")
    parser.add_argument("--repeats", type=int, default=3, help="pairs of baseline and successful-holds runs")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    args = parser.parse_args()
    missing = missing_services()
    if missing:
        print(f"booking_contention skipped: {missing}")  # `make bench` on a bare machine: the other benches still run
        return 0

    var_dir = tempfile.mkdtemp(prefix="bench-booking-")
    env = server_env(database_url=fresh_database(os.environ["DATABASE_URL"], "booking"), var_dir=var_dir)
    prepare_database(env)
    from flights.models import Vehicle

    seats = Vehicle.objects.select_related("model").get(serial=VEHICLE).model.passenger_seats
    plan = successful_flights(clients=args.clients, requests=args.requests, seats=seats)
    per_run = 1 + max(max(flights) for flights in plan)  # flights one successful-holds run needs
    warm_plan = successful_flights(clients=args.clients, requests=WARM_UP_REQUESTS, seats=seats)
    per_warm_up = 1 + max(max(flights) for flights in warm_plan)
    flight_ids = schedule_flights(per_warm_up + args.repeats * per_run + 1)
    warm_ids, open_ids, contested_id = flight_ids[:per_warm_up], flight_ids[per_warm_up:-1], flight_ids[-1]
    tokens = [token_header(user) for user in passengers(args.clients, prefix="bench-client")]
    analyze()  # planner statistics for the rows just made, as a database in service has them

    def baseline_plan(count: int) -> list[list[Request]]:
        return [[Request("GET", "/api/v1/me/", token)] * count for token in tokens]

    def holds_plan(flight_plan: list[list[int]], ids: list[int]) -> list[list[Request]]:
        return [
            [Request("POST", f"/api/v1/flights/{ids[flight]}/holds/", token) for flight in flights]
            for flights, token in zip(flight_plan, tokens, strict=True)
        ]

    runs: list[tuple] = []
    with Gunicorn(env, workers=args.workers, log_path=Path(var_dir) / "gunicorn.log") as port:
        # Both endpoints warmed alike before the clock runs: each worker loads its code, and for a hold also
        # prepares its statements, compiles the email's template and answers the vehicle's certification once
        # in full (then kept under its evidence fingerprint), as a worker in service has long done.
        fire(port=port, clients=baseline_plan(WARM_UP_REQUESTS))
        warm = fire(port=port, clients=holds_plan(warm_plan, warm_ids))
        if warm.statuses != {201: warm.requests}:
            print(f"warm-up holds: {warm.describe('warm-up')}: every one should be a 201")
            return 1
        for repeat in range(args.repeats):
            analyze()  # each run adds hundreds of bookings: statistics as autovacuum would keep them (see analyze)
            trivial = fire(port=port, clients=baseline_plan(args.requests))
            runs.append((trivial, fire(port=port, clients=holds_plan(plan, open_ids[repeat * per_run : (repeat + 1) * per_run]))))
        contested = fire(
            port=port,
            clients=[[Request("POST", f"/api/v1/flights/{contested_id}/holds/", token)] * args.requests for token in tokens],
        )

    from tourism.models import Booking

    live = Booking.objects.filter(status__in=Booking.LIVE_STATUSES)
    held_open = live.filter(flight_id__in=open_ids).count()
    seat_numbers = list(live.filter(flight_id=contested_id).values_list("seat_number", flat=True))
    oversold = max(len(seat_numbers) - seats, 0) + (len(seat_numbers) - len(set(seat_numbers)))
    server_errors = contested.server_errors + sum(t.server_errors + h.server_errors for t, h in runs)
    created = sum(h.statuses.get(201, 0) for _, h in runs)
    asked = sum(h.requests for _, h in runs)
    ratios = [h.per_second / t.per_second if t.per_second else 0.0 for t, h in runs]
    median = statistics.median(ratios)

    print(
        f"booking_contention: {args.clients} clients x {args.requests} requests per run, {args.repeats} repeats, "
        f"gunicorn {args.workers} workers on PostgreSQL; {len(open_ids)} flights with free seats, one contested "
        f"{seats}-seat flight"
    )
    for repeat, (trivial, holds) in enumerate(runs, 1):
        print(f"run {repeat}: " + trivial.describe("trivial GET /api/v1/me/"))
        print(f"run {repeat}: " + holds.describe("successful holds POST /api/v1/flights/<id>/holds/"))
        print(f"run {repeat}: hold throughput / trivial throughput: {ratios[repeat - 1]:.2f}")
    verdict = "ok" if median >= TARGET_RATIO else "UNDER TARGET"
    print(
        f"successful holds: {created} of {asked} answered 201, {held_open} live bookings on the open flights; "
        f"median throughput ratio {median:.2f} (target at least {TARGET_RATIO}) {verdict}"
    )
    print(contested.describe(f"contested holds POST /api/v1/flights/{contested_id}/holds/"))
    print(f"contested flight: seats held {len(seat_numbers)} of {seats}, oversold seats: {oversold}")
    print(f"5xx responses: {server_errors}")
    failed = bool(
        oversold or server_errors or created != asked or held_open != asked
        or contested.statuses.get(201, 0) != seats or len(seat_numbers) != seats
    )
    if failed:
        print(f"FAILED; the server's log is kept in {var_dir}")
        return 1
    shutil.rmtree(var_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
