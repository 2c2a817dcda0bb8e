"""OpenAPI examples for the pre-flight API: training modules and sign-offs, the waiver of claims, security
screening, and each booking's pre-flight status.

One list per operation, attached through the view's `extend_schema(examples=...)`. The values are the
demo's (tourism/preflight/demo.py), with the ids of the booking examples (tourism/api/examples.py): Ada
holds seat 3 on NS-41, the West Texas suborbital hop; operations signed off her three modules, the
460.51 emergency training first, she signed the waiver of claims, and she passed screening. Mira, on
VG-12, has not begun. Error examples carry the services' codes and messages (tourism/preflight/services.py).
"""

from __future__ import annotations

import hashlib

from config.openapi import error_example, request_example, response_example
from tourism.preflight.waiver import WAIVER_TEMPLATE, WAIVER_TEXT_VERSION

LEGAL_NAME = "Ada Lovelace Passenger"
INSTRUCTOR = "Oz Operations"
WAIVER_TEXT = WAIVER_TEMPLATE.format(
    version=WAIVER_TEXT_VERSION, legal_name=LEGAL_NAME, flight_code="NS-41", itinerary="West Texas Suborbital Hop",
    vehicle="RSS First Step (Blue Origin New Shepard)", spaceport="West Texas Launch Site One",
)
WAIVER_SHA256 = hashlib.sha256(WAIVER_TEXT.encode("utf-8")).hexdigest()

# --- Training modules ----------------------------------------------------------------------------------

EMERGENCY_MODULE = {
    "id": 1, "name": "Emergency egress and cabin emergencies", "label": "Emergency egress and cabin emergencies (460.51)",
    "description": "Getting out of the vehicle on the pad and after landing, fire and smoke in the cabin, loss of cabin "
    "pressure, and the emergency response: what the crew and recovery teams do and what you do.",
    "itinerary": None, "regime": "suborbital", "hours": "4.0", "is_emergency_training": True, "valid_for_days": None,
    "is_active": True,
}
ITINERARY_MODULE = {
    "id": 3, "name": "Capsule familiarisation and seat drills", "label": "Capsule familiarisation and seat drills",
    "description": "Straps, seat positions, buckling in under 15 seconds, the cabin displays.", "itinerary": 1,
    "regime": "", "hours": "4.0", "is_emergency_training": False, "valid_for_days": None, "is_active": True,
}
TRAINING_MODULE_LIST = [
    response_example("Emergency training of every suborbital itinerary (460.51)", EMERGENCY_MODULE),
    response_example("A module of one itinerary", ITINERARY_MODULE),
]
TRAINING_MODULE_RETRIEVE = [response_example("Emergency training (460.51)", EMERGENCY_MODULE)]

# --- Training sign-offs ----------------------------------------------------------------------------------

TRAINING_RECORD = {
    "id": 1, "passenger": "ada", "booking": 31, "module": 1,
    "module_name": "Emergency egress and cabin emergencies (460.51)", "completed_on": "2026-11-20",
    "hours_attended": "4.0", "instructor": INSTRUCTOR, "note": "Signed off after the session.", "recorded_by": "ops",
    "recorded_at": "2026-11-20T17:45:00Z",
}
TRAINING_RECORD_LIST = [
    response_example("Emergency training signed off", TRAINING_RECORD),
    response_example("Mission rehearsal signed off", {
        **TRAINING_RECORD, "id": 3, "module": 4, "module_name": "Mission rehearsal and final exam",
        "completed_on": "2026-11-22", "hours_attended": "6.0", "recorded_at": "2026-11-22T18:10:00Z",
    }),
]
TRAINING_RECORD_RETRIEVE = [response_example("Emergency training signed off", TRAINING_RECORD)]
TRAINING_SIGN_OFF = [
    request_example("Emergency training for Ada's NS-41 booking", {
        "booking": 31, "module": 1, "completed_on": "2026-11-20", "hours_attended": "4.0", "instructor": 4,
        "note": "Signed off after the session.",
    }),
    response_example("Signed off", TRAINING_RECORD, status=201),
    error_example(400, "Module of another itinerary", code="module_not_for_itinerary",
                  detail="Flight profile and g-tolerance is not training for West Texas Suborbital Hop: it is for "
                         "Spaceport America Spaceflight.",
                  fields={"module": ["Not a module of this booking's itinerary."]}),
    error_example(400, "Completed in the future", code="completion_in_future",
                  detail="Training cannot be signed off for 2026-12-20: that date has not come yet.",
                  fields={"completed_on": ["The completion date is in the future."]}),
    error_example(400, "Instructor not on the staff", code="instructor_not_staff",
                  detail="Mira Okafor is not on the operator's staff: training is signed off by a staff instructor.",
                  fields={"instructor": ["Choose an instructor on the staff."]}),
    error_example(403, "Not operations", code="permission_denied", detail="Only operations staff may do this."),
    error_example(409, "Module retired", code="module_retired",
                  detail="Capsule familiarisation and seat drills is retired: it is no longer taught or required."),
    error_example(409, "Booking cancelled", code="booking_not_live",
                  detail="Cannot sign off training for booking #31 (NS-41, seat 3): it is cancelled."),
]

