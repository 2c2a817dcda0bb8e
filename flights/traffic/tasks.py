"""Celery tasks of the space traffic app: thin, they load ids and call one service."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="traffic.orbit_screening_sweep", acks_late=True)
def orbit_screening_sweep() -> dict:
    """Beat (every minute): requeue a stalled screening run; queue one every TRAFFIC_SCREENING_INTERVAL_HOURS."""
    from flights.traffic.screening import screening_sweep

    return screening_sweep()


@shared_task(name="traffic.run_orbit_screening", acks_late=True, reject_on_worker_lost=True)
def run_orbit_screening(run_id: int) -> dict:
    """Screen every protected object in orbit; a redelivered task finds the run finished and does nothing."""
    from flights.traffic.screening import screening_run_execute

    run = screening_run_execute(run_id=run_id)
    return {"run": run.pk, "status": run.status, "approaches": run.approaches_found}


@shared_task(name="traffic.screen_orbit_chunk", bind=True, acks_late=True, reject_on_worker_lost=True)
def screen_orbit_chunk(self, run_id: int, index: int) -> str:
    """Screen one catalog chunk of an on-orbit screening run; the last chunk in joins them (idempotent)."""
    from flights.traffic.screening import screening_chunk_run

    return screening_chunk_run(run_id=run_id, index=index, worker=self.request.hostname or "")


@shared_task(name="traffic.close_passed_events", acks_late=True)
def close_passed_events() -> list[int]:
    """Beat (every few minutes): close the open events whose TCA has passed, with what happened."""
    from flights.traffic.closing import events_close_passed

    return events_close_passed()
