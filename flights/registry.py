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

    def prefetch(self, objs, **context) -> None:
        """Let each guard that can load what it needs for many objects at once do so (lists, manifests).

        A guard may carry a `prefetch(objs, **context)` attribute that loads its data for all of `objs` in a
        fixed number of queries and keeps it on the objects; asked afterwards about each object, the guard
        reads it from there. A guard without one still works, at its own cost per object.
        """
        objs = list(objs)
        if not objs:
            return
        for guard in self._guards:
            loader = getattr(guard, "prefetch", None)
            if loader is not None:
                loader(objs, **context)

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
# Asked before a booking is manifested: each gate takes the booking (with `.user`, the passenger, and
# `.flight`) and `now=`, and returns what still blocks it (medical clearance, training, waiver, ...).
# Pages that ask every gate for every passenger (the launch manifest) call `manifest_gates.prefetch` first:
# a gate that registers a `prefetch` attribute keeps their query count flat in the number of passengers.
manifest_gates = GuardRegistry("manifest", code="manifest_gate_failed")
booking_guards = GuardRegistry("booking", code="flight_not_bookable")


class DisclosureRegistry:
    """Sections of the informed-consent disclosure (14 CFR 460.45), built from live records.

    Each app registers `section(vehicle) -> DisclosureSection | None`; the consent service asks all
    of them at signing time, so the text a passenger signs always reflects the current record.
    """

    def __init__(self):
        self._sections: list[Callable] = []

    def register(self, section: Callable) -> Callable:
        if section not in self._sections:
            self._sections.append(section)
        return section

    def unregister(self, section: Callable) -> None:
        self._sections.remove(section)

    def sections(self, vehicle) -> list:
        return [s for build in self._sections if (s := build(vehicle)) is not None]


disclosure_sections = DisclosureRegistry()


class PermitRegistry:
    """Functions that may let one flight fly on a grounded vehicle; each takes the flight, returns True/False."""

    def __init__(self, name: str):
        self.name = name
        self._permits: list[Callable] = []

    def register(self, permit: Callable) -> Callable:
        if permit not in self._permits:
            self._permits.append(permit)
        return permit

    def unregister(self, permit: Callable) -> None:
        self._permits.remove(permit)

    def permits(self, flight) -> bool:
        return any(permit(flight) for permit in self._permits)


# Asked when a flight's vehicle is grounded (e.g. verification: after a mishap, the uncrewed
# return-to-flight verification flight must fly before the vehicle may return to service).
grounded_flight_permits = PermitRegistry("grounded_flight")


class PanelRegistry:
    """Sections other apps add to a page of `flights` without `flights` importing them (issue 14: the one
    flight page shows the booking app's seats and "hold a seat" to everyone). Each panel is
    `panel(request, flight) -> str | None` (rendered HTML), asked in the order registered. A panel may carry
    `annotate(queryset) -> queryset`: what it shows every visitor alike, loaded with the page's own query of
    its object and kept with it (issue 15: no query of its own on most page views)."""

    def __init__(self, name: str):
        self.name = name
        self._panels: list[Callable] = []

    def register(self, panel: Callable) -> Callable:
        if panel not in self._panels:
            self._panels.append(panel)
        return panel

    def unregister(self, panel: Callable) -> None:
        self._panels.remove(panel)

    def annotate(self, queryset):
        for panel in self._panels:
            if hasattr(panel, "annotate"):
                queryset = panel.annotate(queryset)
        return queryset

    def render(self, request, obj) -> list[str]:
        return [html for panel in self._panels if (html := panel(request, obj))]


# The public part of the flight page: seats, price and the way to book (tourism registers it).
flight_page_panels = PanelRegistry("flight_page")
