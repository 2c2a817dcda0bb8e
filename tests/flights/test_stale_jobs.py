"""Stuck work recovers by itself: a window computation whose message or worker was lost is sent again by
the stale-job sweep, fails with a reason after too many tries, and never blocks a new request for ever."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from flights import jobs
from flights.launch_windows import WindowComputationRefused, launch_windows_compute, launch_windows_request
from flights.models import WindowComputation
from tests.flights.factories import FlightFactory, SpaceportFactory, VehicleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def flight():
    spa = SpaceportFactory(code="spa", name="Spaceport America", timezone="America/Denver")
    return FlightFactory(vehicle=VehicleFactory(home_spaceport=spa), spaceport=spa,
                         launch_at=dt.datetime(2026, 12, 12, 17, 0, tzinfo=dt.UTC))


@pytest.fixture
def sent(monkeypatch):
    """The computations the sweep hands to the broker (after commit)."""
    from flights import tasks

    ids = []
    monkeypatch.setattr(tasks.compute_launch_windows, "delay", lambda pk: ids.append(pk))
    return ids


def silent_for(computation, seconds: int, status: str = "queued") -> None:
    WindowComputation.objects.filter(pk=computation.pk).update(
        status=status, heartbeat_at=timezone.now() - dt.timedelta(seconds=seconds)
    )


def test_a_lost_message_is_sent_again_once_its_heartbeat_is_stale(flight, settings, sent, django_capture_on_commit_callbacks):
    settings.JOB_STALE_AFTER_SECONDS = 180
    computation = launch_windows_request(flight=flight)  # its on-commit never ran: the message is "lost"
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.stale_jobs_requeue() == {"requeued": 0, "failed": 0}  # fresh: the task may still come
    silent_for(computation, 181)
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.stale_jobs_requeue() == {"requeued": 1, "failed": 0}
        assert jobs.stale_jobs_requeue() == {"requeued": 0, "failed": 0}  # run twice: nothing more
    assert sent == [computation.pk]
    computation.refresh_from_db()
    assert (computation.status, computation.attempts) == ("queued", 2) and "attempt 2 of 3" in computation.stage


def test_a_running_job_whose_worker_died_is_requeued_and_completes(flight, settings, sent,
                                                                   django_capture_on_commit_callbacks):
    computation = launch_windows_request(flight=flight)
    silent_for(computation, settings.JOB_STALE_AFTER_SECONDS + 1, status="running")
    with django_capture_on_commit_callbacks(execute=True):
        jobs.stale_jobs_requeue()
    assert sent == [computation.pk]
    done = launch_windows_compute(computation=computation)  # what the worker that receives it does
    assert done.status == "done" and done.windows.count() == 2


def test_after_too_many_attempts_the_job_fails_with_the_reason(flight, settings, sent):
    settings.JOB_MAX_ATTEMPTS = 2
    computation = launch_windows_request(flight=flight)
    WindowComputation.objects.filter(pk=computation.pk).update(attempts=2)
    silent_for(computation, settings.JOB_STALE_AFTER_SECONDS + 1, status="running")
    assert jobs.stale_jobs_requeue() == {"requeued": 0, "failed": 1}
    computation.refresh_from_db()
    assert computation.status == "failed" and "No worker finished it after 2 attempts" in computation.error
    assert launch_windows_compute(computation=computation).status == "failed"  # a late redelivery changes nothing


def test_progress_is_the_heartbeat(flight, settings):
    computation = launch_windows_request(flight=flight)
    silent_for(computation, 3600)
    launch_windows_compute(computation=computation)
    computation.refresh_from_db()
    assert timezone.now() - computation.heartbeat_at < dt.timedelta(minutes=1)


def test_a_stale_job_does_not_block_a_new_request_but_a_live_one_does(flight, settings, operations):
    first = launch_windows_request(flight=flight)
    with pytest.raises(WindowComputationRefused, match="already being computed"):
        launch_windows_request(flight=flight)
    silent_for(first, settings.JOB_STALE_AFTER_SECONDS + 1, status="running")
    api = APIClient()
    api.force_authenticate(operations)
    response = api.post(f"/api/v1/flights/{flight.pk}/launch-windows/")
    assert response.status_code == 202, response.content
    first.refresh_from_db()
    assert first.status == "failed" and "replaced it" in first.error
    assert response.json()["status"] == "queued" and response.json()["id"] != first.pk


def test_a_broker_outage_does_not_fail_the_request(flight, operations, monkeypatch, django_capture_on_commit_callbacks):
    from flights import tasks

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(tasks.compute_launch_windows, "delay", broken)
    api = APIClient()
    api.force_authenticate(operations)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/flights/{flight.pk}/launch-windows/")
    assert response.status_code == 202 and WindowComputation.objects.get().status == "queued"
