"""The readiness framework, like Django's system checks: apps register check functions, a run collects
their findings, a flight director's waiver turns a WAIVABLE finding GO, and the report is stored.

A check is `check(flight, *, now) -> Iterable[Finding]`. Each app declares its checks in its own
`readiness.py` (discovered at start-up, as `admin.py` is); `flights` imports no other app.

Checks belong to phases: LAUNCH (the countdown to liftoff, the Go/No-Go poll) and RETURN (an orbital
flight's undocking, deorbit burn and landing). A check registers for the phases it judges (LAUNCH when
it names none); a run judges the flight's phase: RETURN while it is in flight, LAUNCH otherwise.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

from django.db import transaction
from django.utils import timezone

from flights.models import Flight, Position, ReadinessReport, Verdict, Waiver

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Finding:
    """One thing a check found. `key` is stable across runs (a waiver names it)."""

    key: str
    position: str
    verdict: str
    message: str
    waived_by: str = ""
    waiver_reason: str = ""

    @property
    def is_go(self) -> bool:
        return self.verdict == Verdict.GO

    def as_dict(self) -> dict:
        return asdict(self)


def go(key: str, position: str, message: str) -> Finding:
    return Finding(key=key, position=position, verdict=Verdict.GO, message=message)


def no_go(key: str, position: str, message: str) -> Finding:
    return Finding(key=key, position=position, verdict=Verdict.NO_GO, message=message)


def waivable(key: str, position: str, message: str) -> Finding:
    return Finding(key=key, position=position, verdict=Verdict.WAIVABLE, message=message)


LAUNCH, RETURN = "launch", "return"
PHASES = (LAUNCH, RETURN)


def flight_phase(flight: Flight) -> str:
    """The phase a flight's readiness is judged for: its return while in flight, its launch otherwise."""
    return RETURN if flight.status == Flight.Status.LAUNCHED else LAUNCH


class CheckRegistry:
    def __init__(self):
        self._checks: dict[str, Callable] = {}

    def register(self, name: str, *, phases: Iterable[str] = (LAUNCH,)) -> Callable:
        phases = frozenset(phases)
        if not phases or not phases <= set(PHASES):
            raise ValueError(f"Readiness check {name!r}: phases must be among {PHASES}, got {sorted(phases)}.")

        def decorator(check: Callable) -> Callable:
            check.readiness_phases = phases
            self._checks[name] = check
            return check

        return decorator

    def unregister(self, name: str) -> None:
        self._checks.pop(name, None)

    def names(self) -> list[str]:
        return list(self._checks)

    def run(self, flight: Flight, *, now: dt.datetime, phase: str | None = None) -> list[Finding]:
        phase = phase or flight_phase(flight)
        findings: list[Finding] = []
        for name, check in self._checks.items():
            if phase not in getattr(check, "readiness_phases", (LAUNCH,)):
                continue
            try:
                findings.extend(check(flight, now=now) or [])
            except Exception as exc:  # a check that cannot run must never read as GO
                logger.exception("readiness check %s failed for %s", name, flight)
                findings.append(no_go(f"{name}.error", Position.FLIGHT_DIRECTOR, f"The {name} check could not run: {exc}"))
        return findings


registry = CheckRegistry()
check = registry.register


def apply_waivers(flight: Flight, findings: Iterable[Finding]) -> list[Finding]:
    waivers = {
        w.check_key: w
        for w in Waiver.objects.filter(flight=flight, launch_at=flight.launch_at).select_related("granted_by")
    }
    result = []
    for finding in findings:
        waiver = waivers.get(finding.key)
        if finding.verdict == Verdict.WAIVABLE and waiver:
            finding = Finding(
                key=finding.key, position=finding.position, verdict=Verdict.GO, message=finding.message,
                waived_by=waiver.granted_by.get_full_name() or waiver.granted_by.get_username(),
                waiver_reason=waiver.reason,
            )
        result.append(finding)
    return result


def flight_findings(flight: Flight, *, now: dt.datetime | None = None, phase: str | None = None) -> list[Finding]:
    """Every registered check's findings for the flight as it stands (in its phase unless `phase` names
    one), waivers applied."""
    now = now or timezone.now()
    # Checks judge the records as they are now, never a copy the caller has held for a while.
    flight = Flight.objects.select_related("vehicle__model", "spaceport", "itinerary", "flight_director").get(pk=flight.pk)
    return apply_waivers(flight, registry.run(flight, now=now, phase=phase))


def readiness_report_create(
    *, flight: Flight, trigger: str, now: dt.datetime | None = None, phase: str | None = None
) -> ReadinessReport:
    """Run every check and keep the result as evidence (14 CFR 450.155: documented readiness)."""
    now = now or timezone.now()
    findings = flight_findings(flight, now=now, phase=phase)
    return ReadinessReport.objects.create(
        flight=flight,
        created_at=now,
        trigger=trigger[:120],
        launch_at=flight.launch_at,
        findings=[f.as_dict() for f in findings],
        all_go=all(f.is_go for f in findings),
    )


def findings_of(report: ReadinessReport) -> list[Finding]:
    return [Finding(**item) for item in report.findings]


def waiver_grant(*, flight: Flight, check_key: str, reason: str, by, now: dt.datetime | None = None) -> Waiver:
    """The flight director waives one WAIVABLE finding for this launch attempt, with a reason."""
    from flights import roles
    from flights.exceptions import DomainError, InvalidInput, NotAllowed

    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("A waiver needs a written reason.", fields={"reason": ["This field is required."]})
    with transaction.atomic():
        flight = Flight.objects.select_for_update(of=("self",)).get(pk=flight.pk)
        if by != flight.flight_director and not (by.is_authenticated and roles.user_has_role(by, roles.FLIGHT_DIRECTOR)):
            raise NotAllowed("Only a flight director may waive a finding.")
        current = {f.key: f for f in registry.run(flight, now=now)}
        finding = current.get(check_key)
        if finding is None:
            raise DomainError(f"There is no current finding {check_key!r} for {flight}.", code="finding_not_found")
        if finding.verdict != Verdict.WAIVABLE:
            raise DomainError(
                f"{finding.message} This is {Verdict(finding.verdict).label}, not waivable: it cannot be waived.",
                code="finding_not_waivable",
            )
        waiver, created = Waiver.objects.get_or_create(
            flight=flight, check_key=check_key, launch_at=flight.launch_at,
            defaults={"reason": reason, "granted_by": by, "granted_at": now},
        )
        if not created:
            raise DomainError(f"{check_key} is already waived for this launch attempt.", code="already_waived")
    return waiver
