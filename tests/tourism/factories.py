import datetime as dt
import itertools
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone

from flights import roles
from tests.conftest import PASSWORD
from tests.flights.factories import ItineraryFactory, VehicleFactory, scheduled_flight
from tourism import services
from tourism.models import ConsentDocument, IndustrySafetyRecord, PassengerProfile


class PassengerUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"passenger{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    first_name = factory.Sequence(lambda n: f"Pax{n}")
    last_name = "Tester"
    password = factory.LazyFunction(lambda: make_password(PASSWORD))

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get_or_create(name=roles.PASSENGER)[0])

    @factory.post_generation
    def email_verified(self, create, extracted, **kwargs):
        """Verified unless made with `email_verified=False` (a passenger who has not followed the link yet)."""
        if create and extracted is not False:
            services.email_verification_mark_verified(user=self)


class PassengerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PassengerProfile
        django_get_or_create = ("user",)

    user = factory.SubFactory(PassengerUserFactory)
    legal_name = factory.LazyAttribute(lambda p: f"{p.user.first_name} Q. {p.user.last_name}")
    date_of_birth = dt.date(1980, 5, 17)
    nationality = "US"
    passport_number = factory.Sequence(lambda n: f"X{n:07d}")
    mass_kg = Decimal("75.0")
    height_cm = 178
    emergency_contact = "Jordan Tester (spouse), +1 555 0100"


class ConsentDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsentDocument

    vehicle = factory.SubFactory(VehicleFactory)
    version = factory.Sequence(lambda n: n + 1)
    known_hazards = "Death or serious injury.\nLoss of the vehicle.\nFire in the cabin."


class IndustrySafetyRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndustrySafetyRecord

    summary = "Challenger (1986, 7 died).\nColumbia (2003, 7 died)."
    as_of = dt.date(2026, 1, 1)


def passenger_with_profile(**kwargs):
    return PassengerProfileFactory(**kwargs).user


def bookable_flight(**kwargs):
    """A scheduled commercial flight whose vehicle has a published consent document."""
    flight = scheduled_flight(**kwargs)
    if not ConsentDocument.objects.filter(vehicle=flight.vehicle).exists():
        services.consent_document_publish(vehicle=flight.vehicle, known_hazards="Death or serious injury.", by=None)
    if not IndustrySafetyRecord.objects.exists():
        IndustrySafetyRecordFactory()
    return flight


def sign(booking, user=None, **kwargs):
    user = user or booking.user
    return services.consent_sign(
        booking=booking, user=user, typed_name=user.passenger_profile.legal_name, password=PASSWORD, **kwargs
    )


def pay_deposit(booking, by=None, **kwargs):
    kwargs.setdefault("reference", f"BANK-DEP-{booking.pk}")
    return services.payment_record(booking=booking, kind="deposit", amount=booking.deposit, by=by, **kwargs)


def reserved_booking(flight, user=None, by=None, now=None):
    user = user or passenger_with_profile()
    booking = services.booking_hold(flight=flight, user=user, now=now)
    sign(booking, now=now)
    pay_deposit(booking, by=by, now=now)
    booking.refresh_from_db()
    return booking


def pay_balance(booking, by=None, **kwargs):
    from tourism import selectors

    booking.refresh_from_db()
    outstanding = booking.price - selectors.booking_amount_paid(booking)
    return services.payment_record(
        booking=booking, kind="balance", amount=outstanding, reference=f"BANK-BAL-{booking.pk}", by=by, **kwargs
    )


def flight_adder(on_each=None):
    """`add(n)` for assert_flat_queries: n more bookable flights of one itinerary and vehicle, two days
    apart (the vehicle's turnaround), each handed to `on_each` (to book a seat on it, say)."""
    itinerary, vehicle = ItineraryFactory(), VehicleFactory()
    days = itertools.count(30, 2)

    def add(n):
        for _ in range(n):
            flight = bookable_flight(
                itinerary=itinerary, vehicle=vehicle, launch_at=timezone.now() + dt.timedelta(days=next(days))
            )
            if on_each:
                on_each(flight)

    return add
