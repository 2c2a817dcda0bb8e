"""Every allowed and refused status change of vehicles and flights, with the message a user reads."""

import datetime as dt

import pytest
from django.utils import timezone

from flights import registry, services
from flights.exceptions import FlightNotSchedulable, InvalidInput, InvalidTransition, VehicleNotAvailable
from flights.models import Flight, Vehicle
from flights.signals import flight_status_changed
from tests.flights.factories import FlightFactory, OrbitalItineraryFactory, VehicleFactory, scheduled_flight

pytestmark = pytest.mark.django_db


# --- Vehicles -------------------------------------------------------------------------------------

VEHICLE_MOVES = {
    "active": {"maintenance": services.vehicle_start_maintenance, "grounded": services.vehicle_ground,
               "retired": services.vehicle_retire},
    "maintenance": {"active": services.vehicle_return_to_service, "grounded": services.vehicle_ground,
                    "retired": services.vehicle_retire},
    "grounded": {"active": services.vehicle_return_to_service, "maintenance": services.vehicle_start_maintenance,
                 "retired": services.vehicle_retire},
}
SERVICE_FOR_TARGET = {
    "active": services.vehicle_return_to_service,
    "maintenance": services.vehicle_start_maintenance,
    "grounded": services.vehicle_ground,
    "retired": services.vehicle_retire,
}


def vehicle_in(status: str) -> Vehicle:
    vehicle = VehicleFactory()
    Vehicle.objects.filter(pk=vehicle.pk).update(status=status, status_reason="" if status == "active" else "set up")
    vehicle.refresh_from_db()
    return vehicle


@pytest.mark.parametrize(
    "from_status,to_status",
    [(a, b) for a, moves in VEHICLE_MOVES.items() for b in moves],
)
def test_vehicle_allowed_moves_record_who_and_why(from_status, to_status, operations):
    vehicle = vehicle_in(from_status)
    result = SERVICE_FOR_TARGET[to_status](vehicle=vehicle, reason="Hydraulic leak on the aft bay", by=operations)
    assert result.status == to_status
    vehicle.refresh_from_db()
    assert vehicle.status == to_status
    assert vehicle.status_reason == "Hydraulic leak on the aft bay"
    assert vehicle.status_changed_by == operations
    change = vehicle.status_changes.get()
    assert (change.from_status, change.to_status, change.changed_by) == (from_status, to_status, operations)
    assert vehicle.history.count() >= 2  # simple_history keeps every version


@pytest.mark.parametrize(
    "from_status,to_status",
    [
        (a, b)
        for a in ("active", "maintenance", "grounded", "retired")
        for b in ("active", "maintenance", "grounded", "retired")
        if b not in VEHICLE_MOVES.get(a, {})
    ],
)
def test_vehicle_refused_moves_say_why(from_status, to_status, operations):
    vehicle = vehicle_in(from_status)
    with pytest.raises(InvalidTransition, match=f"it is {Vehicle.Status(from_status).label.lower()}"):
        SERVICE_FOR_TARGET[to_status](vehicle=vehicle, reason="because", by=operations)
    vehicle.refresh_from_db()
    assert vehicle.status == from_status
    assert not vehicle.status_changes.exists()


def test_grounding_needs_a_reason(operations):
    vehicle = VehicleFactory()
    with pytest.raises(InvalidInput, match="Give a reason to ground a vehicle"):
        services.vehicle_ground(vehicle=vehicle, reason="   ", by=operations)


def test_retiring_a_vehicle_with_planned_flights_is_refused(operations):
    flight = scheduled_flight(code="NS-50")
    with pytest.raises(VehicleNotAvailable, match=r"still has flights planned \(NS-50\)"):
        services.vehicle_retire(vehicle=flight.vehicle, reason="End of life", by=operations)


def test_return_to_service_asks_registered_guards(operations):
    vehicle = vehicle_in("grounded")

    def corrective_actions_open(vehicle, **context):
        return f"{vehicle.serial} has 2 corrective actions open."

    registry.return_to_service_guards.register(corrective_actions_open)
    try:
        with pytest.raises(Exception, match="has 2 corrective actions open") as excinfo:
            services.vehicle_return_to_service(vehicle=vehicle, reason="Fixed", by=operations)
        assert excinfo.value.code == "vehicle_not_returnable"
    finally:
        registry.return_to_service_guards.unregister(corrective_actions_open)
    assert services.vehicle_return_to_service(vehicle=vehicle, reason="Fixed", by=operations).status == "active"


