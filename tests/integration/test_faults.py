"""Fault injection against real services: a Redis of the test's own, killed mid-test; real workers SIGKILLed
mid-batch and mid-computation; mail counted at a local SMTP server (aiosmtpd), not the locmem backend.

- With Redis down, register, token, hold, consent, cancel, a surgeon's decision and information request
  (API), a launch-window request and a portal hold all answer their normal success. Afterwards Redis comes
  back, a real worker runs the beat's sweeps: every message is delivered once, the lost computation runs.
- A worker SIGKILLed while the mail server holds a message repeats at most that one message (the beat's sweep
  sends the rest: the batch's one wake-up died with the worker).
- A window computation whose worker is SIGKILLed completes within minutes of a new worker starting.
"""

from __future__ import annotations

import time

import pytest
from django.db import transaction
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.conftest import PASSWORD
from tests.integration.faults import CountingSmtp, started, wait_for, worker_env

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.worker, pytest.mark.timeout(240)]


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def timed(call):
    started_at = time.monotonic()
    response = call()
    return response, time.monotonic() - started_at


def test_with_redis_down_requests_succeed_and_every_message_is_delivered_once_after(
    own_redis, start_worker, settings, pax, other_pax, surgeon, operations, director, other_director, django_user_model
):
    from config.settings import cache_settings_from_url
    from flights.models import Notification, WindowComputation
    from flights.tasks import requeue_stale_jobs, send_notifications
    from tests.conftest import make_user
    from tests.medical import factories as medical
    from tests.tourism.factories import bookable_flight
    from tests.verification.factories import certified_vehicle

    # The cache on the same Redis too (CACHE_URL=redis://...): the throttles must fail open when it dies.
    settings.CACHES = {"default": cache_settings_from_url(own_redis.url.replace("/0", "/1"))}
    flight = bookable_flight(vehicle=certified_vehicle(ops=operations, directors=[director, other_director]))
    asking = medical.under_review(make_user(django_user_model, "kim", "Passenger"), surgeon)
    deciding = medical.under_review(make_user(django_user_model, "lee", "Passenger"), surgeon)
    held = token_client(pax).post(f"/api/v1/flights/{flight.pk}/holds/", {}, format="json")
    assert held.status_code == 201, held.content
    booking_id = held.json()["id"]

    own_redis.kill()  # every task queued so far is gone with it
    registration = {"username": "ada", "email": "ada@example.test", "password": "orbital-velocity-7.8",
                    "first_name": "Ada", "last_name": "Lovelace", "legal_name": "Augusta Ada King",
                    "date_of_birth": "1985-12-10", "nationality": "GB", "passport_number": "P1234567", "mass_kg": "62.5",
                    "height_cm": 168, "emergency_contact": "Charles Babbage, +44 20 7946 0001"}
    portal = Client()
    portal.force_login(other_pax)
    staff_api = APIClient()
    staff_api.force_authenticate(operations)
    pax_api, surgeon_api = token_client(pax), token_client(surgeon)
    calls = {
        "register": lambda: APIClient().post("/api/v1/auth/register/", registration, format="json"),
        "token": lambda: APIClient().post("/api/v1/auth/token/", {"username": "ada", "password": registration["password"]},
                                          format="json"),
        "consent": lambda: pax_api.post(
            f"/api/v1/bookings/{booking_id}/consent/",
            {"legal_name": "Pat Q. Tester", "password": PASSWORD,
             "disclosure_sha256": pax_api.get(f"/api/v1/bookings/{booking_id}/consent/").json()["sha256"]},
            format="json"),
        "cancel": lambda: pax_api.post(f"/api/v1/bookings/{booking_id}/cancel/", {"reason": "Changed plans"}, format="json"),
        "hold again": lambda: pax_api.post(f"/api/v1/flights/{flight.pk}/holds/", {}, format="json"),
        "request information": lambda: surgeon_api.post(
            f"/api/v1/medical/clearances/{asking.pk}/request-information/", {"message": "Send the ECG."}, format="json"),
        "decide": lambda: surgeon_api.post(
            f"/api/v1/medical/clearances/{deciding.pk}/decide/", {"outcome": "cleared", "reasons": "Fit to fly."},
            format="json"),
        "launch windows": lambda: staff_api.post(f"/api/v1/flights/{flight.pk}/launch-windows/", {}, format="json"),
        "portal hold": lambda: portal.post(f"/catalog/flights/{flight.pk}/hold/"),
    }
    expected = {"register": 201, "token": 200, "consent": 200, "cancel": 200, "hold again": 201,
                "request information": 200, "decide": 200, "launch windows": 202, "portal hold": 302}
    seconds = {}
    for name, call in calls.items():
        response, seconds[name] = timed(call)
        assert response.status_code == expected[name], (name, response.status_code, response.content[:500])
    print("\nRedis down, seconds per request:", {name: round(s, 2) for name, s in seconds.items()})
    assert max(seconds.values()) < 10
    pending = Notification.objects.filter(status="pending").count()
    assert pending >= 7 and pending == Notification.objects.count()  # nothing sent: no worker, no broker
    computation = WindowComputation.objects.get(flight=flight)
    assert computation.status == "queued"  # its task never reached a broker

    own_redis.start()  # an empty Redis: nothing survived
    with CountingSmtp() as smtp:
        started(start_worker(**worker_env(own_redis, smtp)))
        came_back = time.monotonic()
        # What the beat sends every minute: the outbox's sweep and the stale-job sweep.
        send_notifications.delay()
        assert wait_for(lambda: not Notification.objects.exclude(status="sent").exists(), timeout_s=60), list(
            Notification.objects.exclude(status="sent").values("subject", "status", "last_error"))
        delivered_s = time.monotonic() - came_back
        time.sleep(3.5)  # the computation is stale now (JOB_STALE_AFTER_SECONDS=3 in the worker)
        requeue_stale_jobs.delay()
        assert wait_for(lambda: WindowComputation.objects.get(pk=computation.pk).status == "done", timeout_s=90), (
            WindowComputation.objects.get(pk=computation.pk).stage)
        recovered_s = time.monotonic() - came_back
        send_notifications.delay()  # a second sweep sends nothing again
        time.sleep(1.5)
        counts = smtp.counts()

    keys = set(Notification.objects.values_list("dedupe_key", flat=True))
    print(f"Redis back: {len(keys)} messages delivered in {delivered_s:.1f} s, duplicates "
          f"{sum(counts.values()) - len(counts)}; lost computation done {recovered_s:.1f} s after the worker started")
    assert set(counts) == keys and all(n == 1 for n in counts.values()), counts
    subjects = set(Notification.objects.values_list("subject", flat=True))
    assert {"Verify your email address for Spaceline", "A decision on your medical clearance",
            "Your flight surgeon needs more information"} <= subjects
    assert any(subject.endswith(": cancelled") for subject in subjects)


