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
