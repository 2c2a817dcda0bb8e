"""Demo records of the booking app, loaded by `load_demo` through the flights app's loader lists.

`load_reference_data` runs before the flights exist: consent documents, the industry safety record, a
refund policy and the demo passenger's profile. `load_bookings` runs once the flights are on the
schedule: the demo passenger's reserved seat on NS-41, and VG-12 full with the passenger on its waitlist.
Everything is keyed on natural keys, so a second run adds nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from flights import roles
from flights.models import Flight
from tourism import services
from tourism.models import Booking, ConsentDocument, IndustrySafetyRecord, PassengerProfile, RefundPolicy, WaitlistEntry

KNOWN_HAZARDS = """Death or serious injury from a failure of the launch vehicle, the capsule, its parachutes or its landing system.
Loss of the vehicle on the pad, in flight or on landing, with everyone on board.
Fire, smoke or toxic fumes in the cabin.
Loss of cabin pressure.
Acceleration of up to {peak_g} g, vibration and noise during ascent and entry; motion sickness and disorientation.
Injury during an emergency exit or while waiting for recovery after landing."""

INDUSTRY_RECORD = """Crewed spaceflight since 1961: Vostok, Mercury, Voskhod, Gemini, Soyuz, Apollo, the Space Shuttle, Shenzhou, Crew Dragon and Starliner (orbital); X-15, SpaceShipOne, SpaceShipTwo and New Shepard (suborbital).
Fatal accidents in flight: Soyuz 1 (1967, 1 died), Soyuz 11 (1971, 3 died), Space Shuttle Challenger (1986, 7 died), Space Shuttle Columbia (2003, 7 died), X-15 flight 3-65-97 (1967, 1 died), SpaceShipTwo VSS Enterprise test flight (2014, 1 died).
Fatal accident on the ground during a test: Apollo 1 cabin fire (1967, 3 died).
Launch aborts with the crew recovered safely: Soyuz 18a (1975), Soyuz T-10-1 (1983), Soyuz MS-10 (2018).
New Shepard NS-23 (2022, uncrewed): booster failure; the capsule escape system worked; the fleet was grounded until corrective actions closed."""

DEMO_PROFILE = dict(
    legal_name="Ada Lovelace Passenger", date_of_birth=dt.date(1984, 4, 12), nationality="GB",
    passport_number="P4021988", mass_kg=Decimal("68.0"), height_cm=171,
    emergency_contact="Charles Passenger (brother), +44 20 7946 0000",
)

# Fellow passengers who fill VG-12, so the demo passenger can be shown on a waitlist.
GUESTS = [
    ("mira", "Mira Okafor", dt.date(1979, 2, 3), "NG", "A0193847", Decimal("61.5"), 166),
    ("tomas", "Tomás Herrera", dt.date(1966, 9, 21), "MX", "G7741120", Decimal("82.0"), 180),
    ("lin", "Lin Wei", dt.date(1990, 6, 30), "SG", "K5521093", Decimal("57.0"), 162),
    ("erik", "Erik Lindqvist", dt.date(1958, 12, 1), "SE", "S9930215", Decimal("88.5"), 188),
]


def load_reference_data(*, now, users, vehicles, itineraries, **kwargs) -> None:
    ops = users["ops"]
    for vehicle in vehicles.values():
        if not ConsentDocument.objects.filter(vehicle=vehicle).exists():
            services.consent_document_publish(
                vehicle=vehicle, by=ops, now=now, known_hazards=KNOWN_HAZARDS.format(peak_g=vehicle.model.peak_g)
            )
    if not IndustrySafetyRecord.objects.exists():
        services.industry_record_publish(summary=INDUSTRY_RECORD, as_of=now.date(), by=ops)
    # Virgin Galactic keeps $25k of a $150k deposit; its refund tiers are written down as the defaults.
    RefundPolicy.objects.get_or_create(itinerary=itineraries["spaceport-america-spaceflight"])
    if not PassengerProfile.objects.filter(user=users["passenger"]).exists():
        services.passenger_profile_save(user=users["passenger"], **DEMO_PROFILE)
    # Demo passengers followed their verification link long ago.
    services.email_verification_mark_verified(user=users["passenger"], by=ops, now=now)


def _guest(username: str, full_name: str, born, nationality, passport, mass, height):
    User = get_user_model()
    first, last = full_name.split(" ", 1)
    user, created = User.objects.get_or_create(
        username=username, defaults=dict(first_name=first, last_name=last, email=f"{username}@demo.spaceline.test")
    )
    if created:
        user.set_password(settings.DEMO_PASSWORD)
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=roles.PASSENGER))
    if not PassengerProfile.objects.filter(user=user).exists():
        services.passenger_profile_save(
            user=user, legal_name=full_name, date_of_birth=born, nationality=nationality, passport_number=passport,
            mass_kg=mass, height_cm=height, emergency_contact=f"Family of {full_name}, +1 555 0100",
        )
    services.email_verification_mark_verified(user=user)
    return user


def _reserved_booking(*, user, flight: Flight, ops, now) -> Booking:
    """Hold, sign and pay the deposit, as the passenger and operations would."""
    booking = services.booking_hold(flight=flight, user=user, now=now)
    services.consent_sign(
        booking=booking, user=user, typed_name=user.passenger_profile.legal_name, password=settings.DEMO_PASSWORD, now=now
    )
    services.payment_record(
        booking=booking, kind="deposit", amount=booking.deposit, reference=f"DEMO-DEPOSIT-{booking.pk}", by=ops, now=now
    )
    return booking


def load_bookings(*, now, users, **kwargs) -> None:
    passenger, ops = users["passenger"], users["ops"]
    ns41 = Flight.objects.filter(code="NS-41").first()
    if ns41 and not Booking.objects.filter(flight=ns41, user=passenger).exists():
        _reserved_booking(user=passenger, flight=ns41, ops=ops, now=now)
    vg12 = Flight.objects.filter(code="VG-12").first()
    if vg12 is None:
        return
    for guest in GUESTS:
        user = _guest(*guest)
        if not Booking.objects.filter(flight=vg12, user=user).exists() and vg12.seats_total > vg12.bookings.count():
            _reserved_booking(user=user, flight=vg12, ops=ops, now=now)
    if not WaitlistEntry.objects.filter(flight=vg12, user=passenger).exists():
        services.waitlist_join(flight=vg12, user=passenger, now=now)

