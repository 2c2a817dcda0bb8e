"""Demo data from ../shared/DOMAIN.md: real spaceports, public vehicle figures, realistic itineraries.

`load_demo` calls `load()`; every step is keyed on a natural key, so running it twice leaves the same
rows. Other apps add their demo records by registering a loader in `extra_loaders`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from flights import roles, services
from flights.launch_windows import launch_windows_request
from flights.models import (
    CrewMember,
    Flight,
    FlightCrew,
    FlightStatusChange,
    Itinerary,
    Position,
    PositionAssignment,
    Regime,
    Spaceport,
    Vehicle,
    VehicleModel,
    WeatherReport,
)
from flights.readiness import readiness_report_create

SPACEPORTS = [
    # code, name, country, lat, lon, altitude m, tz, azimuth range
    ("spa", "Spaceport America", "US", 32.9903, -106.9750, 1401, "America/Denver", (0, 360)),
    ("wtx", "West Texas Launch Site One", "US", 31.4229, -104.7570, 1120, "America/Chicago", (0, 360)),
    ("ksc", "Kennedy Space Center LC-39A", "US", 28.6082, -80.6041, 3, "America/New_York", (35, 120)),
    ("jsl", "Jiuquan Satellite Launch Center", "CN", 40.9581, 100.2912, 1000, "Asia/Shanghai", (90, 200)),
    ("wsl", "Wenchang Space Launch Site", "CN", 19.6145, 110.9510, 20, "Asia/Shanghai", (80, 190)),
]

VEHICLE_MODELS = [
    # Public figures from DOMAIN.md; limits not published are the operator's policy defaults.
    dict(manufacturer="Blue Origin", name="New Shepard", regime=Regime.SUBORBITAL, passenger_seats=6, crew_seats=0,
         cabin_mass_budget_kg=Decimal("606"), passenger_mass_min_kg=Decimal("50"), passenger_mass_max_kg=Decimal("101"),
         passenger_height_min_cm=152, passenger_height_max_cm=193, peak_g_ascent=Decimal("3"),
         peak_g_entry=Decimal("5.5"), apogee_km=107, max_wind_kt=20, max_gust_kt=25,
         required_uncrewed_flights=2, required_crewed_flights=1),
    dict(manufacturer="Virgin Galactic", name="SpaceShipTwo", regime=Regime.SUBORBITAL, passenger_seats=4,
         crew_seats=2, cabin_mass_budget_kg=Decimal("440"), passenger_mass_min_kg=Decimal("50"),
         passenger_mass_max_kg=Decimal("110"), passenger_height_min_cm=150, passenger_height_max_cm=196,
         peak_g_ascent=Decimal("3"), peak_g_entry=Decimal("6"), apogee_km=87, max_wind_kt=25, max_gust_kt=30,
         required_uncrewed_flights=1, required_crewed_flights=2),
    dict(manufacturer="CAS Space", name="Lihong-1", regime=Regime.SUBORBITAL, passenger_seats=7, crew_seats=0,
         cabin_mass_budget_kg=Decimal("700"), passenger_mass_min_kg=Decimal("50"), passenger_mass_max_kg=Decimal("100"),
         passenger_height_min_cm=150, passenger_height_max_cm=190, peak_g_ascent=Decimal("4"),
         peak_g_entry=Decimal("5"), apogee_km=120, max_wind_kt=20, max_gust_kt=25,
         required_uncrewed_flights=3, required_crewed_flights=1),
    dict(manufacturer="SpaceX", name="Crew Dragon", regime=Regime.ORBITAL, passenger_seats=4, crew_seats=0,
         cabin_mass_budget_kg=Decimal("440"), passenger_mass_min_kg=Decimal("50"), passenger_mass_max_kg=Decimal("110"),
         passenger_height_min_cm=150, passenger_height_max_cm=198, peak_g_ascent=Decimal("4"),
         peak_g_entry=Decimal("4.5"), apogee_km=590, max_wind_kt=30, max_gust_kt=35, plane_change_budget_deg=0.3,
         required_uncrewed_flights=1, required_crewed_flights=1),
]

VEHICLES = [
    # serial, name, model name, home spaceport code, flights before tracking
    ("NS-RSS1", "RSS First Step", "New Shepard", "wtx", 12),
    ("VSS-UNITY", "VSS Unity", "SpaceShipTwo", "spa", 9),
    ("C206", "Endeavour", "Crew Dragon", "ksc", 5),
    ("LH1-Y1", "Lihong-1 Y1", "Lihong-1", "jsl", 1),
]

ITINERARIES = [
    dict(slug="west-texas-suborbital", name="West Texas Suborbital Hop", regime=Regime.SUBORBITAL,
         description="Eleven minutes above the Kármán line: three minutes of weightlessness, the curve of the Earth, "
                     "and a parachute landing in the desert.",
         duration=dt.timedelta(minutes=11), apogee_km=107, peak_g=Decimal("5.5"), training_hours=14,
         physical_exam_required=False, price=Decimal("1250000.00"), deposit=Decimal("150000.00"),
         deposit_non_refundable=Decimal("0.00"), currency="USD"),
    dict(slug="spaceport-america-spaceflight", name="Spaceport America Spaceflight", regime=Regime.SUBORBITAL,
         description="Air-launched from the mothership over New Mexico, a rocket-powered climb to 87 km and a glide home.",
         duration=dt.timedelta(minutes=90), apogee_km=87, peak_g=Decimal("6.0"), training_hours=24,
         physical_exam_required=False, price=Decimal("600000.00"), deposit=Decimal("150000.00"),
         deposit_non_refundable=Decimal("25000.00"), currency="USD"),
    dict(slug="jiuquan-edge-of-space", name="Jiuquan Edge of Space", regime=Regime.SUBORBITAL,
         description="A capsule ride to 120 km from the Gobi desert, with more than five minutes of microgravity.",
         duration=dt.timedelta(minutes=12), apogee_km=120, peak_g=Decimal("5.0"), training_hours=20,
         physical_exam_required=False, price=Decimal("2500000.00"), deposit=Decimal("500000.00"),
         deposit_non_refundable=Decimal("100000.00"), currency="CNY"),
    dict(slug="orbital-station-stay", name="Orbital Station Stay", regime=Regime.ORBITAL,
         description="Ten days in low Earth orbit with a docking at the station, after months of training.",
         duration=dt.timedelta(days=10), target_altitude_km=420, target_inclination_deg=51.64, target_norad_id=25544,
         peak_g=Decimal("4.5"), training_hours=600, physical_exam_required=True, price=Decimal("55000000.00"),
         deposit=Decimal("5000000.00"), deposit_non_refundable=Decimal("1000000.00"), currency="USD"),
]

FLIGHTS = [
    # code, itinerary slug, vehicle serial, spaceport code, days from first load, UTC hour
    ("NS-41", "west-texas-suborbital", "NS-RSS1", "wtx", 21, 14),
    ("NS-42", "west-texas-suborbital", "NS-RSS1", "wtx", 63, 14),
    ("NS-43", "west-texas-suborbital", "NS-RSS1", "wtx", 105, 15),
    ("VG-12", "spaceport-america-spaceflight", "VSS-UNITY", "spa", 35, 16),
    ("VG-13", "spaceport-america-spaceflight", "VSS-UNITY", "spa", 77, 16),
    ("AX-9", "orbital-station-stay", "C206", "ksc", 120, 13),
]
# An orbital flight already in orbit (issue 13): code, itinerary slug, vehicle serial, spaceport, days since liftoff.
IN_ORBIT = ("AX-8", "orbital-station-stay", "C206", "ksc", 4)

DEMO_USERS = [
    # username, role, full name, staff
    ("passenger", roles.PASSENGER, "Ada Passenger", False),
    ("surgeon", roles.FLIGHT_SURGEON, "Dr. Sam Surgeon", False),
    ("director", roles.FLIGHT_DIRECTOR, "Flo Director", True),
    ("ops", roles.OPERATIONS, "Oz Operations", True),
]

# Other apps append callables(now, users) that add their demo records after the flights app's.
extra_loaders: list[Callable] = []
# Loaders that need the flights on the schedule (bookings on them) run last, as callables(now, users).
flight_loaders: list[Callable] = []


def load(*, now: dt.datetime | None = None, stdout=None) -> dict:
    now = now or timezone.now()
    with transaction.atomic():
        users = _load_users()
        ports = {}
        for code, name, country, lat, lon, alt, tz, (az_min, az_max) in SPACEPORTS:
            ports[code], _ = Spaceport.objects.update_or_create(
                code=code,
                defaults=dict(name=name, country=country, latitude_deg=lat, longitude_deg=lon, altitude_m=alt,
                              timezone=tz, azimuth_min_deg=az_min, azimuth_max_deg=az_max),
            )
        models = {}
        for spec in VEHICLE_MODELS:
            spec = dict(spec)
            manufacturer, name = spec.pop("manufacturer"), spec.pop("name")
            models[name], _ = VehicleModel.objects.update_or_create(manufacturer=manufacturer, name=name, defaults=spec)
        vehicles = {}
        for serial, name, model_name, port, flown in VEHICLES:
            vehicles[serial], _ = Vehicle.objects.update_or_create(
                serial=serial,
                defaults=dict(name=name, model=models[model_name], home_spaceport=ports[port],
                              flights_before_tracking=flown),
            )
        for vehicle in vehicles.values():
            _load_maintenance(vehicle, users["ops"], today=now.date())
        _load_crew_and_weather(ports, now=now)
        itineraries = {}
        for spec in ITINERARIES:
            spec = dict(spec)
            slug = spec.pop("slug")
            itineraries[slug], _ = Itinerary.objects.update_or_create(slug=slug, defaults=spec)
        _load_demo_station(now=now)
        for loader in extra_loaders:
            loader(now=now, users=users, vehicles=vehicles, spaceports=ports, itineraries=itineraries)
        first_day = now.replace(hour=0, minute=0, second=0, microsecond=0)
        for code, slug, serial, port, days, hour in FLIGHTS:
            launch_at = first_day + dt.timedelta(days=days, hours=hour)
            flight, created = Flight.objects.get_or_create(
                code=code,
                defaults=dict(itinerary=itineraries[slug], vehicle=vehicles[serial], spaceport=ports[port],
                              purpose=Flight.Purpose.COMMERCIAL, launch_at=launch_at,
                              flight_director=users["director"]),
            )
            if flight.status == Flight.Status.DRAFT:
                services.flight_schedule(flight=flight, by=users["ops"], now=now)
            _load_launch_team(flight, users)
            if flight.vehicle.model.crew_seats and not flight.crew.exists():
                for member in CrewMember.objects.filter(role=CrewMember.Role.PILOT)[: flight.vehicle.model.crew_seats]:
                    FlightCrew.objects.create(flight=flight, member=member, role=member.role)
            if not flight.readiness_reports.exists():
                readiness_report_create(flight=flight, trigger="Demo load", now=now)
            if not flight.window_computations.exists():
                # The worker computes them once this commits (orbital ones need the catalog first).
                launch_windows_request(flight=flight, by=users["ops"], now=now)
        _load_flight_in_orbit(now=now, users=users, itineraries=itineraries, vehicles=vehicles, ports=ports)
        for loader in flight_loaders:
            loader(now=now, users=users)
    return {"users": users, "flights": Flight.objects.count(), "password": settings.DEMO_PASSWORD}


def _load_flight_in_orbit(*, now: dt.datetime, users: dict, itineraries: dict, vehicles: dict, ports: dict) -> None:
    """AX-8, four days into its ten-day station stay, so its return steps and the conjunction board (whose demo
    events flights.traffic.demo adds) show something on `make run`.

    Recorded as flown before this system took over launch control (no poll or window on record), the way the
    verification demo records its historical flights; liftoff then plans its return as the launch service
    does (flights.returns). Made once: a second load leaves it as it is.
    """
    from flights import returns

    code, slug, serial, port, days = IN_ORBIT
    flight = Flight.objects.filter(code=code).first()
    if flight is None:
        launched = (now - dt.timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
        reason = "Liftoff (flown before this system took over launch control: demo data)"
        flight = Flight.objects.create(
            code=code, itinerary=itineraries[slug], vehicle=vehicles[serial], spaceport=ports[port],
            purpose=Flight.Purpose.COMMERCIAL, launch_at=launched, status=Flight.Status.LAUNCHED, status_reason=reason,
            status_changed_at=launched, launched_at=launched, flight_director=users["director"],
        )
        FlightStatusChange.objects.create(
            flight=flight, from_status=Flight.Status.DRAFT, to_status=Flight.Status.LAUNCHED, reason=reason,
            changed_by=users["ops"], changed_at=launched, launch_at=launched,
        )
        returns.return_start(flight=flight)
    _load_launch_team(flight, users)


DEMO_STATION_NORAD_ID = 25544
DEMO_STATION_NAME = "ISS (ZARYA) [DEMO ELEMENTS]"


def _load_demo_station(*, now: dt.datetime) -> None:
    """The station the orbital itinerary docks with, so its planar windows compute on `make run` (issue 14).

    Elements built at load time from a realistic orbit (about 420 km, 51.64 degrees, ISS-like), epoch now,
    and named as demo data: they are not the real station's and must never be used to fly. A station
    imported from a real catalog (import_catalog) is left alone; a demo one is refreshed on every load.
    """
    from flights.catalog import tracked_object_fields
    from flights.models import CatalogImport, TrackedObject
    from flights.orbits.element_set import ElementSet

    existing = TrackedObject.objects.filter(norad_id=DEMO_STATION_NORAD_ID).first()
    if existing is not None and existing.name != DEMO_STATION_NAME:
        return
    epoch = now.astimezone(dt.UTC).replace(microsecond=0)
    elements = ElementSet(
        norad_id=DEMO_STATION_NORAD_ID, name=DEMO_STATION_NAME, epoch=epoch, inclination_deg=51.64,
        raan_deg=(epoch.timetuple().tm_yday * 5.0) % 360.0, eccentricity=0.0005, arg_perigee_deg=90.0,
        mean_anomaly_deg=270.0, mean_motion_rev_per_day=15.50, bstar=0.00002,
        international_designator="98067A", omm_object_type="PAYLOAD",
    )
    TrackedObject.objects.update_or_create(
        norad_id=DEMO_STATION_NORAD_ID, defaults={**tracked_object_fields(elements), "inhabitable": True},
    )
    # The screening refuses a catalog with no import on record (its age is unknown): say when this one was made.
    # One row, moved forward with the elements on every load (load_demo stays idempotent).
    CatalogImport.objects.update_or_create(
        source="load_demo: demo station elements (not for flight)",
        defaults={"started_at": now, "finished_at": now, "updated": 1},
    )


def _load_maintenance(vehicle: Vehicle, signer, *, today: dt.date) -> None:
    """One signed inspection per vehicle, a month ago, with the next one due in five months."""
    if vehicle.maintenance_records.exists():
        return
    services.maintenance_record_add(
        vehicle=vehicle,
        performed_on=today - dt.timedelta(days=30),
        work_done="Post-flight inspection: thermal protection, parachutes, propulsion and avionics checked.",
        signed_by=signer,
        is_inspection=True,
        next_inspection_due=today + dt.timedelta(days=150),
    )
    vehicle.flights_between_inspections = 5
    vehicle.save(update_fields=["flights_between_inspections"])


# Who holds each position on the demo flights.
DEMO_POSITIONS = {
    Position.FLIGHT_DIRECTOR: "director", Position.VERIFICATION: "director", Position.WEATHER: "director",
    Position.VEHICLE: "ops", Position.RANGE: "ops", Position.TRAFFIC: "ops", Position.MANIFEST: "ops",
    Position.RECOVERY: "ops", Position.MEDICAL: "surgeon",
}


def _load_launch_team(flight: Flight, users: dict) -> None:
    for position, username in DEMO_POSITIONS.items():
        PositionAssignment.objects.get_or_create(flight=flight, position=position, defaults={"person": users[username]})


def _load_crew_and_weather(ports: dict, *, now: dt.datetime) -> None:
    # SpaceShipTwo flies two pilots (14 CFR 460.5 second-class medical, 460.7 recurrent training).
    for name in ("CJ Sturckow", "Dave Mackay"):
        CrewMember.objects.get_or_create(
            name=name,
            defaults={"role": CrewMember.Role.PILOT, "medical_issued_on": now.date() - dt.timedelta(days=60),
                      "recurrent_training_until": now.date() + dt.timedelta(days=300)},
        )
    for port in ports.values():
        if not WeatherReport.objects.filter(spaceport=port, source="demo").exists():
            WeatherReport.objects.create(spaceport=port, valid_at=now, issued_at=now, source="demo",
                                         wind_kt=8, gust_kt=12, ceiling_ft=25000, visibility_mi=10)


def _load_users() -> dict:
    User = get_user_model()
    roles.ensure_roles()
    users = {}
    for username, role, full_name, staff in DEMO_USERS:
        first, last = full_name.rsplit(" ", 1)
        user, created = User.objects.get_or_create(
            username=username,
            defaults=dict(first_name=first, last_name=last, email=f"{username}@demo.spaceline.test", is_staff=staff),
        )
        if created:
            user.set_password(settings.DEMO_PASSWORD)
            user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=role))
        users[username] = user
    return users
