"""The API throttle (config/throttling.py) as a client meets it: the request past the limit is 429 with a
Retry-After that is honest, windows slide, scopes and clients are counted apart and across connections, a
failing table lets requests through (logged), expired rows are swept, and each request costs one statement."""

from __future__ import annotations

import logging
import threading
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework import throttling as drf
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from config.models import ThrottleCount
from config.throttling import DatabaseRateThrottle, ScopedRateThrottle

pytestmark = pytest.mark.django_db

T = 1_700_000_040.0  # the start of a minute


class Clock:
    def __init__(self):
        self.now = T

    def __call__(self):
        return self.now


class Booking(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "booking"

    def post(self, request):
        return Response({"ok": True})


class Auth(Booking):
    throttle_scope = "auth"


@pytest.fixture(autouse=True)
def rates(monkeypatch):
    monkeypatch.setattr(drf.ScopedRateThrottle, "THROTTLE_RATES", {"booking": "3/min", "auth": "2/min"})


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(DatabaseRateThrottle, "timer", clock)
    return clock


def post(view=Booking, user=1, ip="192.0.2.1"):
    request = APIRequestFactory().post("/", REMOTE_ADDR=ip)
    if user is not None:
        force_authenticate(request, user=SimpleNamespace(pk=user, is_authenticated=True))
    response = view.as_view()(request)
    response.render()
    return response


def statuses(n, **kwargs):
    return [post(**kwargs).status_code for _ in range(n)]


def test_the_request_past_the_limit_is_429_with_retry_after_in_the_error_shape(clock):
    clock.now = T + 10
    assert statuses(3) == [200, 200, 200]
    refused = post()
    assert refused.status_code == 429
    assert refused.data["code"] == "throttled"
    assert refused["Retry-After"] == "51"  # the window's last 50 s, and its first millisecond after


def test_retry_after_is_honest_and_refused_requests_do_not_count(clock):
    clock.now = T + 10
    statuses(3)
    wait = None
    for _ in range(20):  # knocking while refused pushes nothing further out
        throttle = ScopedRateThrottle()
        request = APIRequestFactory().post("/")
        force_authenticate(request, user=SimpleNamespace(pk=1, is_authenticated=True))
        assert not throttle.allow_request(Booking().initialize_request(request), Booking())
        wait = throttle.wait() if wait is None else wait
        assert throttle.wait() == wait
    clock.now = T + 10 + wait - 0.001
    assert post().status_code == 429
    clock.now = T + 10 + wait
    assert post().status_code == 200


def test_the_window_slides_a_burst_at_its_edge_is_not_doubled(clock):
    clock.now = T + 59
    assert statuses(4) == [200, 200, 200, 429]
    clock.now = T + 61  # a fixed window would allow three more here: the previous minute still weighs 59/60
    assert statuses(2) == [200, 429]
    clock.now = T + 100  # 3 * 20/60 = 1 left of it
    assert statuses(2) == [200, 429]


def test_a_new_window_allows_again(clock):
    clock.now = T + 10
    assert statuses(4) == [200, 200, 200, 429]
    clock.now = T + 120  # the busy minute is now two windows back: it weighs nothing
    assert statuses(4) == [200, 200, 200, 429]


def test_two_scopes_and_two_clients_are_counted_apart(clock):
    assert statuses(4, user=1) == [200, 200, 200, 429]
    assert statuses(4, user=2) == [200, 200, 200, 429]
    assert statuses(3, view=Auth, user=1) == [200, 200, 429]
    assert statuses(3, view=Auth, user=None, ip="198.51.100.1") == [200, 200, 429]
    assert statuses(3, view=Auth, user=None, ip="198.51.100.2") == [200, 200, 429]
    assert set(ThrottleCount.objects.values_list("key", flat=True)) == {
        "throttle_booking_1", "throttle_booking_2", "throttle_auth_1",
        "throttle_auth_198.51.100.1", "throttle_auth_198.51.100.2",
    }


@pytest.mark.django_db(transaction=True)
def test_the_count_is_shared_across_database_connections():
    """Two threads, two connections, one count: what two web processes or hosts share."""
    assert statuses(2) == [200, 200]
    seen = {}

    def other_process():
        seen["connection"] = id(connection.connection)
        seen["status"] = post().status_code
        connection.close()

    thread = threading.Thread(target=other_process)
    thread.start()
    thread.join()
    assert seen["status"] == 200 and seen["connection"] != id(connection.connection)
    assert post().status_code == 429


def test_a_database_error_allows_the_request_and_logs(caplog):
    DatabaseRateThrottle._last_warning_at = 0.0
    with connection.cursor() as cursor:  # undone with the test's transaction
        cursor.execute("ALTER TABLE flightops_throttle RENAME TO flightops_throttle_gone")
    with caplog.at_level(logging.WARNING, logger="config.throttling"):
        assert statuses(5) == [200] * 5
    assert "failing open, throttles allow requests" in caplog.text
    assert caplog.text.count("failing open") == 1  # once, not once a request
    assert User.objects.count() >= 0  # the caller's transaction is intact: the failure was in a savepoint


def test_rows_older_than_two_windows_are_deleted(clock, monkeypatch):
    monkeypatch.setattr(DatabaseRateThrottle, "SWEEP_EVERY", 1)
    clock.now = T + 10
    post(user=1), post(user=2)
    clock.now = T + 70
    post(user=4)
    clock.now = T + 121  # users 1 and 2 were last seen in the window starting at T: they expire at T + 120
    post(user=3)
    assert set(ThrottleCount.objects.values_list("key", flat=True)) == {"throttle_booking_3", "throttle_booking_4"}


def test_a_request_costs_one_statement(clock):
    post()
    with CaptureQueriesContext(connection) as queries:
        assert post().status_code == 200
    statements = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert len(statements) == 1 and statements[0].startswith("INSERT INTO")


def test_a_host_whose_clock_is_behind_does_not_reset_the_count(clock):
    clock.now = T + 60.5
    assert statuses(4) == [200, 200, 200, 429]
    clock.now = T + 59.9  # another host, 0.6 s behind: still this window, not a fresh one
    assert post().status_code == 429
