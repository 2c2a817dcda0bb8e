"""OpenAPI examples for the verification API: records, their evidence, sign-offs and certification.

One list per operation, attached through the view's `extend_schema(examples=...)`. The record is the
second uncrewed flight of a Lihong-1-like capsule (LH1-Y1-V2: 119.5 km, 312 s of microgravity, a
minor camera anomaly); error examples carry the services' codes and messages (verification/services/).
"""

from __future__ import annotations

from config.openapi import error_example, request_example, response_example

RECORD_HASH = "c9a658ca714cd9fb44fdb12be9445e050a15187b4334c0b9d7379645b3f0642d"
OBJECTIVE = {
    "id": 22, "record": 11, "sequence": 1, "description": "Microgravity time",
    "success_criterion": "More than 300 s below 0.01 g", "measured_result": "312 s", "result": "pass",
    "flight_rationale": "", "entered_by": "ops", "last_edited_by": "ops",
}
ANOMALY = {
    "id": 5, "record": 11, "title": "Cabin camera lost frames on entry", "severity": "minor",
    "description": "The cabin camera dropped 4% of frames during entry.", "root_cause": "", "corrective_actions": "",
    "disposition": "accepted", "flight_rationale": "The camera records for outreach only; no flight data depends on it.",
    "entered_by": "ops", "last_edited_by": "ops",
}
ATTACHMENT = {
    "id": 9, "record": 11, "kind": "telemetry", "title": "Telemetry summary, entry and landing",
    "original_name": "lh1-y1-v2-telemetry.csv", "content_type": "text/csv",
    "sha256": "72e2f2a787ca88cb544dc21e4dddc323cbe3b1a692103b91e41629347e5e92fe", "size_bytes": 48213,
    "uploaded_at": "2026-11-17T09:00:00Z", "download_url": "https://spaceline.example/verification/attachments/9/",
}
SIGNOFF = {
    "id": 14, "sequence": 14, "record": 11, "revision": 1, "signer": "director", "signer_name": "Flo Director",
    "signed_at": "2026-11-19T10:05:00Z", "meaning": "I have reviewed this flight's evidence: its objectives are met "
    "and it counts towards certification.", "decision": "approve", "comment": "Clean flight; camera anomaly accepted.",
    "record_hash": RECORD_HASH, "previous_hash": "d36de0182d2092f8d51b69fadacd4b17585c168dffa7e2d698e98cae3bee2c47",
    "signoff_hash": "5b0f3c1e2a9d4e7f8a6b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f", "voided_at": None,
    "void_reason": "", "key_id": "k2026a", "sealed_at": None, "valid": True, "problem": "",
}
PROFILE = {
    "summary": "Second uncrewed flight: more than five minutes of microgravity.",
    "launched_at": "2026-11-16T15:00:00Z", "landed_at": "2026-11-16T15:12:00Z", "apogee_km": "119.50",
    "peak_g_ascent": "3.9", "peak_g_entry": "5.1", "landing_distance_m": "980.0",
}
IN_REVIEW = {
    "id": 11, "flight": "LH1-Y1-V2", "flight_id": 11, "vehicle": "LH1-Y1", "kind": "uncrewed", "status": "in_review",
    "status_reason": "Submitted for sign-off", "status_changed_at": "2026-11-18T15:12:00Z", "revision": 1, **PROFILE,
    "entered_by": "ops", "last_edited_by": "ops",
    "required_signatures": 1, "current_hash": RECORD_HASH, "counts_towards_certification": False,
    "not_counting_because": ["not signed off (it is in review)"],
    "occupants": [{"id": 20, "name": "Mannequin Skywalker", "role": "Instrumented test dummy (anthropomorphic test device)",
                   "is_test_dummy": True}],
    "objectives": [OBJECTIVE], "anomalies": [ANOMALY], "attachments": [ATTACHMENT], "signoffs": [],
}
FLOWN = {**IN_REVIEW, "status": "flown", "status_reason": "Flown; record complete and locked",
         "status_changed_at": "2026-11-17T09:30:00Z", "not_counting_because": ["not signed off (it is flown)"]}
SIGNED_OFF = {**IN_REVIEW, "status": "signed_off", "status_reason": "Approved by Flo Director",
              "status_changed_at": "2026-11-19T10:05:00Z", "counts_towards_certification": True,
              "not_counting_because": [], "signoffs": [SIGNOFF]}
PLANNED = {
    **IN_REVIEW, "id": 12, "flight": "LH1-Y1-V3", "flight_id": 18, "status": "planned", "status_reason": "Opened",
    "status_changed_at": "2026-11-20T08:00:00Z", "summary": "Third uncrewed flight: abort test at max-Q.",
    "launched_at": None, "landed_at": None, "apogee_km": None, "peak_g_ascent": None, "peak_g_entry": None,
    "landing_distance_m": None, "current_hash": "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0",
    "not_counting_because": ["not signed off (it is planned)"], "occupants": [], "objectives": [], "anomalies": [],
    "attachments": [],
}
LOCKED = error_example(409, "Record locked", code="record_locked",
                       detail="Verification record LH1-Y1-V2 is in review and locked against edits: reopen it (which "
                              "voids its sign-offs) to change it.")

