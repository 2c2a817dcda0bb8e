"""Explicit state machines: one TRANSITIONS table per model, checked by a pure function.

A model lists its moves as `TRANSITIONS = {Status.A: {Status.B, ...}, ...}`; services call
`require_transition()` before changing the status, so every refusal reads the same way.
"""

from __future__ import annotations

from flights.exceptions import InvalidTransition


class TransitionsMixin:
    """For models with a `status` field of nested TextChoices and a TRANSITIONS map."""

    TRANSITIONS: dict = {}

    def can_transition_to(self, new_status) -> bool:
        return new_status in self.TRANSITIONS.get(self.status, set())

    def allowed_transitions(self) -> list:
        return sorted(self.TRANSITIONS.get(self.status, set()))


def require_transition(instance, new_status, *, action: str) -> None:
    """Refuse with a readable message when `instance` may not move to `new_status`."""
    if instance.can_transition_to(new_status):
        return
    status_field = instance._meta.get_field("status")
    current = dict(status_field.choices).get(instance.status, instance.status)
    noun = instance._meta.verbose_name
    allowed = [dict(status_field.choices)[s] for s in instance.allowed_transitions()]
    hint = f" From {current.lower()} it can only become: {', '.join(a.lower() for a in allowed)}." if allowed else ""
    raise InvalidTransition(f"Cannot {action} {noun} {instance}: it is {current.lower()}.{hint}")
