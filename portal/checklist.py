"""The passenger's checklist: what still stands between a booking and the launch manifest (issue 14).

Built from the manifest gates themselves (`flights.registry.manifest_gates`, through
`tourism.readiness.booking_gate_results`), so it cannot disagree with a refusal: a row is "Done" only when
its gate holds, every gate that refuses shows at least one row that is not done with the gate's own
words, and a gate this module does not know (registered later by another app) still gets a row of its own.
The finer status words ("Waiting for us", "Cannot start yet: opens ...") only describe a row that is
not done; they never turn a refusal into "Done".

The GOV.UK "complete multiple tasks" pattern: rows grouped by when they can happen, each with a status
word, why, and the link to where it is done.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone

from flights.formats import moment_text
from tourism.models import Booking
from tourism.readiness import GateResult, bookings_gate_results

DONE = "done"
NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
WAITING = "waiting"
CANNOT_START = "cannot_start"
ACTION = "action"
OVERDUE = "overdue"

STATUS_WORDS = {
    DONE: "Done",
    NOT_STARTED: "Not started",
    IN_PROGRESS: "In progress",
    WAITING: "Waiting for us",
    CANNOT_START: "Cannot start yet",
    ACTION: "Action needed",
    OVERDUE: "Overdue",
}

GROUPS = (
    ("seat", "Secure your seat"),
    ("before", "Before you fly"),
    ("spaceport", "At the spaceport"),
    ("launch", "In the 24 hours before launch"),
)


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    title: str
    status: str
    why: str
    link: str = ""
    link_text: str = ""
    group: str = "before"
    gate: str = ""  # the manifest gate this row answers for ("" for the deposit, which is the booking's status)

    @property
    def done(self) -> bool:
        return self.status == DONE

    @property
    def status_word(self) -> str:
        return STATUS_WORDS[self.status]


@dataclass
class Checklist:
    booking: Booking
    items: list[ChecklistItem]
    gate_results: list[GateResult] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return all(item.done for item in self.items)

    @property
    def remaining(self) -> int:
        return sum(not item.done for item in self.items)

    @property
    def groups(self) -> list[tuple[str, list[ChecklistItem]]]:
        return [(label, rows) for key, label in GROUPS if (rows := [i for i in self.items if i.group == key])]


def _gate(results: dict[str, GateResult], name: str) -> GateResult | None:
    return results.get(name)


def _medical_items(booking: Booking, result: GateResult | None, *, now: dt.datetime) -> list[ChecklistItem]:
    """Questionnaire, clearance and the 24-hour health statement: one gate (the medical one), three rows."""
    from tourism.medical import selectors as medical
    from tourism.medical.models import MedicalClearance

    flight = booking.flight
    opens, closes = medical.self_certification_window(flight)
    tz = flight.spaceport.timezone
    medical_home = reverse("medical:home")
    eligibility = reverse("medical:eligibility", args=[flight.pk])
    questionnaire = ChecklistItem("medical_questionnaire", "Medical questionnaire", DONE,
                                  "Submitted to our flight surgeons.", medical_home, "Your medical record",
                                  gate="medical_manifest_gate")
    clearance = ChecklistItem("medical_clearance", "Medical clearance", DONE,
                              "A flight surgeon cleared you for this flight.", medical_home, "Your medical record",
                              gate="medical_manifest_gate")
    statement = ChecklistItem("health_statement", "24-hour health statement", DONE,
                              "You certified no change in your health for this launch.", eligibility,
                              "Your eligibility for this flight", group="launch", gate="medical_manifest_gate")
    if result is None or result.passed:
        return [questionnaire, clearance, statement] if result is not None else []

    refusals = medical.clearance_check(booking.user, flight, now=now)
    codes = {refusal.code: refusal.message for refusal in refusals}
    if "no_clearance" in codes or "clearance_not_decided" in codes:
        pending = medical.clearance_open(booking.user)
        if pending is None or pending.status == MedicalClearance.Status.DRAFT:
            questionnaire = ChecklistItem(
                "medical_questionnaire", "Medical questionnaire", IN_PROGRESS if pending else NOT_STARTED,
                "Our flight surgeons need your answers before they can clear you to fly.",
                medical_home, "Continue the questionnaire" if pending else "Start the questionnaire",
                gate="medical_manifest_gate",
            )
            clearance = ChecklistItem("medical_clearance", "Medical clearance", CANNOT_START,
                                      "A flight surgeon reviews your questionnaire once you submit it.", medical_home,
                                      "Your medical record", gate="medical_manifest_gate")
        elif pending.status == MedicalClearance.Status.INFORMATION_REQUESTED:
            clearance = ChecklistItem("medical_clearance", "Medical clearance", ACTION,
                                      "The flight surgeon asked you for more information.",
                                      reverse("medical:clearance-detail", args=[pending.pk]), "Answer the flight surgeon",
                                      gate="medical_manifest_gate")
        else:
            clearance = ChecklistItem("medical_clearance", "Medical clearance", WAITING,
                                      f"Your questionnaire is {pending.get_status_display().lower()}: a flight surgeon "
                                      "decides and we email you.", medical_home, "Your medical record",
                                      gate="medical_manifest_gate")
    else:
        other = [message for code, message in codes.items() if code != "self_certification_missing"]
        if other:
            clearance = ChecklistItem("medical_clearance", "Medical clearance", ACTION, " ".join(other), eligibility,
                                      "What this means and what to do", gate="medical_manifest_gate")
    # clearance_check stops before the 24-hour statement when there is no standing clearance to certify under.
    no_standing = bool(codes.keys() & {"no_clearance", "clearance_not_decided", "not_cleared"})
    if "self_certification_missing" in codes or no_standing:
        if now < opens:
            why, status, link_text = (f"Opens {moment_text(opens, tz)}, 24 hours before launch: you confirm no change "
                                      "in your health."), CANNOT_START, "Your eligibility for this flight"
        elif no_standing:
            why, status, link_text = "Your medical clearance must hold first.", CANNOT_START, "Your eligibility for this flight"
        else:
            why, status, link_text = (f"Open now until launch ({moment_text(closes, tz)}): confirm no change in your "
                                      "health."), NOT_STARTED, "Make the health statement"
        statement = ChecklistItem("health_statement", "24-hour health statement", status, why, eligibility, link_text,
                                  group="launch", gate="medical_manifest_gate")
    items = [questionnaire, clearance, statement]
    if all(item.done for item in items):  # the gate refused for a reason none of the rows names: show its words
        items[1] = ChecklistItem("medical_clearance", "Medical clearance", ACTION, result.refusal, eligibility,
                                 "What this means and what to do", gate="medical_manifest_gate")
    return items


def booking_checklist(booking: Booking, *, now: dt.datetime | None = None,
                      results: list[GateResult] | None = None) -> Checklist:
    """The checklist of one live booking (loaded with flight, spaceport, itinerary and vehicle model)."""
    now = now or timezone.now()
    if results is None:
        results = bookings_gate_results([booking], now=now)[booking.pk]
    by_name = {result.name: result for result in results}
    flight = booking.flight
    booking_url = booking.get_absolute_url()
    items: list[ChecklistItem] = []
    known: set[str] = set()

    consent = _gate(by_name, "consent_current")
    if consent is not None:
        known.add(consent.name)
        items.append(ChecklistItem(
            "consent", "Informed consent", DONE if consent.passed else NOT_STARTED,
            "You signed the disclosure of the vehicle's record." if consent.passed else consent.refusal,
            booking_url + "#consent", "Read and sign the informed consent", group="seat", gate=consent.name,
        ))

    held = booking.status == Booking.Status.HELD
    deposit_text = f"{booking.deposit:,.2f} {booking.currency}"
    items.append(ChecklistItem(
        "deposit", "Deposit", NOT_STARTED if held else DONE,
        (f"Pay the deposit of {deposit_text} before your hold lapses at {moment_text(booking.hold_expires_at, flight.spaceport.timezone)}."
         if held else f"Your deposit of {deposit_text} reached us."),
        booking_url + "#payments", "How to pay", group="seat",
    ))

    balance = _gate(by_name, "balance_paid")
    if balance is not None:
        known.add(balance.name)
        if balance.passed:
            status, why = DONE, "Paid in full."
        else:
            status = OVERDUE if booking.balance_due_at < now else NOT_STARTED
            why = balance.refusal
        items.append(ChecklistItem("balance", "Balance", status, why, booking_url + "#payments", "How to pay",
                                   group="before", gate=balance.name))

    medical = _gate(by_name, "medical_manifest_gate")
    if medical is not None:
        known.add(medical.name)
        items.extend(_medical_items(booking, medical, now=now))

    for name, title, link, link_text, group, waiting in (
        ("training_complete", "Training", reverse("preflight:home"), "Your training record", "before", True),
        ("waiver_of_claims_signed", "Waiver of claims", reverse("preflight:waiver", args=[booking.pk]),
         "Read and sign the waiver", "before", False),
        ("security_screening_passed", "Security screening", reverse("preflight:home"), "What screening involves",
         "spaceport", True),
    ):
        result = _gate(by_name, name)
        if result is None:
            continue
        known.add(name)
        if result.passed:
            status, why = DONE, {"training_complete": "Every required module is signed off.",
                                 "waiver_of_claims_signed": "Signed for this flight.",
                                 "security_screening_passed": "Passed."}[name]
        else:
            status, why = (WAITING if waiting else NOT_STARTED), result.refusal
        items.append(ChecklistItem(name, title, status, why, link, link_text, group=group, gate=name))

    limits = [r for r in (_gate(by_name, "passenger_within_vehicle_limits"), _gate(by_name, "cabin_mass_within_budget")) if r]
    if limits:
        known.update(r.name for r in limits)
        refusals = [r.refusal for r in limits if not r.passed]
        model = flight.vehicle.model
        items.append(ChecklistItem(
            "mass_height", "Age, mass and height", ACTION if refusals else DONE,
            " ".join(refusals) if refusals else (
                f"Within {model}'s limits: {model.passenger_mass_min_kg}–{model.passenger_mass_max_kg} kg, "
                f"{model.passenger_height_min_cm}–{model.passenger_height_max_cm} cm."),
            reverse("tourism:profile"), "Your passenger profile", group="before", gate=limits[0].name,
        ))

    for result in results:  # gates registered by apps this list does not know yet still show, in their words
        if result.name not in known:
            items.append(ChecklistItem(result.name, result.label, DONE if result.passed else ACTION,
                                       result.refusal or "Holds.", booking_url, "Your booking", gate=result.name))
    return Checklist(booking=booking, items=items, gate_results=results)


def checklists_for(bookings, *, now: dt.datetime | None = None) -> dict[int, Checklist]:
    """Checklists for several live bookings, the gates loading their data for all of them at once."""
    now = now or timezone.now()
    bookings = list(bookings)
    results = bookings_gate_results(bookings, now=now)
    return {b.pk: booking_checklist(b, now=now, results=results[b.pk]) for b in bookings}
