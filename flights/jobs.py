"""Stuck work recovers by itself: the beat's requeue-stale-jobs sweep (every minute).

A long job row (a launch-window computation; an on-orbit screening run, swept by flights.traffic) carries
a heartbeat that its task stamps at each progress step. A job still queued or running whose heartbeat is
older than JOB_STALE_AFTER_SECONDS lost its broker message (Redis was down when it was requested) or its
worker (killed, out of memory, machine gone): the sweep sends it to a worker again, counting attempts, and
after JOB_MAX_ATTEMPTS marks it failed with the reason, so it never blocks a new request and never waits
for the broker's visibility timeout (1 h). Running the sweep twice changes nothing the second time: a
requeued job has a fresh heartbeat.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from flights.dispatch import dispatch_after_commit
from flights.models import WindowComputation

logger = logging.getLogger(__name__)


def stale_before(now: dt.datetime) -> dt.datetime:
    """A job last heard of before this moment is stale."""
    return now - dt.timedelta(seconds=settings.JOB_STALE_AFTER_SECONDS)


def stale_jobs_requeue(*, now: dt.datetime | None = None, limit: int = 100) -> dict[str, int]:
    """Requeue stale window computations (or fail them after too many attempts); returns the counts."""
    from flights.tasks import compute_launch_windows

    return stale_rows_requeue(
        model=WindowComputation, task=compute_launch_windows, label="Window computation",
        retry_hint="check that Celery workers are running, then request the windows again.", now=now, limit=limit,
    )


def stale_rows_requeue(*, model, task, label: str, retry_hint: str, now: dt.datetime | None = None,
                       limit: int = 100) -> dict[str, int]:
    """Requeue the stale rows of a job model shaped like WindowComputation (status, heartbeat_at, attempts,
    stage, error, finished_at), or fail them after JOB_MAX_ATTEMPTS; `task` takes the row's id."""
    now = now or timezone.now()
    requeued = failed = 0
    with transaction.atomic():
        stale = list(
            model.objects.select_for_update(skip_locked=True)
            .filter(status__in=[model.Status.QUEUED, model.Status.RUNNING], heartbeat_at__lt=stale_before(now))
            .order_by("heartbeat_at", "id")[:limit]
        )
        for computation in stale:
            silent_since = f"{computation.heartbeat_at:%Y-%m-%d %H:%M:%S} UTC"
            if computation.attempts >= settings.JOB_MAX_ATTEMPTS:
                computation.status = model.Status.FAILED
                computation.finished_at = now
                computation.stage = "Failed"
                computation.error = (
                    f"No worker finished it after {computation.attempts} attempts (last heard of at {silent_since}): "
                    + retry_hint
                )
                computation.save(update_fields=["status", "finished_at", "stage", "error"])
                logger.error("%s %s failed: %s", label, computation.pk, computation.error)
                failed += 1
                continue
            computation.attempts += 1
            computation.status = model.Status.QUEUED
            computation.heartbeat_at = now
            computation.stage = (
                f"Sent to a worker again (attempt {computation.attempts} of {settings.JOB_MAX_ATTEMPTS}): "
                f"nothing heard since {silent_since}"
            )[:200]
            computation.save(update_fields=["attempts", "status", "heartbeat_at", "stage"])
            logger.warning("%s %s was stale; requeued (attempt %s)", label, computation.pk, computation.attempts)
            dispatch_after_commit(task, computation.pk)
            requeued += 1
    return {"requeued": requeued, "failed": failed}
