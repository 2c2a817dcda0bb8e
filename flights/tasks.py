"""Celery tasks of the flights app: thin, they load ids and call services or selectors."""

from __future__ import annotations

from celery import shared_task
from django.db.models import Count

from flights.models import Vehicle


@shared_task(name="flights.fleet_status_report", acks_late=True)
def fleet_status_report() -> dict[str, int]:
    """How many vehicles are in each status; used as a health probe of worker + database."""
    counts = dict(Vehicle.objects.values_list("status").annotate(n=Count("id")).order_by())
    return {status: counts.get(status, 0) for status in Vehicle.Status.values}


@shared_task(name="flights.compute_launch_windows", acks_late=True, reject_on_worker_lost=True)
def compute_launch_windows(computation_id: int) -> dict:
    """Compute a flight's launch windows and closures; running it twice stores one set of rows."""
    from flights.launch_windows import launch_windows_compute
    from flights.models import WindowComputation

    computation = launch_windows_compute(computation=WindowComputation.objects.get(pk=computation_id))
    return {"computation": computation.pk, "status": computation.status, "windows": computation.windows.count()}


@shared_task(name="flights.screen_catalog_chunk", bind=True, acks_late=True, reject_on_worker_lost=True)
def screen_catalog_chunk(self, computation_id: int, index: int) -> str:
    """Screen one catalog chunk of a window computation; the last chunk in joins them (idempotent)."""
    from flights.launch_screening import screening_chunk_run

    return screening_chunk_run(computation_id=computation_id, index=index, worker=self.request.hostname or "")


@shared_task(name="flights.refresh_catalog", acks_late=True, autoretry_for=(OSError,), retry_backoff=60, max_retries=3)
def refresh_catalog() -> dict:
    """Refresh the tracked-object catalog from CATALOG_FEED_URL (skipped when none is configured)."""
    from django.conf import settings

    from flights.catalog import catalog_refresh_from_feed

    if not settings.CATALOG_FEED_URL:
        return {"skipped": "CATALOG_FEED_URL is not set"}
    record = catalog_refresh_from_feed()
    return {"created": record.created, "updated": record.updated, "errors": len(record.errors)}


@shared_task(name="flights.countdown_sweep", acks_late=True)
def countdown_sweep() -> list[int]:
    """Beat: claim due countdown milestones and dispatch their runs."""
    from flights.countdown import countdown_sweep as sweep

    return sweep()


@shared_task(name="flights.run_milestone", acks_late=True, reject_on_worker_lost=True)
def run_milestone(milestone_id: int) -> str:
    from flights.countdown import milestone_run

    return milestone_run(milestone_id=milestone_id).status


@shared_task(name="flights.send_notifications", acks_late=True)
def send_notifications() -> int:
    """Beat (every minute) and woken after a commit that queued a message: deliver what is due.

    The wake-up flag is deleted FIRST, then the outbox is read. A message queues a wake-up after its
    transaction commits, by setting the flag (SET NX); only the setter sends the task. So:
    - a message whose SET comes after the delete finds no flag, sets it and sends a new wake-up: a run after
      this one delivers it, even if this run's reads missed it;
    - a message whose SET failed before the delete (the flag was still set) had committed before that SET,
      so before the delete, so before this run's first read: the drain sees it.
    Deleting after the drain would lose the second case: a message committed between the drain's last (empty)
    read and the delete finds the flag still set, sends nothing, and waits up to a minute for the beat.
    A run that dies after the delete is redelivered (acks_late), and later messages send new wake-ups.

    No task-level retry: each message keeps its own attempts and backoff in the outbox."""
    from flights.dispatch import pending_taken
    from flights.notifications import WAKE_UP_FLAG, notifications_send

    pending_taken(WAKE_UP_FLAG)
    return notifications_send()


@shared_task(name="flights.requeue_stale_jobs", acks_late=True)
def requeue_stale_jobs() -> dict[str, int]:
    """Beat (every minute): send stuck window computations to a worker again, or fail them after too many tries."""
    from flights.jobs import stale_jobs_requeue

    return stale_jobs_requeue()