# --- Waiver of claims ------------------------------------------------------------------------------------

WAIVER = {
    "id": 1, "booking": 31, "passenger": "ada", "flight": 12, "flight_code": "NS-41", "typed_name": LEGAL_NAME,
    "text_version": WAIVER_TEXT_VERSION, "text_sha256": WAIVER_SHA256, "signed_at": "2026-12-10T15:20:00Z",
    "text": WAIVER_TEXT,
}
WAIVER_LIST = [response_example("Signed for NS-41", WAIVER)]
WAIVER_RETRIEVE = [response_example("Signed for NS-41, with the exact text", WAIVER)]
WAIVER_READ = [
    response_example("To read and sign", {
        "booking": 31, "flight": 12, "version": WAIVER_TEXT_VERSION, "text": WAIVER_TEXT, "sha256": WAIVER_SHA256,
        "signed": False, "signature": None,
    }),
    response_example("Already signed", {
        "booking": 31, "flight": 12, "version": WAIVER_TEXT_VERSION, "text": WAIVER_TEXT, "sha256": WAIVER_SHA256,
        "signed": True, "signature": WAIVER,
    }),
    error_example(409, "No passenger profile", code="profile_required",
                  detail="Fill in your passenger profile first: the waiver names you by your legal name."),
]
WAIVER_SIGN = [
    request_example("Typed legal name and the SHA-256 of the text read",
                    {"legal_name": LEGAL_NAME, "text_sha256": WAIVER_SHA256}),
    response_example("Waiver signed", WAIVER, status=201),
    error_example(400, "Typed name does not match", code="typed_name_mismatch",
                  detail="The name typed does not match the legal name in your passenger profile: type it exactly as "
                         "in your passport, or correct your profile first.",
                  fields={"legal_name": ["Does not match your legal name."]}),
    error_example(409, "Text changed since read", code="waiver_text_changed",
                  detail="The waiver text changed since you opened it: read it again and sign the current text."),
    error_example(409, "No passenger profile", code="profile_required",
                  detail="Fill in your passenger profile (legal name) before signing the waiver of claims."),
    error_example(409, "Booking cancelled", code="booking_not_live",
                  detail="Cannot sign the waiver of claims for booking #31 (NS-41, seat 3): it is cancelled."),
]

# --- Security screening ----------------------------------------------------------------------------------

SCREENING = {
    "id": 1, "passenger": "ada", "flight": 12, "flight_code": "NS-41", "booking": 31, "result": "passed",
    "screened_at": "2026-12-17T11:05:00Z", "screened_by": "ops",
    "note": "Hand luggage and person screened, nothing prohibited found.",
}
SCREENING_LIST = [response_example("Passed for NS-41", SCREENING)]
SCREENING_RETRIEVE = [response_example("Passed for NS-41", SCREENING)]
SCREENING_RECORD = [
    request_example("Ada passed screening for NS-41", {
        "passenger": 1, "flight": 12, "result": "passed",
        "note": "Hand luggage and person screened, nothing prohibited found.",
    }),
    response_example("Screening recorded", SCREENING, status=201),
    error_example(400, "Failed without a note", code="screening_note_required",
                  detail="A failed screening needs a note saying what was found or refused.",
                  fields={"note": ["Say why the screening failed."]}),
    error_example(403, "Not operations", code="permission_denied", detail="Only operations staff may do this."),
    error_example(409, "Passenger not on the flight", code="passenger_not_on_flight",
                  detail="Mira Okafor holds no seat on flight NS-41: screen passengers of the flight only."),
    error_example(409, "Flight no longer upcoming", code="flight_not_upcoming",
                  detail="Flight NS-41 is launched: screening is for upcoming flights."),
]

