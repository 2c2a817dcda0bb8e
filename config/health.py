"""Liveness `/healthz` and readiness `/readyz` for load balancers (issue 15).

Answered by the first middleware, before host validation, the HTTPS redirect, sessions and two-factor: a
balancer probes a host by its address over plain HTTP. Liveness asks nothing of anyone (the process answers).
Readiness asks the database and the file store, which every page and upload needs: either down makes the host
unready (503). The cache and the broker are reported as degraded but never make a host unready: a web request
needs neither (DESIGN.md), and a Redis outage must not take every web host out of the balancer at once.
"""

from __future__ import annotations

import json
import time

from django.http import HttpResponse

PATHS = {"/healthz", "/readyz"}


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        check()
    except Exception as exc:  # a probe reports, it never raises
        return {"ok": False, "error": type(exc).__name__, "ms": round((time.perf_counter() - started) * 1000, 1)}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _database() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _file_store() -> None:
    from django.core.files.storage import storages

    from config.filestore import probe

    probe(storages["default"])
    probe(storages["medical"])


def _cache() -> None:
    from django.core.cache import cache

    cache.get("readyz-probe")


def _broker() -> None:
    from django.conf import settings

    url = settings.CELERY_BROKER_URL
    if url.startswith(("redis://", "rediss://")):
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        try:
            client.ping()
        finally:
            client.close()
    elif url.startswith("filesystem://"):
        import os

        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
        if not os.access(folder, os.W_OK):
            raise OSError(f"broker folder {folder} is not writable")


REQUIRED = {"database": _database, "file_store": _file_store}
DEGRADING = {"cache": _cache, "broker": _broker}


def readiness() -> tuple[int, dict]:
    checks = {name: _timed(check) for name, check in {**REQUIRED, **DEGRADING}.items()}
    if not all(checks[name]["ok"] for name in REQUIRED):
        status, code = "unready", 503
    elif not all(checks[name]["ok"] for name in DEGRADING):
        status, code = "degraded", 200
    else:
        status, code = "ready", 200
    return code, {"status": status, "checks": checks}


def _json(code: int, body: dict) -> HttpResponse:
    response = HttpResponse(json.dumps(body), status=code, content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response


class HealthMiddleware:
    """First in MIDDLEWARE: answers the two probe paths and passes everything else on untouched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info not in PATHS or request.method not in {"GET", "HEAD"}:
            return self.get_response(request)
        if request.path_info == "/healthz":
            return _json(200, {"status": "alive"})
        code, body = readiness()
        return _json(code, body)
