"""The flights app's readiness checks: vehicle, maintenance, range, windows and closures, weather, crew,
positions. Each returns findings; nothing here changes a record. All judge the launch; the positions check
judges an orbital flight's return too (the people who vote and hear of a NO-GO are needed in orbit)."""

from __future__ import annotations

import datetime as dt

from flights.catalog import catalog_status
from flights.launch_windows import flight_window_status
from flights.models import Flight, Position, PositionAssignment, Vehicle, WeatherReport
from flights.readiness.framework import LAUNCH, RETURN, check, go, no_go, waivable
from flights.selectors import vehicle_maintenance_status

# Launch-commit criteria of DOMAIN.md (Falcon 9 / Shuttle heritage); wind limits are the vehicle model's.
LIGHTNING_RADIUS_NMI = 10.0
LIGHTNING_WAIT_MIN = 30
ANVIL_RADIUS_NMI = 10.0
FIELD_MILL_LIMIT_V_M = 1500
WEATHER_ASSESSED_FROM = dt.timedelta(hours=24)
OBSERVATION_MAX_AGE = dt.timedelta(hours=1)


def vehicle_status(flight: Flight, *, now):
    vehicle = flight.vehicle
    if vehicle.status != Vehicle.Status.ACTIVE:
        return [no_go("vehicle.status", Position.VEHICLE,
                      f"Vehicle {vehicle} is {vehicle.get_status_display().lower()}: {vehicle.status_reason}")]
    due = vehicle_maintenance_status(vehicle, on=flight.launch_at.date())
    if due.due:
        return [no_go("vehicle.maintenance", Position.VEHICLE, f"Maintenance due on {vehicle}: " + " ".join(due.reasons))]
    return [go("vehicle.status", Position.VEHICLE, f"Vehicle {vehicle} is active and inside its inspection limits.")]


def range_hours(flight: Flight, *, now):
    spaceport = flight.spaceport
    local = flight.launch_at.astimezone(spaceport.tzinfo).time()
    if not spaceport.operating_hours_start <= local <= spaceport.operating_hours_end:
        return [no_go("range.hours", Position.RANGE,
                      f"{spaceport.name} operates {spaceport.operating_hours_start:%H:%M}-{spaceport.operating_hours_end:%H:%M} "
                      f"local; the launch at {local:%H:%M} is outside.")]
    return [go("range.hours", Position.RANGE, f"Launch is inside {spaceport.name}'s operating hours.")]


def windows_and_closures(flight: Flight, *, now):
    status = flight_window_status(flight, now=now)
    findings = []
    if status.window is None:
        findings.extend(no_go("range.window", Position.RANGE, problem) for problem in status.problems)
        return findings
    findings.append(go("range.window", Position.RANGE, "The launch time is inside a computed launch window."))
    traffic = list(status.problems)
    if traffic:
        findings.extend(no_go("traffic.closures", Position.TRAFFIC, problem) for problem in traffic)
    else:
        note = "current" if status.closures_current else "to be refreshed within 12 h of the window"
        findings.append(go("traffic.closures", Position.TRAFFIC, f"Clear of every collision-avoidance closure ({note})."))
    if status.uncertain_blocking:
        # Fail closed: an object whose position is not known well enough covers the planned liftoff.
        uncertain = {item["norad_id"]: item for item in status.computation.uncertain_objects}
        names = "; ".join(
            f"{c.norad_id} {c.object_name} ({c.get_rule_display().lower()}"
            + (f": {uncertain[c.norad_id]['message']}" if c.norad_id in uncertain else "") + ")"
            for c in status.uncertain_blocking
        )
        findings.append(no_go("traffic.uncertain_objects", Position.TRAFFIC,
                              f"Uncertain objects close the planned liftoff: {names}. Refresh the catalog and recompute."))
    findings.extend(_catalog_findings(flight, status.computation, now=now))
    return findings


CATALOG_ASSESSED_FROM = dt.timedelta(hours=24)  # the catalog's age is a launch-day criterion


def _catalog_findings(flight: Flight, computation, *, now):
    """The catalog the closures rest on, and the catalog now: neither empty nor older than the limit."""
    if computation.screening_exempt_reason:
        return []  # below 150 km: no screening, no catalog needed (14 CFR 450.169)
    findings = []
    if computation.catalog_size == 0 or computation.catalog_imported_at is None:
        findings.append(no_go("traffic.catalog", Position.TRAFFIC,
                              "The closures were computed without a catalog on record (empty or of unknown age): "
                              "refresh the catalog and recompute."))
    elif computation.finished_at and computation.finished_at - computation.catalog_imported_at > catalog_status(now=now).max_age:
        hours = (computation.finished_at - computation.catalog_imported_at).total_seconds() / 3600
        findings.append(no_go("traffic.catalog", Position.TRAFFIC,
                              f"The closures were computed from a catalog {hours:.0f} h old: refresh it and recompute."))
    current = catalog_status(now=now)
    if current.size == 0 or (current.problem and flight.launch_at - now <= CATALOG_ASSESSED_FROM):
        findings.append(no_go("traffic.catalog_age", Position.TRAFFIC, current.problem))
    if not findings:
        findings.append(go("traffic.catalog", Position.TRAFFIC,
                           f"Screened against {computation.catalog_size} catalogued objects imported "
                           f"{computation.catalog_imported_at:%Y-%m-%d %H:%M} UTC."))
    return findings


