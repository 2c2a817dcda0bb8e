"""/healthz and /readyz for load balancers (issue 15): ready means the database and the file store answer; a
cache or broker outage degrades but never takes a host out of the balancer."""

from __future__ import annotations

import pytest

from config.filestore import storages_from_env
from tests.s3 import free_port

pytestmark = pytest.mark.django_db


def test_liveness_answers_by_address_without_touching_anything(client, settings, django_assert_num_queries):
    settings.ALLOWED_HOSTS = ["ops.example.com"]
    with django_assert_num_queries(0):
        response = client.get("/healthz", HTTP_HOST="10.1.2.3:8000")  # a balancer probes by address
    assert response.status_code == 200 and response.json() == {"status": "alive"}
    assert response["Cache-Control"] == "no-store"


def test_ready_when_database_and_file_store_answer(client):
    response = client.get("/readyz", HTTP_HOST="10.1.2.3")
    body = response.json()
    assert response.status_code == 200 and body["status"] == "ready", body
    assert {name for name, check in body["checks"].items() if check["ok"]} == {"database", "file_store", "cache", "broker"}


def test_ready_over_the_object_store(client, s3_storage):
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json()["checks"]["file_store"]["ok"]


def test_broker_and_cache_down_degrade_but_leave_the_host_in_the_balancer(client, settings):
    dead = f"redis://127.0.0.1:{free_port()}/0"
    settings.CELERY_BROKER_URL = dead
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": dead}}
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "degraded"
    assert not body["checks"]["broker"]["ok"] and not body["checks"]["cache"]["ok"]
    assert body["checks"]["database"]["ok"] and body["checks"]["file_store"]["ok"]


def test_a_file_store_that_is_down_makes_the_host_unready(client, s3_storage, settings):
    env = {**s3_storage["env"], "S3_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}", "S3_MAX_ATTEMPTS": "1",
           "S3_CONNECT_TIMEOUT": "1"}
    settings.STORAGES = {**settings.STORAGES, **storages_from_env(env, debug=False)}
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 503 and body["status"] == "unready"
    assert body["checks"]["file_store"] == {"ok": False, "error": "FileStoreUnreachable", "ms": body["checks"]["file_store"]["ms"]}
    assert "127.0.0.1" not in response.content.decode()  # no endpoint or secret in a public probe


def test_a_missing_bucket_makes_the_host_unready(client, s3_storage, settings):
    settings.STORAGES = {**settings.STORAGES,
                         **storages_from_env({**s3_storage["env"], "S3_BUCKET": "gone"}, debug=False)}
    assert client.get("/readyz").status_code == 503


def test_other_methods_and_paths_pass_through(client):
    assert client.post("/readyz").status_code in {403, 404, 405}
    assert client.get("/readyz/").status_code == 404
