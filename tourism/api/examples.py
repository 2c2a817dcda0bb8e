"""OpenAPI examples for the booking API: accounts, flights with seats, holds, bookings, consent, waitlist.

One list per operation, attached through the view's `extend_schema(examples=...)`. The passenger holds
seat 3 on NS-41, the demo's New Shepard-like hop from West Texas; error examples carry the services'
codes and messages (tourism/services/, tourism/exceptions.py).
"""

from __future__ import annotations

from config.openapi import error_example, request_example, response_example

PROFILE = {
    "legal_name": "Ada Lovelace Passenger", "date_of_birth": "1984-04-12", "nationality": "GB",
    "passport_number": "P4021988", "mass_kg": "68.0", "height_cm": 171,
    "emergency_contact": "Charles Passenger (brother), +44 20 7946 0000",
}
ACCOUNT = {
    "id": 1, "username": "ada", "email": "ada@example.com", "first_name": "Ada", "last_name": "Passenger",
    "email_verified_at": "2026-07-01T09:12:00Z", **PROFILE,
}

REGISTER = [
    request_example("A passenger", {
        "username": "ada", "email": "ada@example.com", "password": "orbital-velocity-7.8", "first_name": "Ada",
        "last_name": "Passenger", **PROFILE,
    }),
    response_example("Account created", {**ACCOUNT, "email_verified_at": None}, status=201),
    error_example(400, "Email taken, mass out of range", code="invalid",
                  detail="The account was not created: check email, mass_kg.",
                  fields={"email": ["An account with this email address already exists."],
                          "mass_kg": ["Ensure this value is less than or equal to 300.0."]}),
]
TOKEN = [
    request_example("Username and password", {"username": "ada", "password": "orbital-velocity-7.8"}),
    response_example("Token", {"token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"}),
    error_example(400, "Wrong password", code="invalid", detail="Unable to log in with provided credentials."),
    error_example(429, "Locked out", code="account_locked",
                  detail="Too many failed log-ins for this account from this address: it is locked for 15 minutes."),
]
ME = [response_example("Passenger with a profile", ACCOUNT)]
ME_EMAIL_CHANGED = response_example(
    "Address changed, to be verified", {**ACCOUNT, "email": "ada@new.example.com", "email_verified_at": None}
)
ME_UPDATE = [
    request_example("New mass and emergency contact", {
        "mass_kg": "66.5", "emergency_contact": "Charles Passenger (brother), +44 20 7946 0001",
    }),
    response_example("Profile saved", {**ACCOUNT, "mass_kg": "66.5",
                                       "emergency_contact": "Charles Passenger (brother), +44 20 7946 0001"}),
    error_example(400, "Date of birth in the future", code="invalid",
                  detail="The passenger profile has invalid fields: date_of_birth.",
                  fields={"date_of_birth": ["The date of birth must be in the past."]}),
]

# --- Flights --------------------------------------------------------------------------------------------

FLIGHT = {
    "id": 12, "code": "NS-41", "purpose": "commercial", "itinerary": "west-texas-suborbital", "vehicle": "NS-RSS1",
    "spaceport": "wtx", "launch_at": "2026-12-17T14:00:00Z", "window_open": "2026-12-17T13:52:00Z",
    "window_close": "2026-12-17T16:00:00Z", "status": "scheduled", "seats_total": 6, "seats_left": 3,
    "launched_at": None, "landing_planned_at": None, "landed_at": None,
}
FLIGHT_LIST = [
    response_example("On sale, seats left", FLIGHT),
    response_example("Sold out", {**FLIGHT, "id": 15, "code": "VG-12", "itinerary": "spaceport-america-spaceflight",
                                  "vehicle": "VSS-UNITY", "spaceport": "spa", "launch_at": "2026-12-31T16:00:00Z",
                                  "window_open": None, "window_close": None, "seats_total": 4, "seats_left": 0}),
]
FLIGHT_RETRIEVE = [response_example("On sale", FLIGHT)]

# --- Bookings -------------------------------------------------------------------------------------------

