"""Cache backends that fail open: an unreachable cache is logged and behaves as an empty one.

The cache holds nothing that must survive (DRF's throttle history): when Redis or the cache table is
unreachable, a read is a miss and a write is dropped, so a throttle lets the request through (logged as
a warning) instead of the API answering 500. A cache outage loses rate limiting for its duration, never
a booking or a decision.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import itertools
import logging
import pickle
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.db import DatabaseError, connections, router, transaction
from django.utils import timezone

logger = logging.getLogger("config.cache")

_WARN_EVERY_S = 30.0
UNREACHABLE = object()  # what `get_checked` answers when the cache itself did not answer


class FailOpenMixin:
    """Wraps the reads and writes DRF's throttles (and anything else) make; a failure returns the default."""

    _last_warning_at = 0.0

    def _failed(self, operation: str, exc: Exception, default):
        now = time.monotonic()
        if now - FailOpenMixin._last_warning_at >= _WARN_EVERY_S:  # an outage would log every request
            FailOpenMixin._last_warning_at = now
            logger.warning(
                "Cache %s failed (%s: %s): failing open, throttles allow requests until the cache is back.",
                operation, type(exc).__name__, exc,
            )
        return default

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except Exception as exc:
            return self._failed("get", exc, default)

    def get_checked(self, key, version=None):
        """Like `get`, but tells a cache that did not answer (UNREACHABLE) from a missing key (None)."""
        try:
            return super().get(key, None, version)
        except Exception as exc:
            return self._failed("get", exc, UNREACHABLE)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set(key, value, timeout, version)
        except Exception as exc:
            return self._failed("set", exc, None)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except Exception as exc:
            return self._failed("add", exc, False)

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except Exception as exc:
            return self._failed("delete", exc, False)

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except Exception as exc:
            return self._failed("get_many", exc, {})

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except Exception as exc:
            return self._failed("set_many", exc, list(data))

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version)
        except Exception as exc:
            return self._failed("delete_many", exc, None)

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except Exception as exc:
            return self._failed("has_key", exc, False)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except Exception as exc:
            return self._failed("touch", exc, False)

    def clear(self):
        try:
            return super().clear()
        except Exception as exc:
            return self._failed("clear", exc, None)


class FailOpenRedisCache(FailOpenMixin, RedisCache):
    """Redis (CACHE_URL=redis://...): its own URL, never the broker's database by default."""


class FailOpenDatabaseCache(FailOpenMixin, DatabaseCache):
    """The default: a table in the main database (made by `migrate`, see flights/apps.py).

    On PostgreSQL a `set` is one upsert. Django's takes five statements (a COUNT(*) of the table to decide on
    culling, then BEGIN, SELECT, UPDATE or INSERT, COMMIT), and every throttled request writes its history
    (a seat hold also writes the fragments' version): here the table is counted, and culled past MAX_ENTRIES,
    on every CULL_CHECK_EVERY-th set of a process, so it may pass MAX_ENTRIES by that many rows per process.
    """

    CULL_CHECK_EVERY = 100
    _sets = itertools.count()

    def _base_set(self, mode, key, value, timeout=DEFAULT_TIMEOUT):
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        if mode != "set" or connection.vendor != "postgresql":
            return super()._base_set(mode, key, value, timeout)
        timeout = self.get_backend_timeout(timeout)
        expires = dt.datetime.max if timeout is None else dt.datetime.fromtimestamp(timeout, tz=dt.UTC)
        expires = connection.ops.adapt_datetimefield_value(expires.replace(microsecond=0))
        encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
        quote, table = connection.ops.quote_name, connection.ops.quote_name(self._table)
        key_column, value_column, expires_column = quote("cache_key"), quote("value"), quote("expires")
        try:
            # Inside a transaction a failed write must not abort the caller's: a savepoint, as Django's atomic.
            savepoint = transaction.atomic(using=db) if connection.in_atomic_block else contextlib.nullcontext()
            with savepoint, connection.cursor() as cursor:
                if next(self._sets) % self.CULL_CHECK_EVERY == self.CULL_CHECK_EVERY - 1:
                    cursor.execute(f"SELECT COUNT(*) FROM {table}")
                    count = cursor.fetchone()[0]
                    if count > self._max_entries:
                        self._cull(db, cursor, timezone.now().replace(microsecond=0), count)
                cursor.execute(
                    f"INSERT INTO {table} ({key_column}, {value_column}, {expires_column}) VALUES (%s, %s, %s) "
                    f"ON CONFLICT ({key_column}) DO UPDATE SET {value_column} = EXCLUDED.{value_column}, "
                    f"{expires_column} = EXCLUDED.{expires_column}",
                    [key, encoded, expires],
                )
        except DatabaseError:
            return False  # as Django's: a write that fails is dropped (the cache fails open)
        return True


class FailOpenLocMemCache(FailOpenMixin, LocMemCache):
    """One process only (development): each process throttles on its own."""
