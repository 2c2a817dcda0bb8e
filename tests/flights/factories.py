import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from flights.models import Flight, Itinerary, Regime, Spaceport, Vehicle, VehicleModel


class SpaceportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Spaceport
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"sp{n}")
    name = factory.Sequence(lambda n: f"Spaceport {n}")
    country = "US"
    latitude_deg = 32.99
    longitude_deg = -106.975
    altitude_m = 1400
    timezone = "America/Denver"


class VehicleModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VehicleModel

    manufacturer = "Blue Origin"
    name = factory.Sequence(lambda n: f"New Shepard {n}")
    regime = Regime.SUBORBITAL
    passenger_seats = 6
    crew_seats = 0
    cabin_mass_budget_kg = Decimal("606")
    passenger_mass_min_kg = Decimal("50")
    passenger_mass_max_kg = Decimal("101")
    passenger_height_min_cm = 152
    passenger_height_max_cm = 193
    peak_g_ascent = Decimal("3")
    peak_g_entry = Decimal("5.5")
    apogee_km = 107
    required_uncrewed_flights = 2
    required_crewed_flights = 1


class VehicleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vehicle

    serial = factory.Sequence(lambda n: f"V-{n:03d}")
    name = factory.Sequence(lambda n: f"Vehicle {n}")
    model = factory.SubFactory(VehicleModelFactory)
    home_spaceport = factory.SubFactory(SpaceportFactory)


class ItineraryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Itinerary

    name = factory.Sequence(lambda n: f"Suborbital hop {n}")
    slug = factory.Sequence(lambda n: f"hop-{n}")
    regime = Regime.SUBORBITAL
    description = "Eleven minutes above the Karman line."
    duration = dt.timedelta(minutes=11)
    apogee_km = 107
    peak_g = Decimal("5.5")
    training_hours = 14
    price = Decimal("450000.00")
    deposit = Decimal("150000.00")
    deposit_non_refundable = Decimal("25000.00")
    currency = "USD"


class OrbitalItineraryFactory(ItineraryFactory):
    regime = Regime.ORBITAL
    apogee_km = None
    target_altitude_km = 420
    target_inclination_deg = 51.64
    target_norad_id = 25544
    peak_g = Decimal("4.0")
    physical_exam_required = True
    duration = dt.timedelta(days=10)


class FlightFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Flight

    code = factory.Sequence(lambda n: f"FL-{n:04d}")
    itinerary = factory.SubFactory(ItineraryFactory)
    vehicle = factory.SubFactory(VehicleFactory)
    spaceport = factory.SelfAttribute("vehicle.home_spaceport")
    purpose = Flight.Purpose.COMMERCIAL
    launch_at = factory.LazyFunction(lambda: (timezone.now() + dt.timedelta(days=120)).replace(microsecond=0))


def scheduled_flight(**kwargs) -> Flight:
    """A flight put on the schedule through the service, as operations would."""
    from flights import services

    flight = FlightFactory(**kwargs)
    return services.flight_schedule(flight=flight, by=None)