HELD = {
    "id": 31, "flight": 12, "flight_code": "NS-41", "launch_at": "2026-12-17T14:00:00Z", "status": "held",
    "seat_number": 3, "hold_expires_at": "2026-07-04T09:15:00Z", "price": "1250000.00", "deposit": "150000.00",
    "deposit_non_refundable": "0.00", "currency": "USD", "amount_paid": "0.00", "balance_due_at": "2026-09-18T14:00:00Z",
    "consent_signed_at": None, "created_at": "2026-07-01T09:15:00Z", "status_changed_at": "2026-07-01T09:15:00Z",
    "transferred_from": None,
}
RESERVED = {
    **HELD, "status": "reserved", "amount_paid": "150000.00", "consent_signed_at": "2026-07-01T10:02:00Z",
    "status_changed_at": "2026-07-02T16:30:00Z",
}
CONSENT_CURRENT = {
    "status": "current", "reasons": [], "signed_at": "2026-07-01T10:02:00Z",
    "disclosure_sha256": "e7bda74c84be10b1e0bbfc291de9df31fd16e7b42ce4722c29e16bad6d92af8c",
}
HISTORY = [
    {"from_status": "", "to_status": "held", "reason": "Seat 3 held until 2026-07-04 09:15 UTC.",
     "changed_at": "2026-07-01T09:15:00Z"},
    {"from_status": "held", "to_status": "reserved",
     "reason": "Informed consent signed and deposit of 150,000.00 USD received (Bank transfer, reference SPL-31-DEP).",
     "changed_at": "2026-07-02T16:30:00Z"},
]
RESERVED_DETAIL = {
    **RESERVED, "consent": CONSENT_CURRENT,
    "ledger": [{"id": 57, "kind": "deposit", "amount": "150000.00", "currency": "USD", "provider": "bank_transfer",
                "reference": "SPL-31-DEP", "recorded_at": "2026-07-02T16:30:00Z"}],
    "history": HISTORY, "scrub_notices": [],
}
SCRUB_NOTICE = {
    "old_launch_at": "2026-12-17T14:00:00Z", "new_launch_at": "2026-12-18T14:00:00Z",
    "scrub_reason": "Range radar down", "outcome": "unmanifested",
    "blockers": ["Medical clearance is valid only until 2026-12-17, before the flight date 2026-12-18."],
    "operator_terms": True, "is_open": True, "notified_at": "2026-12-17T13:20:00Z",
    "created_at": "2026-12-17T13:19:58Z", "closed_at": None, "closed_reason": "",
}
HELD_DETAIL = {
    **HELD, "consent": {"status": "missing", "reasons": [], "signed_at": None, "disclosure_sha256": None},
    "ledger": [], "history": HISTORY[:1], "scrub_notices": [],
}
HOLD = [
    response_example("Seat held for 72 hours", HELD, status=201),
    error_example(409, "Sold out", code="sold_out",
                  detail="Flight NS-41 is sold out: all 6 seats are taken or offered to the waitlist. Join the "
                         "waitlist to be offered a seat that comes back."),
    error_example(409, "Already booked", code="already_booked",
                  detail="You already have booking #31 on flight NS-41 (seat 3, held)."),
    error_example(409, "Outside the vehicle's limits", code="passenger_not_eligible",
                  detail="You cannot take a seat on flight NS-41: your mass of 104.0 kg is above Blue Origin New "
                         "Shepard's limit of 101.0 kg."),
]
WAITLIST_JOIN = [
    response_example("On the waitlist", {
        "id": 8, "flight": 15, "flight_code": "VG-12", "status": "waiting", "position": 2,
        "joined_at": "2026-07-01T09:20:00Z", "offered_at": None, "offer_expires_at": None, "booking": None,
    }, status=201),
    error_example(409, "Seats still free", code="seats_available",
                  detail="Flight NS-41 still has 3 seats left: hold one instead of joining the waitlist."),
    error_example(409, "Already waiting", code="already_waitlisted",
                  detail="You are already on the waitlist of flight VG-12 (joined 2026-07-01 09:20 UTC)."),
]
BOOKING_LIST = [response_example("Reserved seat", RESERVED), response_example("Held seat", HELD)]
BOOKING_RETRIEVE = [response_example("Reserved, deposit paid", RESERVED_DETAIL),
                    response_example("Taken off the manifest by a scrub", {
                        **RESERVED_DETAIL, "scrub_notices": [SCRUB_NOTICE]}),
                    response_example("Held, consent to sign", HELD_DETAIL)]
