"""What one throttled request costs in the throttle: DRF's ScopedRateThrottle on the database cache against
config.throttling's one upsert, and the upsert on a logged against an UNLOGGED table.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/throttle_test nice python bench/throttle.py

Makes a fresh database `<name>_bench_throttle` on DATABASE_URL's PostgreSQL server and migrates it (as the serving
benchmarks do, bench/_serving.py). Requests are made as production makes them, in autocommit (no transaction
around the throttle).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("bench/throttle.py: set DATABASE_URL to a PostgreSQL server (a database of its own is made there)")
from bench._serving import fresh_database  # noqa: E402

os.environ["DATABASE_URL"] = fresh_database(os.environ["DATABASE_URL"], "throttle")
subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, check=True)

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework import throttling  # noqa: E402

from config import throttling as ours  # noqa: E402

CALLS = int(os.environ.get("BENCH_CALLS", "5000"))
ROUNDS = 5
USERS = 100  # keys round-robin, as many clients would
RATES = {"booking": "1000000000/min"}  # never refuses: every call is the allowed path (read and write)


def request(n: int):
    return SimpleNamespace(user=SimpleNamespace(is_authenticated=True, pk=f"bench{n % USERS}"), META={})


VIEW = SimpleNamespace(throttle_scope="booking")


def time_allow(throttle_class) -> tuple[float, float, float]:
    """Median microseconds per allow_request over ROUNDS rounds, the part of it spent waiting on the database
    (inside cursor.execute), and statements per call."""
    throttle_class.THROTTLE_RATES = RATES
    throttle_class.cache_format = "throttle_bench_%(scope)s_%(ident)s"
    requests = [request(n) for n in range(CALLS)]
    for r in requests[:USERS]:  # every key exists: the steady state, not the first request
        throttle_class().allow_request(r, VIEW)
    per_call, in_database = [], []
    waited = [0.0]

    def timing(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            waited[0] += time.perf_counter() - start

    for _ in range(ROUNDS):
        waited[0] = 0.0
        with connection.execute_wrapper(timing):
            start = time.perf_counter()
            for r in requests:
                assert throttle_class().allow_request(r, VIEW)
            per_call.append((time.perf_counter() - start) / CALLS * 1e6)
        in_database.append(waited[0] / CALLS * 1e6)
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        for r in requests[:100]:
            throttle_class().allow_request(r, VIEW)
    return statistics.median(per_call), statistics.median(in_database), len(queries) / 100


def time_upserts(unlogged: bool) -> float:
    table = "bench_throttle_unlogged" if unlogged else "bench_throttle_logged"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(f"CREATE {'UNLOGGED ' if unlogged else ''}TABLE {table} "
                       "(key varchar(255) PRIMARY KEY, n bigint NOT NULL)")
        sql = (f"INSERT INTO {table} AS t (key, n) VALUES (%s, 1) "
               "ON CONFLICT (key) DO UPDATE SET n = t.n + 1 RETURNING n")
        keys = [f"k{n % USERS}" for n in range(CALLS)]
        per_call = []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            for key in keys:
                cursor.execute(sql, [key])
                cursor.fetchone()
            per_call.append((time.perf_counter() - start) / CALLS * 1e6)
        cursor.execute(f"DROP TABLE {table}")
    return statistics.median(per_call)


def main() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = 'flightops_throttle'")
        persistence = {"u": "UNLOGGED", "p": "logged"}[cursor.fetchone()[0]]
        cursor.execute("SHOW synchronous_commit")
        synchronous_commit = cursor.fetchone()[0]
    print(f"{CALLS} calls x {ROUNDS} rounds, {USERS} keys, autocommit, synchronous_commit={synchronous_commit}")
    for name, throttle_class in (("DRF ScopedRateThrottle, database cache", throttling.ScopedRateThrottle),
                                 (f"config.throttling, {persistence} table", ours.ScopedRateThrottle)):
        total, database, statements = time_allow(throttle_class)
        print(f"{name:40s} {total:7.1f} us/request ({database:6.1f} in the database, {total - database:5.1f} "
              f"Python), {statements:.2f} statements")
    logged, unlogged = time_upserts(False), time_upserts(True)
    print(f"bare upsert loop: logged {logged:.1f} us, UNLOGGED {unlogged:.1f} us per statement")


if __name__ == "__main__":
    main()
