"""OpenAPI examples for the flights app's endpoints: the fleet, itineraries and launch day.

One list per operation, attached through the view's `extend_schema(examples=...)`. Values follow the
demo's New Shepard-like suborbital hop from West Texas (NS-41 on RSS First Step, serial NS-RSS1);
error examples carry the services' own codes and messages.
"""

from __future__ import annotations

from config.openapi import error_example, request_example, response_example

SPACEPORT = {
    "id": 2, "code": "wtx", "name": "West Texas Launch Site One", "country": "US", "latitude_deg": 31.4229,
    "longitude_deg": -104.757, "altitude_m": 1120.0, "timezone": "America/Chicago", "azimuth_min_deg": 0.0,
    "azimuth_max_deg": 360.0,
}
VEHICLE_MODEL = {
    "id": 1, "manufacturer": "Blue Origin", "name": "New Shepard", "regime": "suborbital", "passenger_seats": 6,
    "crew_seats": 0, "cabin_mass_budget_kg": "606.0", "passenger_mass_min_kg": "50.0", "passenger_mass_max_kg": "101.0",
    "passenger_height_min_cm": 152, "passenger_height_max_cm": 193, "peak_g_ascent": "3.0", "peak_g_entry": "5.5",
    "apogee_km": 107.0, "required_uncrewed_flights": 2, "required_crewed_flights": 1,
}
VEHICLE = {
    "id": 1, "serial": "NS-RSS1", "name": "RSS First Step", "model": "Blue Origin New Shepard", "home_spaceport": "wtx",
    "status": "active", "status_reason": "Return-to-flight verification flight NS-RSS1-V2 signed off",
    "status_changed_at": "2026-03-27T15:10:00Z",
}
ITINERARY = {
    "id": 1, "name": "West Texas Suborbital Hop", "slug": "west-texas-suborbital", "regime": "suborbital",
    "description": "Eleven minutes above the Kármán line: three minutes of weightlessness, the curve of the Earth, "
                   "and a parachute landing in the desert.",
    "duration": "00:11:00", "apogee_km": 107.0, "target_altitude_km": None, "target_inclination_deg": None,
    "target_norad_id": None, "peak_g": "5.5", "training_hours": 14, "physical_exam_required": False,
    "price": "1250000.00", "deposit": "150000.00", "deposit_non_refundable": "0.00", "currency": "USD",
    "balance_due_days": 90,
}
ORBITAL_ITINERARY = {
    **ITINERARY, "id": 4, "name": "Orbital Station Stay", "slug": "orbital-station-stay", "regime": "orbital",
    "description": "Ten days in low Earth orbit with a docking at the station, after months of training.",
    "duration": "10 00:00:00", "apogee_km": None, "target_altitude_km": 420.0, "target_inclination_deg": 51.64,
    "target_norad_id": 25544, "peak_g": "4.5", "training_hours": 600, "physical_exam_required": True,
    "price": "55000000.00", "deposit": "5000000.00", "deposit_non_refundable": "1000000.00",
}

SPACEPORT_LIST = [response_example("West Texas", SPACEPORT)]
SPACEPORT_RETRIEVE = [response_example("West Texas", SPACEPORT)]
VEHICLE_MODEL_LIST = [response_example("New Shepard", VEHICLE_MODEL)]
VEHICLE_MODEL_RETRIEVE = [response_example("New Shepard", VEHICLE_MODEL)]
VEHICLE_LIST = [response_example("Active capsule", VEHICLE)]
VEHICLE_RETRIEVE = [
    response_example("Active capsule", VEHICLE),
    response_example("Grounded after a mishap", {
        **VEHICLE, "status": "grounded", "status_reason": "Mishap on flight NS-RSS1-V1: booster nozzle failure at max-Q",
        "status_changed_at": "2025-10-02T15:07:00Z",
    }),
]
ITINERARY_LIST = [response_example("Suborbital hop", ITINERARY)]
ITINERARY_RETRIEVE = [response_example("Suborbital hop", ITINERARY), response_example("Orbital stay", ORBITAL_ITINERARY)]

# --- Launch day ---------------------------------------------------------------------------------------

