"""Celery tasks of the space traffic app: thin, they call one service."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="traffic.close_passed_events", acks_late=True)
def close_passed_events() -> list[int]:
    """Beat (every few minutes): close the open events whose TCA has passed, with what happened."""
    from flights.traffic.closing import events_close_passed

    return events_close_passed()
