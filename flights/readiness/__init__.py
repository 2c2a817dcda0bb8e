"""Launch readiness (DESIGN.md): the framework, and the flights app's own checks.

Other apps register checks in their own `readiness.py` with `flights.readiness.check`.
"""

from flights.readiness import checks  # noqa: F401  (registers the flights app's checks)
from flights.readiness.framework import (
    LAUNCH,
    PHASES,
    RETURN,
    CheckRegistry,
    Finding,
    apply_waivers,
    check,
    findings_of,
    flight_findings,
    flight_phase,
    go,
    no_go,
    readiness_report_create,
    registry,
    waivable,
    waiver_grant,
)

__all__ = [
    "LAUNCH",
    "PHASES",
    "RETURN",
    "CheckRegistry",
    "Finding",
    "apply_waivers",
    "check",
    "findings_of",
    "flight_findings",
    "flight_phase",
    "go",
    "no_go",
    "readiness_report_create",
    "registry",
    "waivable",
    "waiver_grant",
]
