"""Shared steps of the verification services: who may act, locking a record, writing its lifecycle."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from flights import roles
from flights.exceptions import InvalidInput
from verification.exceptions import NotPermitted, RecordLocked
from verification.models import RecordStatusChange, VerificationFlight, lifecycle_write, locked_message

DATA_ENTRY_ROLES = (roles.OPERATIONS, roles.FLIGHT_DIRECTOR)


ROLE_PLURALS = {roles.OPERATIONS: "operations staff", roles.FLIGHT_DIRECTOR: "flight directors"}


def require_role(user, allowed: tuple[str, ...], action: str) -> None:
    if user is None or not any(roles.user_has_role(user, role) for role in allowed):
        who = user.get_username() if user is not None and user.is_authenticated else "an anonymous user"
        names = " or ".join(ROLE_PLURALS.get(role, role.lower()) for role in allowed)
        raise NotPermitted(f"Only {names} can {action}: {who} is {'neither' if len(allowed) > 1 else 'not one'}.")


def lock_record(record: VerificationFlight) -> VerificationFlight:
    """Lock the record row (never the joined flight or vehicle) and return it fresh."""
    return (
        VerificationFlight.objects.select_for_update(of=("self",))
        .select_related("flight", "vehicle__model")
        .get(pk=record.pk)
    )


def lock_editable_record(record: VerificationFlight) -> VerificationFlight:
    record = lock_record(record)
    if not record.is_editable:
        raise RecordLocked(locked_message(record))
    return record


def set_record_status(
    record: VerificationFlight, *, to_status: str, reason: str, by, now, extra_fields: tuple[str, ...] = ()
) -> VerificationFlight:
    from_status = record.status
    record.status, record.status_reason, record.status_changed_at = to_status, reason, now
    with lifecycle_write():
        record.save(update_fields=["status", "status_reason", "status_changed_at", *extra_fields])
    RecordStatusChange.objects.create(
        record=record, from_status=from_status, to_status=to_status, revision=record.revision,
        reason=reason, changed_by=by, changed_at=now,
    )
    return record


def clean_or_refuse(instance: models.Model, *, exclude: tuple[str, ...] = ()) -> None:
    """Run the model's field and constraint validation; refuse with the field messages as a 400."""
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        raise InvalidInput(" ".join(exc.messages), fields=fields) from exc


def apply_changes(instance: models.Model, changes: dict, allowed: tuple[str, ...], what: str) -> list[str]:
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise InvalidInput(
            f"{what} cannot change {', '.join(unknown)}.", fields={name: ["Not editable."] for name in unknown}
        )
    changed = [name for name, value in changes.items() if getattr(instance, name) != value]
    for name, value in changes.items():
        setattr(instance, name, value)
    return changed