FINDING_GO = {
    "key": "vehicle.status", "position": "vehicle", "verdict": "go",
    "message": "Vehicle RSS First Step (NS-RSS1) is active and inside its inspection limits.",
    "waived_by": "", "waiver_reason": "",
}
FINDING_NO_GO = {
    "key": "range.window", "position": "range", "verdict": "no_go",
    "message": "No launch windows have been computed for NS-41.", "waived_by": "", "waiver_reason": "",
}
FINDING_WAIVABLE = {
    "key": "weather.gusts", "position": "weather", "verdict": "waivable",
    "message": "Peak gusts of 27 kt at the pad are above the 25 kt limit of the New Shepard model but within "
               "the 30 kt absolute limit.",
    "waived_by": "", "waiver_reason": "",
}
FINDING_WAIVED = {
    **FINDING_WAIVABLE, "verdict": "go", "waived_by": "director",
    "waiver_reason": "Gusts measured at 60 ft; at capsule height they stay under 24 kt (tower data, last 30 min).",
}
# A list operation's example is one item: drf-spectacular shows it inside the list (and the page).
READINESS = [
    response_example("A waivable finding", FINDING_WAIVABLE),
    response_example("A NO-GO finding", FINDING_NO_GO),
]
READINESS_REPORTS = [response_example("L-6 days, flight readiness review", {
    "id": 7, "created_at": "2026-12-11T14:00:05Z", "trigger": "Flight readiness review (L-6 d)",
    "launch_at": "2026-12-17T14:00:00Z", "all_go": False, "findings": [FINDING_GO, FINDING_NO_GO],
})]
LAUNCH_WINDOWS = [response_example("Daylight window with a closure", {
    "id": 2, "kind": "daylight", "opens_at": "2026-12-18T13:52:00Z", "closes_at": "2026-12-18T23:58:00Z",
    "in_plane_at": None, "azimuth_deg": None, "closures_computed_at": "2026-12-16T14:05:12Z", "closures": [
        {"starts_at": "2026-12-18T16:41:00Z", "ends_at": "2026-12-18T16:43:30Z", "norad_id": 25544,
         "object_name": "ISS (ZARYA)", "object_class": "inhabitable", "min_distance_km": 184.2, "rule": "screened",
         "allowance_km": 0.0},
    ],
})]
LAUNCH_WINDOWS_COMPUTE = [
    response_example("Queued", {
        "id": 12, "status": "queued", "progress_percent": 0, "stage": "", "requested_at": "2026-12-16T14:00:00Z",
        "finished_at": None, "search_start": "2026-12-17T00:00:00Z", "search_end": "2026-12-20T00:00:00Z",
        "screening_exempt_reason": "", "objects_screened": 0, "failed_objects": [], "decayed_objects": [],
        "uncertain_objects": [], "object_counts": {}, "catalog_imported_at": None, "catalog_size": 0, "error": "",
    }, status=202),
    error_example(409, "Already computing", code="launch_windows_refused",
                  detail="Launch windows for NS-41 are already being computed."),
]
BOARD = [
    {"position": "flight_director", "label": "Flight Director", "holder": "director", "vote": "go", "comment": "",
     "findings": [], "go": True},
    {"position": "weather", "label": "Weather", "holder": "weather-officer", "vote": "no_go",
     "comment": "Gusts 27 kt at the pad, limit 25 kt.", "findings": [FINDING_WAIVABLE], "go": False},
    {"position": "recovery", "label": "Recovery", "holder": "recovery-lead", "vote": None, "comment": "",
     "findings": [], "go": False},
]
POLL = {
    "id": 3, "flight": "NS-41", "status": "open", "opened_at": "2026-12-17T12:45:00Z", "closed_at": None,
    "launch_at": "2026-12-17T14:00:00Z", "scrub_reason": "", "board": BOARD,
}
POLL_OPEN = [
    response_example("Poll opened", POLL, status=201),
    error_example(409, "Already open", code="poll_already_open", detail="A poll is already open for NS-41."),
]
POLL_RETRIEVE = [response_example("Open poll", POLL)]
VOTE = [
    request_example("GO", {"position": "recovery", "vote": "go", "comment": "Recovery teams in position."}),
    request_example("NO-GO", {"position": "weather", "vote": "no_go", "comment": "Gusts 27 kt at the pad, limit 25 kt."}),
    response_example("Vote counted", {**POLL, "board": [
        *BOARD[:2], {**BOARD[2], "vote": "go", "comment": "Recovery teams in position.", "go": True},
    ]}),
    error_example(400, "NO-GO without a reason", code="invalid", detail="Say why the position is NO-GO.",
                  fields={"comment": ["Required with NO-GO."]}),
    error_example(409, "Poll closed", code="poll_closed", detail="The poll is scrubbed: votes are closed."),
]
DECLARE = [
    response_example("GO for launch", {
        **POLL, "status": "go", "closed_at": "2026-12-17T13:40:00Z",
        "board": [{**row, "vote": "go", "comment": "", "findings": [], "go": True} for row in BOARD],
    }),
    error_example(409, "Not every position is GO", code="launch_refused",
                  detail="Launch refused. Weather is NO-GO: Gusts 27 kt at the pad, limit 25 kt. Recovery has not voted."),
]
SCRUB = [
    request_example("Weather scrub", {"reason": "Upper-level winds above limits; recycling 24 hours."}),
    response_example("Scrubbed", {
        **POLL, "status": "scrubbed", "closed_at": "2026-12-17T13:20:00Z",
        "scrub_reason": "Upper-level winds above limits; recycling 24 hours.",
    }),
    error_example(409, "Already scrubbed", code="invalid_transition",
                  detail="Cannot scrub Go/No-Go poll NS-41 poll 2026-12-17 12:45 (Scrubbed): it is scrubbed."),
]
WAIVER = [
    request_example("Waive the gust finding", {
        "check_key": "weather.gusts",
        "reason": "Gusts measured at 60 ft; at capsule height they stay under 24 kt (tower data, last 30 min).",
    }),
    response_example("Waived for this attempt", FINDING_WAIVED, status=201),
    error_example(409, "Not waivable", code="finding_not_waivable",
                  detail="No launch windows have been computed for NS-41. This is NO-GO, not waivable: it cannot be waived."),
]