def test_a_worker_killed_mid_batch_repeats_at_most_the_message_in_flight(own_redis, start_worker):
    from flights.models import Notification
    from flights.notifications import notification_queue
    from flights.tasks import send_notifications

    with CountingSmtp(hold_s=2.0, signal_at=4) as smtp:
        with transaction.atomic():
            for number in range(10):
                notification_queue(dedupe_key=f"fault-test.{number}", recipient=f"p{number}@example.test",
                                   subject=f"Message {number}", body="Hello.")
        doomed = start_worker(**worker_env(own_redis, smtp))
        # The fourth message is with the mail server (which holds it for 2 s): the worker dies waiting.
        assert smtp.in_flight.wait(timeout=120), doomed.log()
        doomed.kill()
        assert Notification.objects.filter(status="sent").count() == 3
        started(start_worker(**worker_env(own_redis, smtp)))
        # The batch's one wake-up died unacknowledged with the worker (Redis redelivers it only after the
        # visibility timeout): the beat's every-minute sweep sends the rest.
        send_notifications.delay()
        assert wait_for(lambda: not Notification.objects.exclude(status="sent").exists(), timeout_s=90)
        time.sleep(1)
        counts = smtp.counts()
    duplicates = sum(counts.values()) - len(counts)
    print(f"\nKilled mid-batch: {sum(counts.values())} deliveries of {len(counts)} messages, {duplicates} duplicate(s)")
    assert set(counts) == {f"fault-test.{n}" for n in range(10)}
    assert duplicates <= 1 and [key for key, n in counts.items() if n > 1] in ([], ["fault-test.3"])


def test_a_computation_whose_worker_is_killed_completes_after_a_new_worker_starts(own_redis, start_worker, operations):
    import datetime as dt

    from flights.launch_windows import launch_windows_request
    from flights.models import WindowComputation
    from flights.tasks import requeue_stale_jobs
    from tests.flights.factories import FlightFactory, SpaceportFactory, VehicleFactory

    spa = SpaceportFactory(code="spa", name="Spaceport America", timezone="America/Denver")
    flight = FlightFactory(vehicle=VehicleFactory(home_spaceport=spa), spaceport=spa,
                           launch_at=dt.datetime(2026, 12, 12, 17, 0, tzinfo=dt.UTC))
    with CountingSmtp() as smtp:
        doomed = start_worker(**worker_env(own_redis, smtp, LAUNCH_WINDOWS_TEST_DELAY_S="120"))
        computation = launch_windows_request(flight=flight, by=operations)
        assert wait_for(lambda: WindowComputation.objects.get(pk=computation.pk).progress_percent == 10,
                        timeout_s=120), doomed.log()
        doomed.kill()  # mid-computation: the task is unacknowledged, Redis would redeliver it only after 1 h
        assert WindowComputation.objects.get(pk=computation.pk).status == "running"
        started(start_worker(**worker_env(own_redis, smtp)))
        new_worker_at = time.monotonic()
        # The beat's requeue-stale-jobs, every few seconds here (every minute in production).
        done = wait_for(lambda: requeue_stale_jobs.delay() and
                        WindowComputation.objects.get(pk=computation.pk).status == "done", timeout_s=120, interval_s=2)
        recovered_s = time.monotonic() - new_worker_at
    computation.refresh_from_db()
    print(f"\nKilled mid-computation: done {recovered_s:.1f} s after the new worker started "
          f"(attempt {computation.attempts})")
    assert done, computation.stage
    assert computation.attempts == 2 and computation.windows.count() == 2