# --- A booking's pre-flight status -----------------------------------------------------------------------


def _signed_off(module: int, name: str, emergency: bool, hours: str, on: str) -> dict:
    return {
        "module": module, "name": name, "is_emergency_training": emergency, "planned_hours": hours,
        "state": "signed_off", "completed_on": on, "instructor": INSTRUCTOR, "hours_attended": hours, "problem": "",
    }


def _not_signed_off(module: int, name: str, emergency: bool, hours: str) -> dict:
    return {
        "module": module, "name": name, "is_emergency_training": emergency, "planned_hours": hours,
        "state": "not_signed_off", "completed_on": None, "instructor": None, "hours_attended": "0.0",
        "problem": f"{name} not signed off",
    }


PREFLIGHT_COMPLETE = {
    "booking": 31, "flight": 12, "flight_code": "NS-41", "passenger": "ada", "complete": True, "refusals": [],
    "training": {
        "complete": True, "flight_date": "2026-12-17", "hours_done": "14.0", "hours_required": 14,
        "modules": [
            _signed_off(1, "Emergency egress and cabin emergencies (460.51)", True, "4.0", "2026-11-20"),
            _signed_off(3, "Capsule familiarisation and seat drills", False, "4.0", "2026-11-21"),
            _signed_off(4, "Mission rehearsal and final exam", False, "6.0", "2026-11-22"),
        ],
        "message": None,
    },
    "waiver": {"signed": True, "signed_at": "2026-12-10T15:20:00Z", "text_version": WAIVER_TEXT_VERSION, "problem": ""},
    "screening": {"passed": True, "result": "passed", "screened_at": "2026-12-17T11:05:00Z", "problem": ""},
}
TRAINING_INCOMPLETE = (
    "Training incomplete: Emergency egress and cabin emergencies (460.51) not signed off; Flight profile and "
    "g-tolerance not signed off; Cabin procedures and rehearsals not signed off; 0 of 24 training hours done."
)
PREFLIGHT_NOT_BEGUN = {
    "booking": 32, "flight": 15, "flight_code": "VG-12", "passenger": "mira", "complete": False,
    "refusals": [
        TRAINING_INCOMPLETE,
        "Waiver of claims (14 CFR 460.49) not signed for flight VG-12.",
        "Security screening (14 CFR 460.53) not recorded for flight VG-12.",
    ],
    "training": {
        "complete": False, "flight_date": "2026-12-31", "hours_done": "0.0", "hours_required": 24,
        "modules": [
            _not_signed_off(1, "Emergency egress and cabin emergencies (460.51)", True, "4.0"),
            _not_signed_off(5, "Flight profile and g-tolerance", False, "8.0"),
            _not_signed_off(6, "Cabin procedures and rehearsals", False, "12.0"),
        ],
        "message": TRAINING_INCOMPLETE,
    },
    "waiver": {
        "signed": False, "signed_at": None, "text_version": None,
        "problem": "Waiver of claims (14 CFR 460.49) not signed for flight VG-12.",
    },
    "screening": {
        "passed": False, "result": None, "screened_at": None,
        "problem": "Security screening (14 CFR 460.53) not recorded for flight VG-12.",
    },
}
BOOKING_PREFLIGHT_LIST = [
    response_example("Ready for the manifest", PREFLIGHT_COMPLETE),
    response_example("Not begun", PREFLIGHT_NOT_BEGUN),
]
BOOKING_PREFLIGHT_RETRIEVE = [
    response_example("Ready for the manifest", PREFLIGHT_COMPLETE),
    response_example("Not begun", PREFLIGHT_NOT_BEGUN),
]