def test_maintenance_inspection_moves_the_due_date(operations):
    vehicle = VehicleFactory(next_inspection_due=dt.date(2020, 1, 1))
    today = timezone.now().date()
    services.maintenance_record_add(
        vehicle=vehicle, performed_on=today, work_done="Full inspection", signed_by=operations,
        is_inspection=True, next_inspection_due=today + dt.timedelta(days=180),
    )
    vehicle.refresh_from_db()
    assert vehicle.next_inspection_due == today + dt.timedelta(days=180)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"work_done": ""}, "describe the work done"),
        ({"performed_on": "future"}, "cannot be recorded for a future date"),
        ({"next_inspection_due": "past"}, "next inspection must fall after"),
    ],
)
def test_maintenance_record_refusals(kwargs, message, operations):
    today = timezone.now().date()
    args = {"vehicle": VehicleFactory(), "performed_on": today, "work_done": "Seals replaced", "signed_by": operations}
    if kwargs.get("performed_on") == "future":
        kwargs = {"performed_on": today + dt.timedelta(days=2)}
    if kwargs.get("next_inspection_due") == "past":
        kwargs = {"next_inspection_due": today - dt.timedelta(days=1), "is_inspection": True}
    with pytest.raises(InvalidInput, match=message):
        services.maintenance_record_add(**{**args, **kwargs})


# --- Flights --------------------------------------------------------------------------------------


def flight_in(status: str) -> Flight:
    flight = FlightFactory()
    fields = {"status": status}
    if status in Flight.FLOWN_STATUSES:
        fields["launched_at"] = flight.launch_at
    Flight.objects.filter(pk=flight.pk).update(**fields)
    flight.refresh_from_db()
    return flight


def move(flight: Flight, to_status: str, by):
    later = flight.launch_at + dt.timedelta(days=1)
    if to_status == "scheduled" and flight.status == "ready":
        return services.flight_stand_down(flight=flight, reason="Range not ready", by=by)
    return {
        "scheduled": lambda: services.flight_schedule(flight=flight, by=by, launch_at=later),
        "ready": lambda: services.flight_mark_ready(flight=flight, by=by),
        "launched": lambda: services.flight_launch(flight=flight, by=by, now=flight.launch_at),
        "landed": lambda: services.flight_land(flight=flight, by=by, at=(flight.launched_at or flight.launch_at) + dt.timedelta(minutes=11)),
        "completed": lambda: services.flight_complete(flight=flight, by=by),
        "scrubbed": lambda: services.flight_scrub(flight=flight, reason="Winds above limits", by=by),
        "cancelled": lambda: services.flight_cancel(flight=flight, reason="Vehicle retired", by=by),
    }[to_status]()


ALL_FLIGHT_STATUSES = [s.value for s in Flight.Status]


@pytest.mark.parametrize(
    "from_status,to_status",
    [(a, b) for a in ALL_FLIGHT_STATUSES for b in Flight.TRANSITIONS[a]],
)
def test_flight_allowed_moves_keep_history(from_status, to_status, operations):
    flight = flight_in(from_status)
    received = []

    def receive(**kw):
        received.append((kw["from_status"], kw["to_status"]))

    flight_status_changed.connect(receive, weak=False)
    try:
        move(flight, to_status, operations)
    finally:
        # Only this test's receiver: other apps' receivers (bookings on a cancelled flight) must stay.
        flight_status_changed.disconnect(receive)
    flight.refresh_from_db()
    assert flight.status == to_status
    change = flight.status_changes.get()
    assert (change.from_status, change.to_status, change.changed_by) == (from_status, to_status, operations)
    assert received == [(from_status, to_status)]