DISCLOSURE_TEXT = (
    "INFORMED CONSENT OF A SPACE FLIGHT PARTICIPANT (14 CFR 460.45)\n"
    "Vehicle: RSS First Step, serial NS-RSS1, a Blue Origin New Shepard\nConsent document version 1\n\n"
    "Known hazards and risks\n- Death or serious injury from a failure of the launch vehicle, the capsule, its "
    "parachutes or its landing system.\n- Acceleration of up to 5.5 g, vibration and noise during ascent and entry.\n\n"
    "No government certification\n- The United States Government has not certified the launch vehicle and any "
    "reentry vehicle as safe for carrying crew or space flight participants.\n\n"
    "The operator's record of RSS First Step (NS-RSS1)\n- Flights flown: 16 (12 before this record was kept, 4 since).\n"
    "- Grounded on 2025-10-02: Mishap on flight NS-RSS1-V1: Booster engine nozzle failed at max-Q; the capsule "
    "escaped and landed safely.\n- Returned to service on 2026-03-27.\n\n"
    "By signing, I confirm that I have read this disclosure in full (…)"
)
CONSENT_READ = [
    response_example("Disclosure to sign", {
        "vehicle": "NS-RSS1", "document_version": 1, "text": DISCLOSURE_TEXT,
        "sha256": "e7bda74c84be10b1e0bbfc291de9df31fd16e7b42ce4722c29e16bad6d92af8c",
        "material_facts": [
            "Mishap #1 on flight NS-RSS1-V1 (2025-10-02): Booster engine nozzle failed at max-Q; the capsule escaped "
            "and landed safely.",
            "Anomaly #4 on NS-RSS1-V3, minor: One main parachute opened 0.8 s late. Disposition: accepted with "
            "flight rationale (The capsule lands safely on two of three parachutes; margins unchanged.).",
        ],
    }),
    error_example(409, "No consent document", code="consent_document_missing",
                  detail="No informed consent document is published for vehicle RSS First Step (NS-RSS1): operations must "
                         "publish one before passengers can sign."),
]
CONSENT_SIGN = [
    request_example("Signature", {
        "legal_name": "Ada Lovelace Passenger", "password": "orbital-velocity-7.8",
        "disclosure_sha256": "e7bda74c84be10b1e0bbfc291de9df31fd16e7b42ce4722c29e16bad6d92af8c",
    }),
    response_example("Consent signed", {
        **HELD_DETAIL, "consent_signed_at": "2026-07-01T10:02:00Z", "consent": CONSENT_CURRENT,
    }),
    error_example(400, "Name or password wrong", code="signature_invalid",
                  detail="The signature was not accepted: Type your full legal name exactly as in your passenger "
                         "profile.",
                  fields={"legal_name": ["Type your full legal name exactly as in your passenger profile."]}),
    error_example(409, "Disclosure changed", code="disclosure_changed",
                  detail="The disclosure changed while you were reading it (the vehicle's record was updated). Read "
                         "the new text and sign again."),
    error_example(409, "Hold lapsed", code="hold_expired",
                  detail="Cannot sign informed consent for booking #31 (NS-41, seat 3): its hold lapsed at 2026-07-04 09:15 UTC "
                         "and the seat went back on sale. Hold a seat again if one is free."),
]
REFUND_QUOTE = [response_example("More than 90 days out", {
    "paid": "150000.00", "refund": "150000.00", "retained": "0.00", "currency": "USD",
    "rule": "Cancelled more than 90 days before launch: everything paid minus the non-refundable part of the "
            "deposit (0.00 USD).",
})]
CANCEL = [
    request_example("Passenger's reason", {"reason": "A family emergency; I hope to fly next year."}),
    response_example("Cancelled and refunded", {
        **RESERVED_DETAIL, "status": "cancelled", "amount_paid": "0.00", "status_changed_at": "2026-08-01T12:00:00Z",
        "ledger": [*RESERVED_DETAIL["ledger"],
                   {"id": 63, "kind": "refund", "amount": "-150000.00", "currency": "USD", "provider": "bank_transfer",
                    "reference": "SPL-31-REFUND", "recorded_at": "2026-08-01T12:00:00Z"}],
        "history": [*HISTORY, {"from_status": "reserved", "to_status": "cancelled",
                               "reason": "A family emergency; I hope to fly next year.",
                               "changed_at": "2026-08-01T12:00:00Z"}],
    }),
    error_example(409, "Already flown", code="invalid_transition",
                  detail="Cannot cancel booking #31 (NS-41, seat 3): it is flown."),
]
TRANSFER = [
    request_example("To the next hop", {"flight": 13, "reason": "Moving to the January flight."}),
    response_example("Moved", {
        **RESERVED, "id": 44, "flight": 13, "flight_code": "NS-42", "launch_at": "2027-01-28T14:00:00Z",
        "seat_number": 1, "balance_due_at": "2026-10-30T14:00:00Z", "created_at": "2026-08-01T12:00:00Z",
        "status_changed_at": "2026-08-01T12:00:00Z", "transferred_from": 31,
    }, status=201),
    error_example(409, "Another itinerary", code="transfer_refused",
                  detail="Booking #31 (NS-41, seat 3) can move only to another flight of West Texas Suborbital Hop; "
                         "flight AX-9 flies Orbital Station Stay."),
]
WAITING = {
    "id": 8, "flight": 15, "flight_code": "VG-12", "status": "waiting", "position": 2,
    "joined_at": "2026-07-01T09:20:00Z", "offered_at": None, "offer_expires_at": None, "booking": None,
}
OFFERED = {**WAITING, "status": "offered", "position": None, "offered_at": "2026-08-03T08:00:00Z",
           "offer_expires_at": "2026-08-04T08:00:00Z"}
