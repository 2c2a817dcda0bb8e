"""Where other apps register answers that `flights` needs without importing them (DESIGN.md).

`flights` asks "may this vehicle fly passengers?" or "may this flight launch?"; the verification and
tourism apps register guard functions in their `AppConfig.ready()`. A guard takes the object and returns
a refusal message, or None when it has nothing against it.
"""

from __future__ import annotations

from collections.abc import Callable

from flights.exceptions import DomainError


class GuardRegistry:
    """An ordered set of guard functions for one decision."""

    def __init__(self, name: str, error_class: type[DomainError] = DomainError, code: str = "refused"):
        self.name = name
        self.error_class = error_class
        self.code = code
        self._guards: list[Callable] = []

    def register(self, guard: Callable) -> Callable:
        if guard not in self._guards:
            self._guards.append(guard)
        return guard

    def unregister(self, guard: Callable) -> None:
        self._guards.remove(guard)

    def refusals(self, obj, **context) -> list[str]:
        return [message for guard in self._guards if (message := guard(obj, **context))]

    def enforce(self, obj, **context) -> None:
        refusals = self.refusals(obj, **context)
        if refusals:
            raise self.error_class(" ".join(refusals), code=self.code)


# Asked before a flight is scheduled (e.g. verification: a commercial flight needs a certified vehicle).
schedule_guards = GuardRegistry("schedule", code="flight_not_schedulable")
# Asked before a grounded vehicle returns to service (e.g. verification: corrective actions closed).
return_to_service_guards = GuardRegistry("return_to_service", code="vehicle_not_returnable")
# Asked before a flight is declared launched (e.g. readiness: an all-GO poll).
launch_guards = GuardRegistry("launch", code="launch_refused")
