"""Page latency: the catalog page, the bookable flights API and the flight page against GET /api/v1/me/.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/flightops REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python bench/pages.py

Makes a fresh database `<name>_bench_pages` on DATABASE_URL's server, migrates it and loads the demo, adds
flights on sale to the demo's itineraries (some seats held on them) and 16 passengers with an API token and
a portal session, then serves the app with gunicorn (4 sync workers, DJANGO_DEBUG=0). 16 client threads,
released together, each send the same number of requests to one endpoint after another:

- `GET /api/v1/me/` (token): the baseline, a trivial authenticated request;
- `GET /itineraries/` (session): the catalog page;
- `GET /api/v1/flights/?bookable=true` (token): the bookable flights API;
- `GET /flights/<id>/` (session): the flight page of a flight on sale.

Three repeats; in each, every page is measured right after a run of the baseline, and its p95 latency is
divided by that run's (on a machine others share, the two then see the same load; the order rotates).
Prints each run's p95, each ratio and the median ratio per page; the target is at most 2.0 each. Exits 1
when any answer is not a 200. The catalog page and the flights lists are kept between changes
(config/fragments.py); `--fragment-seconds 0` measures them built afresh on every request.

Options: --clients 16 --requests 25 --repeats 3 --workers 4 --flights 24 --fragment-seconds N
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
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
    session_header,
    token_header,
)

TARGET_RATIO = 2.0
WARM_UP_REQUESTS = 3


def seed_catalog(*, extra_flights: int) -> None:
    """`extra_flights` more flights on sale, spread over the demo's itineraries on their own vehicles, each
    `n % 4` seats held (so seats left differ from row to row)."""
    from flights import services as flight_services
    from flights.models import Flight
    from tourism import services
    from tourism.selectors import BOOKABLE_STATUSES

    demo = list(
        Flight.objects.filter(purpose=Flight.Purpose.COMMERCIAL, status__in=BOOKABLE_STATUSES)
        .select_related("itinerary", "vehicle", "spaceport")
        .order_by("launch_at")
    )
    holders = passengers(3, prefix="bench-holder")
    for n in range(extra_flights):
        template = demo[n % len(demo)]
        latest = Flight.objects.filter(vehicle=template.vehicle).order_by("-launch_at").first().launch_at
        flight = Flight.objects.create(
            code=f"{template.code.split('-')[0]}-B{n + 1:02d}",
            itinerary=template.itinerary,
            vehicle=template.vehicle,
            spaceport=template.spaceport,
            launch_at=latest + dt.timedelta(days=9),
        )
        flight_services.flight_schedule(flight=flight, by=None)
        for holder in holders[: n % 4]:
            services.booking_hold(flight=flight, user=holder)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=25, help="requests per client, endpoint and repeat")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--flights", type=int, default=24, help="flights on sale added to the demo's")
    parser.add_argument(
        "--fragment-seconds",
        type=int,
        default=None,
        help="FRAGMENT_CACHE_SECONDS for the server (0: catalog, flights lists and flight pages built afresh)",
    )
    args = parser.parse_args()
    missing = missing_services()
    if missing:
        print(f"pages skipped: {missing}")  # `make bench` on a bare machine: the other benches still run
        return 0

    var_dir = tempfile.mkdtemp(prefix="bench-pages-")
    env = server_env(database_url=fresh_database(os.environ["DATABASE_URL"], "pages"), var_dir=var_dir)
    if args.fragment_seconds is not None:
        env["FRAGMENT_CACHE_SECONDS"] = str(args.fragment_seconds)
    prepare_database(env)
    seed_catalog(extra_flights=args.flights)

    from flights.models import Flight
    from tourism import selectors

    on_sale = selectors.flight_filter_on_sale(selectors.flight_list_with_seats())
    flight = on_sale.first()
    users = passengers(args.clients, prefix="bench-client")
    tokens = [token_header(user) for user in users]
    sessions = [session_header(user) for user in users]
    endpoints = [
        ("GET /api/v1/me/ (baseline)", "/api/v1/me/", tokens),
        ("GET /itineraries/", "/itineraries/", sessions),
        ("GET /api/v1/flights/?bookable=true", "/api/v1/flights/?bookable=true", tokens),
        (f"GET /flights/{flight.pk}/", f"/flights/{flight.pk}/", sessions),
    ]

    def clients_for(path: str, headers: list[dict], count: int) -> list[list[Request]]:
        return [[Request("GET", path, each)] * count for each in headers]

    baseline, pages = endpoints[0], endpoints[1:]
    p95_ms = {name: [] for name, _, _ in endpoints}
    ratios = {name: [] for name, _, _ in pages}
    failures: dict[str, dict] = {}

    def measure(name: str, path: str, headers: list[dict]) -> float:
        result = fire(port=port, clients=clients_for(path, headers, args.requests))
        p95_ms[name].append(result.p95_ms)
        if set(result.statuses) != {200}:
            failures[name] = dict(result.statuses)
        return result.p95_ms

    with Gunicorn(env, workers=args.workers, log_path=Path(var_dir) / "gunicorn.log") as port:
        for _, path, headers in endpoints:  # each worker loads its templates and URLs once, before the clock runs
            fire(port=port, clients=clients_for(path, headers, WARM_UP_REQUESTS))
        for repeat in range(args.repeats):
            # Each page right after a baseline run of its own: on a machine others share, the two see the same load.
            for name, path, headers in pages[repeat % len(pages) :] + pages[: repeat % len(pages)]:
                reference = measure(*baseline)
                ratios[name].append(measure(name, path, headers) / reference if reference else 0.0)

    kept = env.get("FRAGMENT_CACHE_SECONDS", "the default")
    print(
        f"pages: {args.clients} clients x {args.requests} requests per run, {args.repeats} repeats, gunicorn "
        f"{args.workers} workers on PostgreSQL, FRAGMENT_CACHE_SECONDS {kept}; {on_sale.count()} flights on sale in "
        f"{on_sale.values('itinerary').distinct().count()} itineraries, {Flight.objects.count()} flights in all"
    )
    width = max(len(name) for name, _, _ in endpoints)
    print(f"{'endpoint':{width}}  {'p95 ms per run':>26}  {'ratio to the run before':>24}  median ratio")
    print(f"{baseline[0]:{width}}  {' / '.join(f'{value:.0f}' for value in p95_ms[baseline[0]]):>26}")
    worst = 0.0
    for name, _, _ in pages:
        median = statistics.median(ratios[name])
        worst = max(worst, median)
        verdict = "ok" if median <= TARGET_RATIO else "OVER TARGET"
        print(
            f"{name:{width}}  {' / '.join(f'{value:.0f}' for value in p95_ms[name]):>26}  "
            f"{' / '.join(f'{value:.2f}' for value in ratios[name]):>24}  {median:.2f}  {verdict}"
        )
    print(f"target: each p95 at most {TARGET_RATIO:.1f}x the baseline's; worst median ratio {worst:.2f}")
    if failures:
        print(f"FAILED: answers other than 200: {failures}; the server's log is kept in {var_dir}")
        return 1
    shutil.rmtree(var_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