RECORD_LIST = [
    response_example("Awaiting sign-off", IN_REVIEW),
    error_example(400, "Unknown vehicle", code="invalid", detail="The request has invalid fields: vehicle.",
                  fields={"vehicle": ["Select a valid choice. That choice is not one of the available choices."]}),
]
RECORD_RETRIEVE = [response_example("Signed off", SIGNED_OFF), response_example("Awaiting sign-off", IN_REVIEW)]
RECORD_CREATE = [
    request_example("Open the record before flight", {"flight": 18, "summary": "Third uncrewed flight: abort test at max-Q."}),
    response_example("Opened", PLANNED, status=201),
    error_example(400, "Not a verification flight", code="invalid",
                  detail="Flight NS-41 is a commercial flight: only uncrewed or crewed verification flights have "
                         "verification records.", fields={"flight": ["Not a verification flight."]}),
    error_example(409, "Already has a record", code="record_exists",
                  detail="Flight LH1-Y1-V3 already has a verification record."),
]
RECORD_UPDATE = [
    request_example("Achieved profile", PROFILE),
    response_example("Profile recorded", {**PLANNED, **PROFILE}),
    LOCKED,
]
MARK_FLOWN = [
    request_example("Evidence complete", {"reason": "Telemetry reduced; all objectives assessed."}),
    response_example("Flown and locked", FLOWN),
    error_example(409, "Evidence missing", code="record_incomplete",
                  detail="Cannot mark LH1-Y1-V3 flown: the achieved profile lacks landing time, peak g on entry; "
                         "objective 2 has no result."),
]
SUBMIT = [
    request_example("To the sign-off queue", {"reason": ""}),
    response_example("In review", IN_REVIEW),
    error_example(409, "Not flown yet", code="invalid_transition",
                  detail="Cannot submit for review verification flight LH1-Y1-V3 (uncrewed verification): it is "
                         "planned. From planned it can only become: flown."),
]
REOPENED = "record reopened by Flo Director (revision 1 → 2): Landing distance re-measured from GPS: 1,020 m."
REOPEN = [
    request_example("Correct the landing distance", {"reason": "Landing distance re-measured from GPS: 1,020 m."}),
    response_example("Reopened, sign-offs void", {
        **SIGNED_OFF, "status": "reopened", "status_reason": "Landing distance re-measured from GPS: 1,020 m.",
        "status_changed_at": "2026-11-21T09:00:00Z", "revision": 2, "counts_towards_certification": False,
        "not_counting_because": ["not signed off (it is reopened)",
                                 f"the sign-off by Flo Director is void: voided: {REOPENED}"],
        "signoffs": [{**SIGNOFF, "voided_at": "2026-11-21T09:00:00Z", "valid": False, "void_reason": REOPENED,
                      "problem": f"voided: {REOPENED}"}],
    }),
    error_example(400, "No reason", code="invalid", detail="Give a reason to reopen a verification record.",
                  fields={"reason": ["This field is required."]}),
    error_example(409, "Still planned", code="invalid_transition",
                  detail="Cannot reopen verification flight LH1-Y1-V3 (uncrewed verification): it is planned. From "
                         "planned it can only become: flown."),
]
SIGN_OFF = [
    request_example("Approve", {
        "decision": "approve", "meaning": SIGNOFF["meaning"], "comment": "Clean flight; camera anomaly accepted.",
        "password": "correct-horse-battery-42", "expected_record_hash": RECORD_HASH,
    }),
    request_example("Reject", {
        "decision": "reject", "meaning": "Objectives not met; not safe to proceed.",
        "comment": "Parachute deployment objective failed.", "password": "correct-horse-battery-42",
    }),
    response_example("Signed", SIGNOFF, status=201),
    error_example(400, "Wrong password", code="wrong_password",
                  detail="The password is not correct: re-enter your own password to sign.",
                  fields={"password": ["Incorrect password."]}),
    error_example(409, "Changed since review", code="record_changed_since_review",
                  detail="LH1-Y1-V2 changed after you opened it for review (its SHA-256 is no longer c9a658ca714c…). "
                         "Review it again before signing."),
    error_example(409, "Entered by the signer", code="signer_edited_record",
                  detail="Flo Director last edited objective 1 of LH1-Y1-V2: whoever entered or last edited a "
                         "record's content cannot sign it. Another flight director must sign."),
    error_example(409, "Open critical anomaly", code="sign_off_refused",
                  detail="Cannot approve LH1-Y1-V2: critical anomaly “Valve leak” is open without a flight rationale. "
                         "Close it, or accept it with a written flight rationale, before approving (reopen the record "
                         "to change it)."),
]
OBJECTIVE_LIST = [response_example("Passed", OBJECTIVE)]
OBJECTIVE_RETRIEVE = [response_example("Passed", OBJECTIVE)]
OBJECTIVE_CREATE = [
    request_example("Landing accuracy", {
        "record": 12, "description": "Capsule lands under parachutes within 1 km of target",
        "success_criterion": "Landing distance at most 1,000 m",
    }),
    response_example("Added", {**OBJECTIVE, "id": 31, "record": 12, "sequence": 2,
                               "description": "Capsule lands under parachutes within 1 km of target",
                               "success_criterion": "Landing distance at most 1,000 m", "measured_result": "",
                               "result": "pending"}, status=201),
    LOCKED,
]
OBJECTIVE_UPDATE = [
    request_example("Result", {"measured_result": "Landed 980 m from target", "result": "pass"}),
    response_example("Result recorded", {**OBJECTIVE, "sequence": 2,
                                         "description": "Capsule lands under parachutes within 1 km of target",
                                         "success_criterion": "Landing distance at most 1,000 m",
                                         "measured_result": "Landed 980 m from target"}),
    LOCKED,
]
ANOMALY_LIST = [response_example("Accepted minor anomaly", ANOMALY)]
ANOMALY_RETRIEVE = [response_example("Accepted minor anomaly", ANOMALY)]
ANOMALY_CREATE = [
    request_example("Camera frames lost", {
        "record": 11, "title": ANOMALY["title"], "severity": "minor", "description": ANOMALY["description"],
    }),
    response_example("Recorded, open", {**ANOMALY, "disposition": "open", "flight_rationale": ""}, status=201),
    error_example(400, "Severity unknown", code="invalid", detail="The request has invalid fields: severity.",
                  fields={"severity": ['"cosmic" is not a valid choice.']}),
    LOCKED,
]
ANOMALY_UPDATE = [
    request_example("Accept with a flight rationale", {
        "disposition": "accepted", "flight_rationale": ANOMALY["flight_rationale"],
    }),
    response_example("Accepted", ANOMALY),
    LOCKED,
]
ATTACHMENT_LIST = [response_example("Telemetry summary", ATTACHMENT)]
ATTACHMENT_RETRIEVE = [response_example("Telemetry summary", ATTACHMENT)]
ATTACHMENT_CREATE = [
    request_example("Telemetry CSV", {
        "record": 11, "kind": "telemetry", "title": ATTACHMENT["title"], "file": "lh1-y1-v2-telemetry.csv (the file)",
    }, media_type="multipart/form-data"),
    response_example("Stored with its SHA-256", ATTACHMENT, status=201),
    error_example(400, "Too large", code="invalid", detail="onboard-video.mp4 is 212 MB; attachments may be at most 50 MB.",
                  fields={"file": ["Too large."]}),
    LOCKED,
]
SIGNOFF_LIST = [response_example("Valid approval", SIGNOFF)]
SIGNOFF_RETRIEVE = [
    response_example("Valid approval", SIGNOFF),
    response_example("Void: the record changed", {
        **SIGNOFF, "valid": False, "problem": "the record was changed after it was signed",
    }),
]
CERTIFICATION = {
    "vehicle": 4, "serial": "LH1-Y1", "state": "uncertified", "state_label": "Uncertified",
    "uncrewed_required": 3, "uncrewed_counted": 1, "crewed_required": 1, "crewed_counted": 0, "blockers": [],
    "shortfall": ["1 of 3 uncrewed verification flights count", "0 of 1 crewed verification flights count"],
    "evidence": [
        {"record": 10, "flight": "LH1-Y1-V1", "kind": "uncrewed", "status": "signed_off",
         "launched_at": "2026-09-27T15:00:00Z", "counts": True, "reasons": []},
        {"record": 11, "flight": "LH1-Y1-V2", "kind": "uncrewed", "status": "in_review",
         "launched_at": "2026-11-16T15:00:00Z", "counts": False, "reasons": ["not signed off (it is in review)"]},
    ],
    "mishaps": [],
}
CERTIFIED = {
    "vehicle": 1, "serial": "NS-RSS1", "state": "certified_for_passengers", "state_label": "Certified for passengers",
    "uncrewed_required": 2, "uncrewed_counted": 2, "crewed_required": 1, "crewed_counted": 1, "blockers": [],
    "shortfall": [],
    "evidence": [{"record": 5, "flight": "NS-RSS1-V2", "kind": "uncrewed", "status": "signed_off",
                  "launched_at": "2026-03-21T15:00:00Z", "counts": True, "reasons": []}],
    "mishaps": [{"id": 1, "flight": "NS-RSS1-V1", "occurred_at": "2025-10-02T15:01:10Z",
                 "description": "Booster engine nozzle failed at max-Q; the capsule escaped and landed safely.",
                 "resolved": True, "problems": []}],
}
CERTIFICATION_LIST = [
    response_example("In its uncrewed phase", CERTIFICATION),
    error_example(400, "Unknown status", code="invalid", detail="The request has invalid fields: status.",
                  fields={"status": ["Select a valid choice. flying is not one of the available choices."]}),
]
CERTIFICATION_RETRIEVE = [response_example("Certified, after a resolved mishap", CERTIFIED),
                          response_example("In its uncrewed phase", CERTIFICATION)]
