"""The beat's sweep queues an on-orbit screening run; a real worker runs it, reports progress, records the event."""

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
def test_the_sweep_queues_a_run_that_a_real_worker_completes(celery_worker_process, director, settings):
    now = timezone.now()
    station_in_orbit(now=now, director=director)

    queued = screening_sweep()["queued"]
    assert queued
    assert wait_for(lambda: ScreeningRun.objects.get(pk=queued).status == "done"), ScreeningRun.objects.get(
        pk=queued
    ).stage
    run = ScreeningRun.objects.get(pk=queued)
    assert run.progress_percent == 100 and run.approaches_found == 1 and run.attempts == 1
    event = ConjunctionEvent.objects.get(other_designator="99901")
    assert abs((event.tca - (now + dt.timedelta(hours=3))).total_seconds()) < 1.0
    assert screening_sweep()["queued"] is None  # not due again for TRAFFIC_SCREENING_INTERVAL_HOURS