def _latest_weather(flight: Flight, *, now) -> WeatherReport | None:
    reports = WeatherReport.objects.filter(spaceport=flight.spaceport)
    if flight.launch_at - now > OBSERVATION_MAX_AGE:
        # Before launch day's last hour, the forecast for the launch time nearest to it speaks.
        return (
            reports.filter(kind=WeatherReport.Kind.FORECAST, valid_at__gte=flight.launch_at - dt.timedelta(hours=3),
                           valid_at__lte=flight.launch_at + dt.timedelta(hours=3))
            .order_by("-issued_at").first()
        )
    return reports.filter(kind=WeatherReport.Kind.OBSERVATION, valid_at__gte=now - OBSERVATION_MAX_AGE,
                          valid_at__lte=now + dt.timedelta(minutes=5)).first()


def weather(flight: Flight, *, now):
    if flight.launch_at - now > WEATHER_ASSESSED_FROM:
        return [go("weather.brief", Position.WEATHER, "Weather is assessed from 24 h before launch.")]
    report = _latest_weather(flight, now=now)
    if report is None:
        return [no_go("weather.brief", Position.WEATHER,
                      f"No current weather {'forecast for the launch time' if flight.launch_at - now > OBSERVATION_MAX_AGE else 'observation'} "
                      f"at {flight.spaceport.name}.")]
    model = flight.vehicle.model
    label = f"{report.get_kind_display()} {report.valid_at:%H:%M} UTC"
    findings = []
    if report.wind_kt > model.max_wind_kt:
        findings.append(no_go("weather.wind", Position.WEATHER,
                              f"{label}: sustained wind {report.wind_kt} kt exceeds {model}'s {model.max_wind_kt} kt limit."))
    if report.gust_kt > model.max_gust_kt:
        findings.append(waivable("weather.gusts", Position.WEATHER,
                                 f"{label}: gusts {report.gust_kt} kt exceed {model}'s {model.max_gust_kt} kt limit."))
    if (report.lightning_distance_nmi is not None and report.lightning_distance_nmi <= LIGHTNING_RADIUS_NMI
            and (report.lightning_age_min or 0) < LIGHTNING_WAIT_MIN):
        findings.append(no_go("weather.lightning", Position.WEATHER,
                              f"{label}: lightning {report.lightning_distance_nmi:g} nmi away {report.lightning_age_min or 0} min ago "
                              f"(no launch within {LIGHTNING_RADIUS_NMI:g} nmi in the last {LIGHTNING_WAIT_MIN} min)."))
    if report.anvil_distance_nmi is not None and report.anvil_distance_nmi <= ANVIL_RADIUS_NMI:
        findings.append(no_go("weather.anvil", Position.WEATHER,
                              f"{label}: attached anvil cloud {report.anvil_distance_nmi:g} nmi away."))
    if report.thick_cloud_layer:
        findings.append(no_go("weather.cloud", Position.WEATHER, f"{label}: freezing cloud layer thicker than 4,500 ft."))
    if abs(report.field_mill_v_m) > FIELD_MILL_LIMIT_V_M:
        findings.append(no_go("weather.field_mill", Position.WEATHER,
                              f"{label}: field mill {report.field_mill_v_m} V/m beyond +/-{FIELD_MILL_LIMIT_V_M} V/m."))
    return findings or [go("weather.brief", Position.WEATHER, f"{label}: within {model}'s launch-commit criteria.")]


def medical_valid_for(issued_on: dt.date, flight_day: dt.date) -> bool:
    """14 CFR 460.5: a second-class medical issued within the 12 calendar months before the month of flight."""
    first_of_flight_month = flight_day.replace(day=1)
    earliest = first_of_flight_month.replace(year=first_of_flight_month.year - 1)
    return earliest <= issued_on <= flight_day


def crew_currency(flight: Flight, *, now):
    if flight.vehicle.model.crew_seats == 0:
        return []
    day = flight.launch_at.date()
    crew = list(flight.crew.select_related("member"))
    if not crew:
        return [no_go("crew.assigned", Position.FLIGHT_DIRECTOR, f"{flight.vehicle.model} flies with crew; none is assigned.")]
    findings = []
    for assignment in crew:
        member = assignment.member
        if not medical_valid_for(member.medical_issued_on, day):
            findings.append(no_go(f"crew.{member.pk}.medical", Position.FLIGHT_DIRECTOR,
                                  f"{member.name}'s second-class medical of {member.medical_issued_on:%Y-%m-%d} is not valid "
                                  f"for a flight in {day:%B %Y} (14 CFR 460.5)."))
        if member.recurrent_training_until < day:
            findings.append(no_go(f"crew.{member.pk}.training", Position.FLIGHT_DIRECTOR,
                                  f"{member.name}'s recurrent training lapsed on {member.recurrent_training_until:%Y-%m-%d} (14 CFR 460.7)."))
    return findings or [go("crew.current", Position.FLIGHT_DIRECTOR, f"All {len(crew)} crew are current.")]


def positions_assigned(flight: Flight, *, now):
    held = set(PositionAssignment.objects.filter(flight=flight).values_list("position", flat=True))
    missing = [Position(p).label for p in Position.values if p not in held]
    if missing:
        return [waivable("positions.assigned", Position.FLIGHT_DIRECTOR, "No one holds: " + ", ".join(missing) + ".")]
    return [go("positions.assigned", Position.FLIGHT_DIRECTOR, "Every position has a person assigned.")]


# Registered here, in this order, rather than with @check: mutmut (`make mutate`) leaves decorated functions
# unmutated, and these are launch-chain guards.
for _name, _check in (
    ("vehicle", vehicle_status),
    ("range", range_hours),
    ("windows", windows_and_closures),
    ("weather", weather),
    ("crew", crew_currency),
):
    check(_name)(_check)
check("positions", phases=(LAUNCH, RETURN))(positions_assigned)  # the people who vote and hear of NO-GO, in orbit too