WAITLIST_LIST = [response_example("Waiting", WAITING), response_example("Seat offered", OFFERED)]
WAITLIST_RETRIEVE = [response_example("Seat offered", OFFERED)]
WAITLIST_LEAVE = [
    response_example("Left the waitlist", {**WAITING, "status": "left", "position": None}),
    error_example(409, "Offer already taken", code="invalid_transition",
                  detail="Cannot leave waitlist entry Waitlist #8 (VG-12): it is accepted."),
]

# A bad filter value on a list answers 400 with the field named, as every input does.
BAD_STATUS_FILTER = error_example(
    400, "Unknown status", code="invalid", detail="The request has invalid fields: status.",
    fields={"status": ["Select a valid choice. boarding is not one of the available choices."]},
)
BOOKING_LIST.append(BAD_STATUS_FILTER)
WAITLIST_LIST.append(BAD_STATUS_FILTER)
FLIGHT_LIST.append(error_example(
    400, "Month not YYYY-MM", code="invalid", detail="The request has invalid fields: month.",
    fields={"month": ["Give the month as YYYY-MM, e.g. 2026-07."]},
))


# --- The launch-day manifest -----------------------------------------------------------------------------

_GATES = [
    {"name": "balance_paid", "label": "Balance paid", "medical": False, "passed": True, "message": None},
    {"name": "medical_manifest_gate", "label": "Medical clearance", "medical": True, "passed": True, "message": None},
    {"name": "training_complete", "label": "Training complete", "medical": False, "passed": True, "message": None},
]
LAUNCH_MANIFEST = [response_example("Two manifested, one reserved", {
    "flight": {"id": 12, "code": "NS-41", "status": "scheduled", "itinerary": "West Texas Suborbital",
               "vehicle": "NS-RSS1", "vehicle_name": "RSS First Step", "vehicle_model": "Blue Origin New Shepard",
               "spaceport": "wtx", "spaceport_name": "Launch Site One", "spaceport_timezone": "America/Chicago",
               "launch_at": "2026-12-17T14:00:00Z", "launch_at_local": "2026-12-17T08:00:00-06:00"},
    "generated_at": "2026-12-16T20:00:00Z", "cabin_mass_budget_kg": "660.0", "total_mass_kg": "146.5",
    "margin_kg": "513.5", "within_budget": True,
    "manifested": [
        {"booking": 31, "status": "manifested", "seat_number": 1, "legal_name": "Mira Passenger", "mass_kg": "68.0",
         "height_cm": 171, "all_gates_hold": True, "gates": _GATES},
        {"booking": 32, "status": "manifested", "seat_number": 2, "legal_name": "Ada Lovelace Passenger",
         "mass_kg": "78.5", "height_cm": 180, "all_gates_hold": True, "gates": _GATES},
    ],
    "reserved": [
        {"booking": 35, "status": "reserved", "seat_number": 4, "legal_name": "Lin Guest", "mass_kg": "59.0",
         "height_cm": 165, "all_gates_hold": False, "gates": [
             *_GATES[:2],
             {"name": "training_complete", "label": "Training complete", "medical": False, "passed": False,
              "message": "Training incomplete: Emergency egress (460.51) not signed off; 3 of 14 training hours done."},
         ]},
    ],
})]
