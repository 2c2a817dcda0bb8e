"""The shape of one informed-consent disclosure section (see flights.registry.disclosure_sections)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DisclosureSection:
    """A titled block of the disclosure. `material` facts (mishaps, groundings, anomalies) make earlier
    consent stale when they change; `order` sorts sections (lower first)."""

    title: str
    lines: list[str] = field(default_factory=list)
    material_facts: list[str] = field(default_factory=list)
    order: int = 100

    def as_text(self) -> str:
        body = "\n".join(f"- {line}" for line in self.lines) or "- None recorded."
        return f"{self.title}\n{body}"
