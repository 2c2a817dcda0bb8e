"""The informed-consent disclosure (14 CFR 460.45), assembled from live records when it is shown.

Sections come from `flights.registry.disclosure_sections`: this app registers the consent document's
hazards and the no-certification statement, the vehicle's own record (flights flown, groundings) and
the industry safety record; the verification app adds verification flights and anomalies. The text a
passenger signs, its SHA-256 and a fingerprint of its material facts (mishaps, groundings, anomalies)
are kept with the signature; when the facts or the vehicle change, the consent is stale.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from flights.disclosure import DisclosureSection
from flights.models import Flight, Vehicle
from flights.registry import disclosure_sections
from tourism.exceptions import ConsentUnavailable
from tourism.models import ConsentDocument, ConsentSignature, IndustrySafetyRecord

CLOSING = (
    "By signing, I confirm that I have read this disclosure in full, that I was given the opportunity to ask "
    "questions and have them answered, and that I consent voluntarily to take part in space flight on the "
    "vehicle named above, knowing the risks described here and that unknown risks exist."
)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def facts_fingerprint(facts: list[str]) -> str:
    return sha256_hex("\n".join(sorted(set(facts))))


@dataclass(frozen=True)
class Disclosure:
    vehicle: Vehicle
    document: ConsentDocument
    text: str
    sha256: str
    material_facts: list[str]
    material_facts_sha256: str
    sections: list[DisclosureSection] = field(default_factory=list)


def current_document(vehicle: Vehicle) -> ConsentDocument | None:
    return ConsentDocument.objects.filter(vehicle=vehicle).order_by("-version").first()


def current_industry_record() -> IndustrySafetyRecord | None:
    return IndustrySafetyRecord.objects.order_by("-as_of", "-id").first()


def disclosure_build(vehicle: Vehicle) -> Disclosure:
    """The disclosure for `vehicle` as of now. Refuses when operations have not published what it needs."""
    document = current_document(vehicle)
    if document is None:
        raise ConsentUnavailable(
            f"No informed consent document is published for vehicle {vehicle}: operations must publish one "
            "before passengers can sign."
        )
    if current_industry_record() is None:
        raise ConsentUnavailable(
            "The industry safety record has not been published: operations must publish it before passengers "
            "can sign informed consent."
        )
    sections = sorted(disclosure_sections.sections(vehicle), key=lambda section: (section.order, section.title))
    header = (
        "INFORMED CONSENT OF A SPACE FLIGHT PARTICIPANT (14 CFR 460.45)\n"
        f"Vehicle: {vehicle.name}, serial {vehicle.serial}, a {vehicle.model}\n"
        f"Consent document version {document.version}"
    )
    text = "\n\n".join([header, *(section.as_text() for section in sections), CLOSING]) + "\n"
    facts = sorted({fact for section in sections for fact in section.material_facts})
    return Disclosure(
        vehicle=vehicle,
        document=document,
        text=text,
        sha256=sha256_hex(text),
        material_facts=facts,
        material_facts_sha256=facts_fingerprint(facts),
        sections=sections,
    )


@dataclass(frozen=True)
class ConsentState:
    """missing, current or stale, with the reasons a passenger reads."""

    status: str
    reasons: list[str]
    signature: ConsentSignature | None = None

    MISSING = "missing"
    CURRENT = "current"
    STALE = "stale"

    @property
    def is_current(self) -> bool:
        return self.status == self.CURRENT


def consent_state(*, signature: ConsentSignature | None, vehicle: Vehicle, disclosure: Disclosure | None = None) -> ConsentState:
    """Is `signature` still good for a flight on `vehicle`? A new vehicle, a new document version or a
    change in the material facts (a mishap, a grounding, an anomaly) calls for new consent."""
    if signature is None:
        return ConsentState(ConsentState.MISSING, ["Informed consent has not been signed for this booking."])
    if signature.vehicle_id != vehicle.pk:
        return ConsentState(
            ConsentState.STALE,
            [f"Consent was signed for vehicle {signature.vehicle}; the flight now uses {vehicle}."],
            signature,
        )
    if disclosure is None:
        disclosure = disclosure_build(vehicle)
    reasons = []
    if signature.document_id != disclosure.document.pk:
        reasons.append(
            f"Consent document version {disclosure.document.version} replaced the version {signature.document.version} "
            "you signed."
        )
    if signature.material_facts_sha256 != disclosure.material_facts_sha256:
        new = [fact for fact in disclosure.material_facts if fact not in set(signature.material_facts)]
        if new:
            reasons.append("The vehicle's safety record changed since you signed: " + "; ".join(new) + ".")
        else:
            reasons.append("The vehicle's safety record was revised since you signed.")
    if reasons:
        return ConsentState(ConsentState.STALE, reasons, signature)
    return ConsentState(ConsentState.CURRENT, [], signature)


# --- The sections this app contributes ---------------------------------------------------------------


def hazards_section(vehicle: Vehicle) -> DisclosureSection | None:
    document = current_document(vehicle)
    if document is None:
        return None
    lines = [line.strip(" -\t") for line in document.known_hazards.splitlines() if line.strip(" -\t")]
    return DisclosureSection(title="Known hazards and risks", lines=lines, order=10)


def unknown_hazards_section(vehicle: Vehicle) -> DisclosureSection | None:
    document = current_document(vehicle)
    if document is None:
        return None
    return DisclosureSection(title="Unknown hazards", lines=[document.unknown_hazards.strip()], order=11)


def government_section(vehicle: Vehicle) -> DisclosureSection | None:
    document = current_document(vehicle)
    statement = document.government_statement if document else ConsentDocument.GOVERNMENT_STATEMENT
    return DisclosureSection(title="No government certification", lines=[statement.strip()], order=20)


def vehicle_record_section(vehicle: Vehicle) -> DisclosureSection:
    """The operator's record of this vehicle: flights flown, groundings and returns to service."""
    flown = list(
        vehicle.flights.filter(status__in=Flight.FLOWN_STATUSES)
        .order_by("launched_at", "code")
        .values_list("code", "launched_at")
    )
    lines = [
        f"Flights flown: {vehicle.flights_before_tracking + len(flown)} "
        f"({vehicle.flights_before_tracking} before this record was kept, {len(flown)} since)."
    ]
    lines += [f"Flight {code} launched {launched:%Y-%m-%d}." for code, launched in flown]
    facts = []
    changes = vehicle.status_changes.filter(to_status__in=(Vehicle.Status.GROUNDED, Vehicle.Status.ACTIVE)).order_by(
        "changed_at", "id"
    )
    for change in changes:
        if change.to_status == Vehicle.Status.GROUNDED:
            fact = f"Grounded on {change.changed_at:%Y-%m-%d}: {change.reason}"
            facts.append(f"{vehicle.serial} {fact}")
            lines.append(fact + ".")
        elif change.from_status == Vehicle.Status.GROUNDED:
            lines.append(f"Returned to service on {change.changed_at:%Y-%m-%d}: {change.reason}.")
    if not facts:
        lines.append("No groundings recorded.")
    return DisclosureSection(
        title=f"The operator's record of {vehicle.name} ({vehicle.serial})", lines=lines, material_facts=facts, order=30
    )


def industry_section(vehicle: Vehicle) -> DisclosureSection | None:
    record = current_industry_record()
    if record is None:
        return None
    lines = [line.strip(" -\t") for line in record.summary.splitlines() if line.strip(" -\t")]
    return DisclosureSection(
        title=f"Safety record of all crewed vehicles flown, as of {record.as_of:%Y-%m-%d}", lines=lines, order=50
    )


TOURISM_SECTIONS = (hazards_section, unknown_hazards_section, government_section, vehicle_record_section, industry_section)


def register_sections() -> None:
    for build in TOURISM_SECTIONS:
        disclosure_sections.register(build)
