"""A cache outage degrades, never breaks: the public fragments (config/fragments.py) read the cache's version on
every list, and an unreachable cache renders the page afresh (logged) instead of answering 500; the throttles
count in their own table (config/throttling.py) and need no cache. The broker and the cache are apart by
default."""

import logging
import socket

import pytest
from rest_framework.test import APIClient

from config.settings import cache_settings_from_url

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the probe closes


@pytest.fixture
def flight():
    from tests.conftest import only_rules_of
    from tests.tourism.factories import bookable_flight

    with only_rules_of("tourism"):  # scheduled without a certified vehicle: certification is tested elsewhere
        return bookable_flight(code="NS-41")


@pytest.fixture
def unreachable_redis_url():
    return f"redis://127.0.0.1:{closed_port()}/0"


def test_pages_and_throttled_endpoints_answer_normally_when_the_cache_is_down(
    settings, unreachable_redis_url, caplog, pax, flight
):
    from config import cache

    cache.FailOpenMixin._last_warning_at = 0.0
    settings.CACHES = {"default": cache_settings_from_url(unreachable_redis_url)}
    with caplog.at_level(logging.WARNING, logger="config.cache"):
        listed = APIClient().get("/api/v1/flights/")
        wrong = APIClient().post("/api/v1/auth/token/", {"username": "pat", "password": "nope"}, format="json")
        right = APIClient().post("/api/v1/auth/token/", {"username": "pat", "password": "correct-horse-battery-42"},
                                 format="json")
    assert listed.status_code == 200 and [row["code"] for row in listed.json()["results"]] == [flight.code]
    assert wrong.status_code == 400 and wrong.json()["code"] == "invalid"
    assert right.status_code == 200 and right.json()["token"]
    assert "failing open" in caplog.text


def test_without_failing_open_the_same_outage_is_an_error(settings, unreachable_redis_url, flight):
    """What the fail-open backend guards against: Django's own Redis cache raises into the request."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": unreachable_redis_url, "OPTIONS": {"socket_connect_timeout": 1}}}
    with pytest.raises(Exception, match="(?i)connect"):
        APIClient().get("/api/v1/flights/")


def test_throttles_throttle_whatever_the_cache(settings, unreachable_redis_url, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    settings.CACHES = {"default": cache_settings_from_url(unreachable_redis_url)}
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {**ScopedRateThrottle.THROTTLE_RATES, "auth": "2/min"})
    statuses = [APIClient().post("/api/v1/auth/token/", {"username": "x", "password": "y"}, format="json").status_code
                for _ in range(3)]
    assert statuses == [400, 400, 429]


def test_the_database_cache_set_overwrites_expires_and_is_culled_past_its_limit(monkeypatch):
    """`set` is one upsert on PostgreSQL (config/cache.py): a second set replaces the value, an expired entry
    reads as missing, and the periodic check culls the table back under MAX_ENTRIES."""
    from django.core.cache import cache
    from django.db import connection

    from config.cache import FailOpenDatabaseCache

    cache.set("bench-key", "first", 60)
    cache.set("bench-key", "second", 60)
    assert cache.get("bench-key") == "second"
    cache.set("gone", "value", -1)
    assert cache.get("gone") is None
    if connection.vendor != "postgresql":
        return  # elsewhere Django's own set runs, culling on every set
    monkeypatch.setattr(FailOpenDatabaseCache, "CULL_CHECK_EVERY", 1)  # check on every set
    monkeypatch.setattr(cache, "_max_entries", 10)
    for n in range(30):
        cache.set(f"fill-{n}", n, 60)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM flightops_cache")
        assert cursor.fetchone()[0] <= 11  # culled whenever it passed 10 (the write after the check adds one)
    assert cache.get("fill-29") == 29


@pytest.mark.postgres
def test_migrate_makes_the_database_cache_table_unlogged():
    """Its writes (the fragments' version on every change) skip the write-ahead log; `migrate` turns a table
    made before this back to UNLOGGED."""
    from django.apps import apps
    from django.db import connection

    from flights.apps import create_cache_table
    from tests.conftest import require_postgres

    require_postgres()

    def persistence() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT relpersistence FROM pg_class WHERE oid = 'flightops_cache'::regclass")
            return cursor.fetchone()[0]

    assert persistence() == "u"
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE flightops_cache SET LOGGED")
    assert persistence() == "p"
    create_cache_table(apps.get_app_config("flights"))
    assert persistence() == "u"
