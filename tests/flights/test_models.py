"""Every database constraint of the flights app refuses a bad row, and clean() explains why."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from flights.models import Flight, Spaceport, Vehicle, VehicleModel
from tests.flights.factories import (
    FlightFactory,
    ItineraryFactory,
    OrbitalItineraryFactory,
    SpaceportFactory,
    VehicleFactory,
    VehicleModelFactory,
)

pytestmark = pytest.mark.django_db




@pytest.mark.parametrize(
    "fields",
    [{"latitude_deg": 91}, {"latitude_deg": -90.5}, {"longitude_deg": 181}, {"azimuth_min_deg": 120, "azimuth_max_deg": 90}],
)
def test_spaceport_constraints_refuse_impossible_coordinates(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        SpaceportFactory(**fields)


def test_spaceport_clean_refuses_unknown_time_zone():
    spaceport = SpaceportFactory.build(timezone="Mars/Olympus_Mons")
    with pytest.raises(ValidationError, match="not an IANA time zone"):
        spaceport.full_clean()


def test_spaceport_clean_names_the_azimuth_problem():
    spaceport = SpaceportFactory.build(azimuth_min_deg=200, azimuth_max_deg=100)
    with pytest.raises(ValidationError, match="largest allowed azimuth must exceed"):
        spaceport.full_clean()


@pytest.mark.parametrize(
    "fields",
    [
        {"passenger_seats": 0},
        {"cabin_mass_budget_kg": Decimal("0")},
        {"passenger_mass_min_kg": Decimal("110"), "passenger_mass_max_kg": Decimal("100")},
        {"passenger_height_min_cm": 200, "passenger_height_max_cm": 150},
        {"peak_g_entry": Decimal("0")},
        {"apogee_km": 0},
    ],
)
def test_vehicle_model_constraints(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        VehicleModelFactory(**fields)


def test_vehicle_model_names_are_unique_per_manufacturer():
    VehicleModelFactory(manufacturer="SpaceX", name="Crew Dragon")
    with pytest.raises(IntegrityError), transaction.atomic():
        VehicleModelFactory(manufacturer="SpaceX", name="Crew Dragon")


def test_vehicle_model_clean_explains_limits():
    model = VehicleModelFactory.build(passenger_mass_min_kg=Decimal("120"), passenger_mass_max_kg=Decimal("100"))
    with pytest.raises(ValidationError, match="largest passenger mass must exceed"):
        model.full_clean()


def test_vehicle_serial_is_unique_and_grounding_needs_a_reason():
    vehicle = VehicleFactory(serial="NS-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        VehicleFactory(serial="NS-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Vehicle.objects.filter(pk=vehicle.pk).update(status=Vehicle.Status.GROUNDED, status_reason="")
    with pytest.raises(IntegrityError), transaction.atomic():
        Vehicle.objects.filter(pk=vehicle.pk).update(status="exploded", status_reason="x")


@pytest.mark.parametrize(
    "fields",
    [
        {"price": Decimal("0")},
        {"deposit": Decimal("500000"), "price": Decimal("450000")},
        {"deposit_non_refundable": Decimal("200000"), "deposit": Decimal("150000")},
        {"peak_g": Decimal("0")},
        {"apogee_km": None},
    ],
)
def test_itinerary_constraints(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        ItineraryFactory(**fields)


def test_orbital_itinerary_needs_target_orbit():
    with pytest.raises(IntegrityError), transaction.atomic():
        OrbitalItineraryFactory(target_inclination_deg=None)
    itinerary = OrbitalItineraryFactory.build(target_altitude_km=None)
    with pytest.raises(ValidationError, match="needs a target orbit altitude"):
        itinerary.full_clean()


def test_itinerary_clean_refuses_deposit_above_price():
    itinerary = ItineraryFactory.build(price=Decimal("100"), deposit=Decimal("200"), deposit_non_refundable=Decimal("0"))
    with pytest.raises(ValidationError, match="deposit cannot exceed the price"):
        itinerary.full_clean()


def test_flight_code_unique_and_commercial_needs_itinerary():
    FlightFactory(code="NS-40")
    with pytest.raises(IntegrityError), transaction.atomic():
        FlightFactory(code="NS-40")
    with pytest.raises(IntegrityError), transaction.atomic():
        FlightFactory(itinerary=None, purpose=Flight.Purpose.COMMERCIAL)
    # Verification flights may fly without a passenger itinerary.
    assert FlightFactory(itinerary=None, purpose=Flight.Purpose.UNCREWED_VERIFICATION).pk


def test_flight_window_constraints():
    launch = timezone.now() + dt.timedelta(days=30)
    with pytest.raises(IntegrityError), transaction.atomic():
        FlightFactory(launch_at=launch, window_open=launch, window_close=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        FlightFactory(launch_at=launch, window_open=launch, window_close=launch - dt.timedelta(hours=1))
    with pytest.raises(IntegrityError), transaction.atomic():
        FlightFactory(
            launch_at=launch + dt.timedelta(hours=3), window_open=launch, window_close=launch + dt.timedelta(hours=2)
        )
    assert FlightFactory(launch_at=launch, window_open=launch, window_close=launch + dt.timedelta(hours=2)).pk


def test_flight_cannot_be_flown_without_a_launch_time():
    flight = FlightFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Flight.objects.filter(pk=flight.pk).update(status=Flight.Status.LAUNCHED)


def test_flight_clean_refuses_regime_mismatch():
    flight = FlightFactory.build(
        itinerary=OrbitalItineraryFactory(), vehicle=VehicleFactory(), spaceport=SpaceportFactory()
    )
    with pytest.raises(ValidationError, match="itinerary is orbital but the vehicle model .* flies suborbital"):
        flight.full_clean()


def test_models_have_readable_names():
    flight = FlightFactory(code="NS-41", vehicle=VehicleFactory(serial="RSS1", name="First Step"))
    assert str(flight) == "NS-41"
    assert str(flight.vehicle) == "First Step (RSS1)"
    assert str(Spaceport.objects.get(pk=flight.spaceport_id)).endswith(f"({flight.spaceport.code.upper()})")
    assert str(VehicleModel.objects.first()).startswith("Blue Origin")
