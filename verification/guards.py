"""The answers verification registers with the flights app (flights.registry), in VerificationConfig.ready().

flights asks; it never imports this app. Each guard returns a refusal message, or None.
"""

from __future__ import annotations

from flights.disclosure import DisclosureSection
from flights.models import Flight, Vehicle
from verification import selectors
from verification.models import Anomaly, VerificationFlight

Purpose = Flight.Purpose


def _certification_words(certification: selectors.CertificationAnswer) -> str:
    return "; ".join(certification.shortfall)


def schedule_needs_certification(flight: Flight, **context) -> str | None:
    """A commercial flight needs a vehicle certified for passengers; a crewed verification flight needs
    the uncrewed phase complete (14 CFR 460.17)."""
    if flight.purpose == Purpose.UNCREWED_VERIFICATION:
        return None
    certification = selectors.vehicle_certification_answer(flight.vehicle)
    if flight.purpose == Purpose.COMMERCIAL and not certification.certified_for_passengers:
        return (
            f"Cannot schedule commercial flight {flight.code}: vehicle {flight.vehicle} is not certified for "
            f"passengers ({certification.state_label.lower()}: {_certification_words(certification)})."
        )
    if flight.purpose == Purpose.CREWED_VERIFICATION and not certification.uncrewed_phase_complete:
        return (
            f"Cannot schedule crewed verification flight {flight.code}: vehicle {flight.vehicle} has not "
            f"completed its uncrewed phase ({_certification_words(certification)})."
        )
    return None


def booking_needs_certification(obj, **context) -> str | None:
    """Passengers are booked only onto a vehicle certified for passengers. Takes a flight or a booking."""
    flight = getattr(obj, "flight", obj)
    # Computed from the records (hashes, seals and sign-offs checked) whenever one row of them has changed.
    certification = selectors.vehicle_certification_answer(flight.vehicle)
    if certification.certified_for_passengers:
        return None
    return (
        f"Flight {flight.code} cannot take bookings: vehicle {flight.vehicle} is not certified for passengers "
        f"({certification.state_label.lower()}: {_certification_words(certification)})."
    )


def _prepare_certification(objs, **context) -> None:
    """Before the decision's transaction: each vehicle's certification answer computed and kept in one
    snapshot (selectors.certification_answers_prepare), so the guard under the lock pays one query."""
    selectors.certification_answers_prepare(getattr(obj, "flight", obj).vehicle_id for obj in objs)


booking_needs_certification.prefetch = _prepare_certification


def return_to_service_needs_return_to_flight(vehicle: Vehicle, **context) -> str | None:
    """After a mishap: every corrective action closed and an uncrewed return-to-flight verification flight
    signed off since the mishap."""
    unresolved = selectors.vehicle_unresolved_mishaps(vehicle)
    if not unresolved:
        return None
    return f"Vehicle {vehicle} cannot return to service: " + " ".join(state.summary for state in unresolved)


def return_to_flight_permit(flight: Flight) -> bool:
    """A grounded vehicle may fly its uncrewed return-to-flight verification flight once every corrective
    action of its unresolved mishaps is closed."""
    if flight.purpose != Purpose.UNCREWED_VERIFICATION:
        return False
    unresolved = selectors.vehicle_unresolved_mishaps(flight.vehicle)
    return bool(unresolved) and all(state.action_count and not state.open_actions for state in unresolved)


def disclosure_section(vehicle: Vehicle) -> DisclosureSection:
    """14 CFR 460.45: the vehicle's verification flights, anomalies and mishaps, as the record stands now.
    Anomalies and mishaps are material facts: a new one, or a changed disposition, calls for new consent."""
    certification = selectors.vehicle_certification_get(vehicle)
    lines = [f"Certification state: {certification.state_label}."]
    facts = []
    for item in certification.evidence:
        record = item.record
        when = f"{record.launched_at:%Y-%m-%d}" if record.launched_at else "not yet flown"
        verdict = "counts towards certification" if item.counts else "does not count: " + "; ".join(item.reasons)
        lines.append(
            f"{record.flight.code}, {record.get_kind_display().lower()} verification flight ({when}): "
            f"{record.get_status_display().lower()}, {verdict}."
        )
        for anomaly in sorted(record.anomalies.all(), key=lambda a: a.pk):
            text = _anomaly_text(record, anomaly)
            lines.append(text)
            facts.append(text)
    for state in certification.mishaps:
        mishap = state.mishap
        facts.append(f"Mishap #{mishap.pk} on flight {mishap.flight.code} ({mishap.occurred_at:%Y-%m-%d}): "
                     f"{mishap.description}")
        lines.append(f"{state.summary} {mishap.description}")
    return DisclosureSection(title="Verification flights, anomalies and mishaps", lines=lines, material_facts=facts,
                             order=30)


def _anomaly_text(record: VerificationFlight, anomaly: Anomaly) -> str:
    disposition = anomaly.get_disposition_display().lower()
    if anomaly.disposition == Anomaly.Disposition.ACCEPTED:
        disposition += f" ({anomaly.flight_rationale})"
    return (
        f"Anomaly #{anomaly.pk} on {record.flight.code}, {anomaly.get_severity_display().lower()}: {anomaly.title}. "
        f"{anomaly.description} Disposition: {disposition}."
    )