@pytest.mark.parametrize(
    "from_status,to_status",
    [(a, b) for a in ALL_FLIGHT_STATUSES for b in ALL_FLIGHT_STATUSES if b not in Flight.TRANSITIONS[a] and a != b and b != "draft"],  # no service leads back to draft
)
def test_flight_refused_moves_say_why(from_status, to_status, operations):
    flight = flight_in(from_status)
    with pytest.raises(InvalidTransition, match=f"it is {Flight.Status(from_status).label.lower()}"):
        move(flight, to_status, operations)
    flight.refresh_from_db()
    assert flight.status == from_status
    assert not flight.status_changes.exists()


def test_scrub_needs_reason_and_counts(operations):
    flight = scheduled_flight()
    with pytest.raises(InvalidInput, match="Give a reason to scrub a flight"):
        services.flight_scrub(flight=flight, reason="", by=operations)
    services.flight_scrub(flight=flight, reason="Lightning within 10 nmi", by=operations)
    flight.refresh_from_db()
    assert flight.scrub_count == 1 and flight.status_reason == "Lightning within 10 nmi"


def test_rescheduling_after_scrub_needs_a_new_time(operations):
    flight = scheduled_flight()
    services.flight_scrub(flight=flight, reason="Weather", by=operations)
    with pytest.raises(InvalidInput, match="give it a new launch time"):
        services.flight_schedule(flight=flight, by=operations)
    new_time = flight.launch_at + dt.timedelta(days=3)
    services.flight_schedule(flight=flight, by=operations, launch_at=new_time)
    flight.refresh_from_db()
    assert (flight.status, flight.launch_at) == ("scheduled", new_time)


def test_schedule_refuses_a_launch_in_the_past(operations):
    flight = FlightFactory(launch_at=timezone.now() - dt.timedelta(hours=1))
    with pytest.raises(InvalidInput, match="must be in the future"):
        services.flight_schedule(flight=flight, by=operations)


def test_schedule_refuses_a_launch_at_this_very_second_on_the_launch_time_field(operations):
    now = timezone.now()
    flight = FlightFactory(launch_at=now)
    with pytest.raises(InvalidInput) as refused:
        services.flight_schedule(flight=flight, by=operations, now=now)
    assert refused.value.message == f"Flight {flight}'s launch time must be in the future to schedule it."
    assert refused.value.fields == {"launch_at": ["Must be in the future."]}  # the form and the API mark that field
    flight.refresh_from_db()
    assert flight.status == "draft"
    assert services.flight_schedule(flight=flight, by=operations, now=now - dt.timedelta(seconds=1)).status == "scheduled"


def test_schedule_refuses_a_grounded_vehicle(operations):
    flight = FlightFactory()
    services.vehicle_ground(vehicle=flight.vehicle, reason="Mishap investigation NS-23", by=operations)
    with pytest.raises(VehicleNotAvailable, match=r"is grounded \(Mishap investigation NS-23\)"):
        services.flight_schedule(flight=flight, by=operations)


def test_schedule_refuses_regime_mismatch(operations):
    flight = FlightFactory(itinerary=OrbitalItineraryFactory())
    with pytest.raises(FlightNotSchedulable, match="itinerary is orbital but .* flies suborbital"):
        services.flight_schedule(flight=flight, by=operations)


def test_schedule_refuses_a_vehicle_flying_twice_in_a_day(operations):
    first = scheduled_flight(code="NS-60")
    second = FlightFactory(vehicle=first.vehicle, launch_at=first.launch_at + dt.timedelta(hours=6))
    with pytest.raises(FlightNotSchedulable, match="already flies NS-60"):
        services.flight_schedule(flight=second, by=operations)


def test_schedule_refuses_launch_outside_its_window(operations):
    flight = FlightFactory()
    with pytest.raises(InvalidInput, match="must fall inside its launch window"):
        services.flight_schedule(
            flight=flight, by=operations, launch_at=flight.launch_at,
            window_open=flight.launch_at + dt.timedelta(hours=1), window_close=flight.launch_at + dt.timedelta(hours=2),
        )


