"""Demo pre-flight records: the training syllabus of every demo itinerary, and the demo passenger's
complete training, waiver of claims and passed screening for their seat on NS-41, the next commercial
flight, so its manifest holds. A VG-12 passenger has begun training, to show an incomplete status.

Registered in flights.demo.flight_loaders (it needs the bookings); every step is keyed on natural keys,
so a second run adds nothing. Everything goes through the services, as operations and the passenger would.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flights.models import Flight, Itinerary, Regime
from tourism.models import Booking
from tourism.preflight import services
from tourism.preflight.models import SecurityScreening, TrainingModule, TrainingRecord, WaiverOfClaims

EMERGENCY = (
    "Getting out of the vehicle on the pad and after landing, fire and smoke in the cabin, loss of cabin pressure, "
    "and the emergency response: what the crew and recovery teams do and what you do."
)

# (name, description, hours, emergency, itinerary slug or None, regime or "")
MODULES = [
    ("Emergency egress and cabin emergencies", EMERGENCY, "4", True, None, Regime.SUBORBITAL),
    ("Orbital emergency training", EMERGENCY + " Includes launch escape and suited pressure drills.", "40", True, None,
     Regime.ORBITAL),
    ("Capsule familiarisation and seat drills", "Straps, seat positions, buckling in under 15 seconds, the cabin displays.",
     "4", False, "west-texas-suborbital", ""),
    ("Mission rehearsal and final exam", "Two full rehearsals of launch day, then the written and practical exam.", "6",
     False, "west-texas-suborbital", ""),
    ("Flight profile and g-tolerance", "The air launch, the boost at up to 3 g and entry at up to 6 g; straining "
     "manoeuvres.", "8", False, "spaceport-america-spaceflight", ""),
    ("Cabin procedures and rehearsals", "Moving in weightlessness, returning to the seat in time, rehearsals in the "
     "cabin trainer.", "12", False, "spaceport-america-spaceflight", ""),
    ("Capsule systems and microgravity movement", "The capsule, its displays and five minutes of microgravity.", "8",
     False, "jiuquan-edge-of-space", ""),
    ("Jiuquan mission rehearsal", "Launch-day rehearsal from suit-up to recovery.", "8", False, "jiuquan-edge-of-space", ""),
    ("Centrifuge and parabolic flights", "Launch and entry g in the centrifuge; weightlessness on parabolic flights.",
     "60", False, "orbital-station-stay", ""),
    ("Vehicle systems and simulations", "Spacecraft systems, off-nominal procedures, long simulations.", "400", False,
     "orbital-station-stay", ""),
    ("Station operations and life aboard", "Docking, the station's modules, hygiene, sleep and work aboard.", "100",
     False, "orbital-station-stay", ""),
]


def load_modules() -> dict[str, TrainingModule]:
    itineraries = {i.slug: i for i in Itinerary.objects.filter(slug__in={m[4] for m in MODULES if m[4]})}
    modules = {}
    for position, (name, description, hours, emergency, slug, regime) in enumerate(MODULES):
        if slug and slug not in itineraries:
            continue
        modules[name], _ = TrainingModule.objects.get_or_create(
            name=name, itinerary=itineraries.get(slug), regime=regime,
            defaults=dict(description=description, hours=Decimal(hours), is_emergency_training=emergency,
                          position=position),
        )
    return modules


def _complete_training(booking: Booking, modules, *, instructor, by, today: dt.date, only=None) -> None:
    required = [m for m in modules.values() if m.is_active and m.applies_to_itinerary(booking.flight.itinerary,
                                                                                     booking.flight.itinerary.regime)]
    for offset, module in enumerate(sorted(required, key=lambda m: m.position)):
        if only is not None and module.name not in only:
            continue
        if TrainingRecord.objects.filter(passenger=booking.user, module=module).exists():
            continue
        services.training_sign_off(
            booking=booking, module=module, completed_on=today - dt.timedelta(days=6 - offset),
            hours_attended=module.hours, instructor=instructor, by=by, note="Demo: signed off after the session.",
        )


def load(*, now: dt.datetime, users: dict, **_) -> None:
    passenger, ops = users["passenger"], users["ops"]
    modules = load_modules()
    today = now.date()
    booking = (
        Booking.objects.filter(user=passenger, flight__code="NS-41", status__in=Booking.LIVE_STATUSES)
        .select_related("flight__itinerary", "user")
        .first()
    )
    if booking is not None:
        _complete_training(booking, modules, instructor=ops, by=ops, today=today)
        if not WaiverOfClaims.objects.filter(passenger=passenger, flight=booking.flight).exists():
            services.waiver_sign(
                booking=booking, user=passenger, typed_name=passenger.passenger_profile.legal_name, now=now
            )
        if not SecurityScreening.objects.filter(passenger=passenger, flight=booking.flight).exists():
            services.screening_record(
                passenger=passenger, flight=booking.flight, result=SecurityScreening.Result.PASSED, by=ops, now=now,
                note="Demo: hand luggage and person screened, nothing prohibited found.",
            )
    vg12 = Flight.objects.filter(code="VG-12").first()
    guest = (
        Booking.objects.filter(flight=vg12, user__username="lin", status__in=Booking.LIVE_STATUSES)
        .select_related("flight__itinerary", "user")
        .first()
        if vg12
        else None
    )
    if guest is not None:
        _complete_training(guest, modules, instructor=ops, by=ops, today=today,
                           only={"Emergency egress and cabin emergencies"})
