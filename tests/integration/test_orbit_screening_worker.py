"""Registering a protected object of a flight in orbit queues an on-orbit screening run (it is not screened
until then: Traffic says NO-GO); a real worker runs it, reports progress, records the event; the beat's sweep
then queues nothing until the next run is due."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from flights.traffic.models import ConjunctionEvent, ScreeningRun
from flights.traffic.screening import screening_sweep
from tests.integration.chunks import station_in_orbit
from tests.integration.test_worker import wait_for
from tests.orbits.data import requires_data


@requires_data
@pytest.mark.worker
def test_a_new_protected_object_queues_a_run_that_a_real_worker_completes(celery_worker_process, director, settings):
    now = timezone.now()
    station_in_orbit(now=now, director=director)  # its commit queues the run and sends it to the worker

    assert ScreeningRun.objects.count() == 1
    queued = ScreeningRun.objects.get().pk
    assert screening_sweep()["queued"] is None  # the queued run covers the station
    assert wait_for(lambda: ScreeningRun.objects.get(pk=queued).status == "done"), ScreeningRun.objects.get(
        pk=queued
    ).stage
    run = ScreeningRun.objects.get(pk=queued)
    assert run.progress_percent == 100 and run.approaches_found == 1 and run.attempts == 1
    event = ConjunctionEvent.objects.get(other_designator="99901")
    assert abs((event.tca - (now + dt.timedelta(hours=3))).total_seconds()) < 1.0
    assert screening_sweep()["queued"] is None  # not due again for TRAFFIC_SCREENING_INTERVAL_HOURS