# --- One scrub, every door; reschedule ---------------------------------------------------------------
FLIGHT_SCHEDULE = {
    "id": 3, "code": "NS-41", "status": "scheduled", "launch_at": "2026-12-18T14:30:01Z",
    "window_open": "2026-12-18T13:05:00Z", "window_close": "2026-12-18T22:30:00Z", "scrub_count": 1,
    "status_reason": "Recycled after scrub: Upper-level winds above limits.",
    "message": "Flight NS-41 scrubbed (Upper-level winds above limits) and recycled to Fri 18 Dec 2026, 08:30:01 CST "
               "(14:30:01 UTC); every passenger is checked again for the new time and told.",
}
FLIGHT_SCRUB = [
    request_example("Weather scrub", {"reason": "Upper-level winds above limits."}),
    response_example("Recycled to the next clear window", FLIGHT_SCHEDULE),
    response_example("No clear window left", {
        **FLIGHT_SCHEDULE, "status": "scrubbed", "launch_at": "2026-12-17T14:00:00Z",
        "status_reason": "Upper-level winds above limits.",
        "message": "Flight NS-41 scrubbed (Upper-level winds above limits.): no clear liftoff second is left in the "
                   "computed launch windows. It stays scrubbed until operations reschedule it; passengers are told a "
                   "new time will follow.",
    }),
    error_example(409, "Already scrubbed", code="invalid_transition",
                  detail="Cannot scrub flight NS-41: it is scrubbed. From scrubbed it can only become: scheduled, cancelled."),
]
FLIGHT_RESCHEDULE = [
    request_example("A new time", {"launch_at": "2026-12-19T15:00:00Z", "reason": "Range available on Saturday."}),
    response_example("Rescheduled", {
        **FLIGHT_SCHEDULE, "launch_at": "2026-12-19T15:00:00Z", "window_open": None, "window_close": None,
        "status_reason": "Range available on Saturday.",
        "message": "Flight NS-41 rescheduled to Sat 19 Dec 2026, 09:00:00 CST (15:00:00 UTC); countdown moved, every "
                   "passenger checked again and told.",
    }),
    error_example(400, "In the past", code="invalid",
                  detail="The new launch time Wed 16 Dec 2026, 09:00:00 CST (15:00:00 UTC) is in the past.",
                  fields={"launch_at": ["Must be in the future."]}),
    error_example(409, "Inside a closure", code="reschedule_refused",
                  detail="Cannot reschedule flight NS-41 to Fri 18 Dec 2026, 08:02:00 CST (14:02:00 UTC): it is inside "
                         "the collision-avoidance closure 14:01:10-14:03:40 UTC by 25544 ISS (ZARYA)."),
]