def test_schedule_asks_registered_guards(operations):
    flight = FlightFactory()

    def not_certified(flight, **context):
        return f"Vehicle {flight.vehicle.serial} is not certified for passengers."

    registry.schedule_guards.register(not_certified)
    try:
        with pytest.raises(Exception, match="is not certified for passengers") as excinfo:
            services.flight_schedule(flight=flight, by=operations)
        assert excinfo.value.code == "flight_not_schedulable"
    finally:
        registry.schedule_guards.unregister(not_certified)


def test_launch_outside_the_window_is_refused(operations):
    flight = FlightFactory()
    services.flight_schedule(
        flight=flight, by=operations, launch_at=flight.launch_at,
        window_open=flight.launch_at - dt.timedelta(minutes=30), window_close=flight.launch_at + dt.timedelta(minutes=30),
    )
    services.flight_mark_ready(flight=flight, by=operations)
    with pytest.raises(FlightNotSchedulable, match="outside its launch window") as excinfo:
        services.flight_launch(flight=flight, by=operations, at=flight.launch_at + dt.timedelta(hours=1))
    assert excinfo.value.code == "launch_refused"


def test_launch_asks_registered_guards(operations):
    flight = scheduled_flight()
    services.flight_mark_ready(flight=flight, by=operations)

    def poll_not_go(flight, at, **context):
        return "The Go/No-Go poll has not declared GO."

    registry.launch_guards.register(poll_not_go)
    try:
        with pytest.raises(Exception, match="has not declared GO"):
            services.flight_launch(flight=flight, by=operations)
    finally:
        registry.launch_guards.unregister(poll_not_go)


def test_mark_ready_refuses_a_grounded_vehicle(operations):
    flight = scheduled_flight()
    services.vehicle_ground(vehicle=flight.vehicle, reason="Crack in heat shield", by=operations)
    with pytest.raises(VehicleNotAvailable, match="cannot be ready: vehicle .* is grounded"):
        services.flight_mark_ready(flight=flight, by=operations)


def test_landing_before_liftoff_is_refused(operations):
    flight = flight_in("launched")
    with pytest.raises(InvalidInput, match="cannot land before it launched"):
        services.flight_land(flight=flight, by=operations, at=flight.launched_at - dt.timedelta(minutes=1))


@pytest.mark.parametrize("edge", ["window_open", "window_close"])
def test_a_launch_time_on_either_end_of_its_window_schedules(operations, edge):
    """The window's ends belong to it: a launch planned at its first or last second is inside."""
    flight = FlightFactory()
    ends = {"window_open": flight.launch_at - dt.timedelta(minutes=30),
            "window_close": flight.launch_at + dt.timedelta(minutes=30)}
    scheduled = services.flight_schedule(flight=flight, by=operations, launch_at=ends[edge], **ends)
    assert scheduled.status == "scheduled" and scheduled.launch_at == ends[edge]


@pytest.mark.parametrize(
    ("window", "message", "fields"),
    [
        ({"window_open": dt.timedelta(minutes=-30)}, "Give both ends of the launch window, or neither.",
         {"window_close": ["Missing."]}),
        ({"window_open": dt.timedelta(hours=1), "window_close": dt.timedelta(hours=2)},
         "launch time must fall inside its launch window.", {"launch_at": ["Outside the launch window."]}),
    ],
    ids=["one-end", "outside"],
)
def test_a_bad_launch_window_is_refused_on_the_field_a_person_corrects(operations, window, message, fields):
    flight = FlightFactory()
    ends = {name: flight.launch_at + offset for name, offset in window.items()}
    with pytest.raises(InvalidInput) as refused:
        services.flight_schedule(flight=flight, by=operations, launch_at=flight.launch_at, **ends)
    assert refused.value.message.endswith(message) and refused.value.fields == fields
    flight.refresh_from_db()
    assert flight.status == "draft"



def test_a_scheduled_flight_moved_by_hours_does_not_clash_with_itself(operations):
    """The one-day turnaround is between different flights of a vehicle, never a flight and its own old time."""
    from flights.rescheduling import flight_reschedule

    flight = scheduled_flight(code="NS-61")
    later = flight.launch_at + dt.timedelta(hours=2)
    moved = flight_reschedule(flight=flight, launch_at=later, by=operations)
    assert (moved.status, moved.launch_at) == ("scheduled", later.replace(microsecond=0))
