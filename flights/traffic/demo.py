"""Demo conjunctions for `make run` (issue 13): the demo flight in orbit, docked to the demo station, meets
three made-up objects over the next days, one of them red and undecided, so the board shows something.

Built at load time from the demo station's own elements (flights.demo makes them; nothing is read from
files): its state at each TCA from SGP4, the other object's state and both covariances made around it
(flights.orbits.conjunction.synthetic), written as CDMs labelled DEMO and imported through the same service
as a real message, so tiers, Pc, the trend of updates and the alerts are the real ones. Registered in
flights.demo.flight_loaders by TrafficConfig.ready(); keyed on the flight having an open demo event, so a
second load changes nothing (once the sweep has closed them after their TCAs, a later load makes new ones).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from flights.catalog import element_set_of
from flights.demo import DEMO_STATION_NORAD_ID, IN_ORBIT
from flights.exceptions import DomainError
from flights.models import Flight, TrackedObject
from flights.orbits.conjunction.cdm import CdmObject, ConjunctionMessage, write_cdm
from flights.orbits.conjunction.synthetic import synthetic_conjunction
from flights.orbits.frames import julian_date
from flights.traffic import services
from flights.traffic.models import ConjunctionEvent, ProtectedObject

ORIGINATOR = "DEMO"
DEMO_COMMENT = "Demo data made by load_demo from the demo station's elements: not a real conjunction."
DEMO_VEHICLE_DESIGNATOR = "99001"  # no real object has it; the capsule flies as part of the station while docked


@dataclass(frozen=True)
class DemoUpdate:
    hours_ago: float  # received this long before the load
    tca_shift_s: float  # each message refines the TCA a little
    miss_m: tuple[float, float]  # on the encounter plane: (radial-ish, across)
    sigmas1_m: tuple[float, float, float]  # the station's position sigmas, radial / in-track / cross-track
    sigmas2_m: tuple[float, float, float]  # the other object's


@dataclass(frozen=True)
class DemoConjunction:
    designator: str
    name: str
    tca_in_hours: float
    crossing_angle_deg: float
    updates: tuple[DemoUpdate, ...]
    decision: str = ""  # a decision the demo director signs after the last update


BIG, SMALL = ((70, 500, 50), (140, 1500, 120)), ((45, 300, 35), (100, 900, 80))
# Pc with the default 20 m hard-body radius: red climbs 2.9e-5 (yellow), 5.4e-4, 1.0e-3 (red) as the
# covariances shrink; yellow falls 6.7e-5 to 2.2e-5; green is about 1e-9.
CONJUNCTIONS = (
    DemoConjunction(
        "99911",
        "FENGYUN 1C DEB (DEMO)",
        40,
        95,
        (
            DemoUpdate(30, 0.0, (420, 560), *BIG),
            DemoUpdate(18, 0.8, (200, 300), (60, 400, 40), (120, 1200, 100)),
            DemoUpdate(6, 1.1, (150, 250), *SMALL),
        ),
    ),
    DemoConjunction(
        "99912",
        "COSMOS 1408 DEB (DEMO)",
        20,
        120,
        (
            DemoUpdate(26, 0.0, (330, 660), (60, 400, 40), (120, 1200, 100)),
            DemoUpdate(10, -0.6, (320, 650), *SMALL),
        ),
        decision="monitor",
    ),
    DemoConjunction(
        "99913", "SL-16 R/B (DEMO)", 78, 75, (DemoUpdate(12, 0.0, (700, 1200), (60, 400, 40), (120, 1200, 100)),)
    ),
)


def load(*, now: dt.datetime, users: dict, **_) -> None:
    flight = Flight.objects.filter(code=IN_ORBIT[0], status=Flight.Status.LAUNCHED).select_related("vehicle").first()
    station_object = TrackedObject.objects.filter(norad_id=DEMO_STATION_NORAD_ID).first()
    if flight is None or station_object is None:
        return
    station = _protect(flight, ProtectedObject.Kind.STATION, str(DEMO_STATION_NORAD_ID), station_object.name)
    _protect(
        flight, ProtectedObject.Kind.VEHICLE, DEMO_VEHICLE_DESIGNATOR, f"{flight.vehicle.name} {flight.code} (DEMO)"
    )
    if (
        station is None
        or ConjunctionEvent.objects.filter(
            protected__flight=flight, status=ConjunctionEvent.Status.OPEN, updates__originator=ORIGINATOR
        ).exists()
    ):
        return
    satellite = element_set_of(station_object).satrec()
    base = now.astimezone(dt.UTC).replace(microsecond=0)
    for conjunction in CONJUNCTIONS:
        tca = base + dt.timedelta(hours=conjunction.tca_in_hours)
        for number, update in enumerate(conjunction.updates, start=1):
            received = base - dt.timedelta(hours=update.hours_ago)
            text = _cdm(satellite, station, conjunction, update, number, tca=tca, received=received)
            result = services.cdm_import(text=text, now=received)
        if conjunction.decision:
            _sign(result.event, users["director"], conjunction.decision, now=base)


def _protect(flight: Flight, kind: str, designator: str, name: str) -> ProtectedObject | None:
    """The flight's protected object with this catalog number, unless another flight's is active."""
    own = ProtectedObject.objects.filter(flight=flight, designator=designator).first()
    if own is not None:
        return own
    if ProtectedObject.objects.filter(designator=designator, is_active=True).exists():
        return None
    return ProtectedObject.objects.create(
        flight=flight, kind=kind, designator=designator, name=name, created_at=timezone.now()
    )


def _cdm(
    satellite,
    station: ProtectedObject,
    conjunction: DemoConjunction,
    update: DemoUpdate,
    number: int,
    *,
    tca: dt.datetime,
    received: dt.datetime,
) -> str:
    moment = tca + dt.timedelta(seconds=update.tca_shift_s)
    error, position, velocity = satellite.sgp4(*julian_date(moment))
    if error:
        raise DomainError(
            f"The demo station's elements cannot be propagated to {moment:%Y-%m-%d %H:%M} (SGP4 {error})."
        )
    made = synthetic_conjunction(
        position,
        velocity,
        crossing_angle_deg=conjunction.crossing_angle_deg,
        miss_m=update.miss_m,
        sigmas1_m=update.sigmas1_m,
        sigmas2_m=update.sigmas2_m,
    )
    message = ConjunctionMessage(
        message_id=f"DEMO_{station.designator}_conj_{conjunction.designator}_{tca:%Y%m%d_%H%M%S}_{number}",
        creation_date=received,
        originator=ORIGINATOR,
        tca=moment,
        miss_distance_m=made.miss_distance_m,
        relative_speed_m_s=made.relative_speed_m_s,
        hbr_m=settings.TRAFFIC_DEFAULT_HBR_M,
        comments=(DEMO_COMMENT,),
        # KVN reads a trailing [..] as a unit: the station's "[DEMO ELEMENTS]" label goes in round brackets.
        object1=CdmObject(
            designator=station.designator,
            name=station.name.replace("[", "(").replace("]", ")"),
            position_km=made.position1_km,
            velocity_km_s=made.velocity1_km_s,
            covariance_rtn=made.covariance1_rtn,
            ref_frame="TEME",
            international_designator="1998-067A",
            maneuverable="YES",
        ),
        object2=CdmObject(
            designator=conjunction.designator,
            name=conjunction.name,
            position_km=made.position2_km,
            velocity_km_s=made.velocity2_km_s,
            covariance_rtn=made.covariance2_rtn,
            ref_frame="TEME",
            maneuverable="NO",
        ),
    )
    return write_cdm(message)


def _sign(event: ConjunctionEvent, director, kind: str, *, now: dt.datetime) -> None:
    """The demo director's signed decision, with the demo password; a changed password leaves it undecided."""
    try:
        with transaction.atomic():
            services.decision_record(
                event=event,
                signer=director,
                password=settings.DEMO_PASSWORD,
                kind=kind,
                reason="Pc falling with each update and well under the red threshold; the next CDM is due in 8 h.",
                meaning=services.default_meaning(kind),
                now=now,
            )
    except DomainError:
        pass
