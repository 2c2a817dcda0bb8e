"""The expiry sweep travels through the real broker to a real worker process, twice."""

import datetime as dt

import pytest

from tests.conftest import IN_CI, require_redis
from tests.medical import factories as f
from tourism.medical import tasks
from tourism.medical.models import MedicalClearance


@pytest.mark.worker
@pytest.mark.redis
def test_expiry_sweep_on_a_real_worker_runs_twice_harmlessly(celery_worker_process, passenger, surgeon):
    if IN_CI:
        require_redis()
    two_days_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    f.decided(passenger, surgeon, valid_until=two_days_ago.date() + dt.timedelta(days=1), now=two_days_ago)
    assert tasks.expire_clearances.delay().get(timeout=90) == 1
    assert tasks.expire_clearances.delay().get(timeout=90) == 0
    assert MedicalClearance.objects.get().status == "expired"
