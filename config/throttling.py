"""DRF's ScopedRateThrottle counted in one database statement: a sliding-window counter in its own table.

Same configuration (REST_FRAMEWORK DEFAULT_THROTTLE_RATES, "60/min"), same scopes (`throttle_scope`), same key
(`throttle_<scope>_<user id or client address>`, the address by config.proxies' rule), same 429 with
Retry-After. What changes is how a request is counted. DRF keeps every request's timestamp in the cache, read
and rewritten on each request (a SELECT and an upsert, with pickling: two round trips). Here each request is
one `INSERT ... ON CONFLICT (key) DO UPDATE ... RETURNING` on `flightops_throttle` (config/models.py), on
PostgreSQL and SQLite alike, in the database every web process and host shares.

The counting rule: a sliding-window counter. Time is cut into fixed windows of the rate's period, aligned
on the epoch; a row keeps the requests allowed in the current window and in the one before it, and a request
is allowed while

    previous * (1 - elapsed / period) + current < limit

(elapsed: time since the current window began). DRF's exact sliding log cannot be kept in one cheap
statement (it stores one timestamp per request). A plain fixed window (current < limit) would let a client
send `limit` requests at the end of one window and `limit` more at the start of the next: 2x in a moment.
The weighted previous window takes the place of the log: it assumes the previous window's requests were
spread evenly, so a burst at the edge is still counted against the next window and it fades out as the
window slides on. The approximation errs by at most the unevenness of the previous window, never more than
`limit` requests in any window-long stretch plus the fraction the weighting underestimates.

Refused requests are not counted (as DRF, which records only allowed requests): the upsert increments only
when it allows, so a client that honours Retry-After gets in when it says, and one that keeps knocking does
not push its own wait further out. Retry-After (`wait()`) is the time until the estimate falls below the
limit, as DRF's is the time until the oldest request in the log expires.

Old rows: a row older than two windows counts nothing (it reads as absent). Every SWEEP_EVERY-th request of a
process also deletes those rows (`expires` < now), one more statement then, a sequential scan of a table as
large as the clients of the last few windows: no index on `expires`, so every upsert stays a heap-only
update on PostgreSQL. The table never holds more than the keys active in the last two windows plus what
SWEEP_EVERY requests per process can add; without requests it does not grow.

The clock is the web host's (`timer`, as DRF's); NTP-synchronised hosts differ by milliseconds, which shifts
a window edge by as much. A row already in a later window (a host slightly behind) is counted as in the
current one rather than reset.

Fails open, as the cache does (config/cache.py): a database error in the throttle is logged as a warning (at
most every 30 s) and the request is allowed. When the whole database is down the request fails further on
anyway; this is for the throttle's own table failing (not migrated, locked, a statement timeout) and keeps a
throttle from being the cause of a 500.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import math
import time

from django.db import DatabaseError, connections, router, transaction
from rest_framework import throttling

from config.cache import _WARN_EVERY_S  # the same 30 s: an outage would otherwise log every request
from config.models import ThrottleCount

logger = logging.getLogger("config.throttling")




class DatabaseRateThrottle(throttling.SimpleRateThrottle):
    """SimpleRateThrottle's `allow_request` and `wait`, counted in `flightops_throttle` in one statement."""

    SWEEP_EVERY = 1000  # requests of a process between two deletions of expired rows
    _requests = itertools.count(1)
    _last_warning_at = 0.0

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        period_ms = self.duration * 1000
        now_ms = round(self.timer() * 1000)
        window_start = now_ms - now_ms % period_ms
        self.period_ms, self.remaining_ms = period_ms, period_ms - (now_ms - window_start)
        try:
            self.previous, self.current, allowed = self._count(now_ms, window_start)
        except DatabaseError as exc:
            self._failed(exc)
            return True
        return bool(allowed)

    def _count(self, now_ms: int, window_start: int) -> tuple[int, int, bool]:
        db = router.db_for_write(ThrottleCount)
        connection = connections[db]
        quote = connection.ops.quote_name
        table, key, start, previous, current, allowed, expires = (
            quote(name) for name in ("flightops_throttle", "key", "window_start", "previous_count",
                                     "current_count", "allowed", "expires")
        )
        same = f"t.{start} >= EXCLUDED.{start}"  # the row is in this window (or a later one: a host behind)
        kept_previous = (f"CASE WHEN {same} THEN t.{previous} "
                         f"WHEN t.{start} = %(previous_start)s THEN t.{current} ELSE 0 END")
        kept_current = f"CASE WHEN {same} THEN t.{current} ELSE 0 END"
        # previous * (1 - elapsed/period) + current < limit, times the period: integers only, no rounding.
        allows = f"({kept_previous}) * %(remaining)s + ({kept_current}) * %(period)s < %(limit_period)s"
        params = {
            "key": self.key, "start": window_start, "expires": window_start + 2 * self.period_ms,
            "first": 1 if self.num_requests > 0 else 0, "first_allowed": self.num_requests > 0,
            "previous_start": window_start - self.period_ms, "remaining": self.remaining_ms,
            "period": self.period_ms, "limit_period": self.num_requests * self.period_ms,
        }
        sql = (
            f"INSERT INTO {table} AS t ({key}, {start}, {previous}, {current}, {allowed}, {expires}) "
            f"VALUES (%(key)s, %(start)s, 0, %(first)s, %(first_allowed)s, %(expires)s) "
            f"ON CONFLICT ({key}) DO UPDATE SET "
            f"{previous} = {kept_previous}, "
            f"{current} = {kept_current} + CASE WHEN {allows} THEN 1 ELSE 0 END, "
            f"{allowed} = {allows}, "
            f"{start} = CASE WHEN {same} THEN t.{start} ELSE EXCLUDED.{start} END, "
            f"{expires} = CASE WHEN {same} THEN t.{expires} ELSE EXCLUDED.{expires} END "
            f"RETURNING {previous}, {current}, {allowed}"
        )
        # Inside a transaction (a test, or a caller's atomic) a failed statement must not abort the caller's.
        savepoint = transaction.atomic(using=db) if connection.in_atomic_block else contextlib.nullcontext()
        with savepoint, connection.cursor() as cursor:
            if next(self._requests) % self.SWEEP_EVERY == 0:
                cursor.execute(f"DELETE FROM {table} WHERE {expires} < %s", [now_ms])
            cursor.execute(sql, params)
            return cursor.fetchone()

    def _failed(self, exc: Exception) -> None:
        now = time.monotonic()
        if now - DatabaseRateThrottle._last_warning_at >= _WARN_EVERY_S:
            DatabaseRateThrottle._last_warning_at = now
            logger.warning(
                "Throttle count failed (%s: %s): failing open, throttles allow requests until the table is back.",
                type(exc).__name__, exc,
            )

    def wait(self):
        """Seconds until the first millisecond the estimate is below the limit again (DRF rounds it up for
        Retry-After): a client that waits that long is allowed, refused requests having counted nothing."""
        limit, period, remaining = self.num_requests, self.period_ms, self.remaining_ms
        previous, current = getattr(self, "previous", 0), getattr(self, "current", 0)
        if limit <= 0:
            return self.duration
        if previous and current < limit:
            # Later in this window: previous * (remaining - t) + current * period < limit * period.
            in_window = math.floor(remaining - (limit - current) * period / previous) + 1
            if in_window < remaining:
                return max(in_window, 0) / 1000
        # From the next window on this window is the previous one: current * (period - t) < limit * period.
        next_window = max(math.floor(period - limit * period / current) + 1, 0) if current else 0
        return (remaining + next_window) / 1000


class ScopedRateThrottle(throttling.ScopedRateThrottle, DatabaseRateThrottle):
    """DRF's ScopedRateThrottle (the view's `throttle_scope`, its rate from DEFAULT_THROTTLE_RATES, the key from
    the user id or the client's address), counted by DatabaseRateThrottle. A drop-in for
    `rest_framework.throttling.ScopedRateThrottle` in a view's `throttle_classes`."""


__all__ = ["DatabaseRateThrottle", "ScopedRateThrottle"]
