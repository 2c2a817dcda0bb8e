"""Cache backends that fail open: an unreachable cache is logged and behaves as an empty one.

The cache holds nothing that must survive (DRF's throttle history): when Redis or the cache table is
unreachable, a read is a miss and a write is dropped, so a throttle lets the request through (logged as
a warning) instead of the API answering 500. A cache outage loses rate limiting for its duration, never
a booking or a decision.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

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
    """The default: a table in the main database (made by `migrate`, see flights/apps.py)."""


class FailOpenLocMemCache(FailOpenMixin, LocMemCache):
    """One process only (development): each process throttles on its own."""
