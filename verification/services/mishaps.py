"""Mishaps: declaring one grounds the vehicle (through the flights app's service); corrective actions.

The vehicle returns to service only when every corrective action is closed and an uncrewed
return-to-flight verification flight flown after the mishap is signed off (see verification/guards.py,
registered with flights.registry.return_to_service_guards).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from flights import services as flight_services
from flights.exceptions import InvalidInput
from flights.models import Flight, Vehicle
from flights.statemachine import require_transition
from verification.exceptions import MishapRefused
from verification.models import CorrectiveAction, Mishap
from verification.services._common import DATA_ENTRY_ROLES, require_role


def _required_text(value: str, what: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(f"Give {what}.", fields={field: ["This field is required."]})
    return value


def mishap_declare(
    *, flight: Flight, by, description: str, occurred_at: dt.datetime | None = None, now: dt.datetime | None = None
) -> Mishap:
    """Record that a flight ended in a mishap and ground its vehicle until return to flight."""
    require_role(by, DATA_ENTRY_ROLES, "declare mishaps")
    description = _required_text(description, "a description of the mishap", "description")
    now = now or timezone.now()
    with transaction.atomic():
        # Lock order: the flight, then (inside vehicle_ground) the vehicle.
        flight = Flight.objects.select_for_update(of=("self",)).select_related("vehicle").get(pk=flight.pk)
        if flight.status in (Flight.Status.DRAFT, Flight.Status.CANCELLED):
            raise MishapRefused(
                f"Flight {flight} is {flight.get_status_display().lower()}: a mishap is declared on a flight that "
                "was scheduled or flown."
            )
        if Mishap.objects.filter(flight=flight).exists():
            raise MishapRefused(f"A mishap is already declared on flight {flight}.")
        occurred_at = occurred_at or flight.launched_at or now
        if occurred_at > now:
            raise InvalidInput("A mishap cannot be declared for a future time.", fields={"occurred_at": ["In the future."]})
        mishap = Mishap.objects.create(
            flight=flight, vehicle=flight.vehicle, occurred_at=occurred_at, description=description,
            declared_by=by, declared_at=now,
        )
        vehicle = flight.vehicle
        if vehicle.status in (Vehicle.Status.ACTIVE, Vehicle.Status.MAINTENANCE):
            flight_services.vehicle_ground(
                vehicle=vehicle, reason=f"Mishap on flight {flight.code}: {description}", by=by, now=now
            )
        # Already grounded or retired: it stays so; the return-to-service guard now includes this mishap.
    return mishap


def corrective_action_add(*, mishap: Mishap, by, description: str, now: dt.datetime | None = None) -> CorrectiveAction:
    require_role(by, DATA_ENTRY_ROLES, "record corrective actions")
    description = _required_text(description, "the corrective action", "description")
    with transaction.atomic():
        mishap = Mishap.objects.select_for_update().get(pk=mishap.pk)
        return CorrectiveAction.objects.create(
            mishap=mishap, description=description, created_by=by, created_at=now or timezone.now()
        )


def corrective_action_close(
    *, corrective_action: CorrectiveAction, by, reason: str, now: dt.datetime | None = None
) -> CorrectiveAction:
    """Close a corrective action with a note saying how it was done (the `reason`)."""
    require_role(by, DATA_ENTRY_ROLES, "close corrective actions")
    note = _required_text(reason, "a closure note saying how the action was done", "reason")
    now = now or timezone.now()
    with transaction.atomic():
        action = CorrectiveAction.objects.select_for_update().get(pk=corrective_action.pk)
        require_transition(action, CorrectiveAction.Status.CLOSED, action="close")
        action.status, action.closed_at, action.closed_by, action.closure_note = (
            CorrectiveAction.Status.CLOSED, now, by, note,
        )
        action.save(update_fields=["status", "closed_at", "closed_by", "closure_note"])
    return action
