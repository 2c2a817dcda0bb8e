"""OpenAPI examples for the conjunctions API.

The event is a red conjunction of the demo capsule ORB-DEMO-1 (catalog number 99001, docked nowhere)
with a fragment of FENGYUN 1C (catalog 31140): TCA 2026-12-04 06:12:31 UTC, miss 140 m, Pc 2.3e-4.
"""

from __future__ import annotations

from config.openapi import error_example, request_example, response_example

EVENT = {
    "id": 7, "flight": "ORB-DEMO-1", "protected_designator": "99001", "protected_name": "Capsule ORB-DEMO-1",
    "protected_kind": "vehicle", "other_designator": "31140", "other_name": "FENGYUN 1C DEB",
    "tca": "2026-12-04T06:12:31.204000Z", "miss_distance_m": 140.2, "miss_r_m": 38.1, "miss_t_m": -120.4,
    "miss_n_m": 61.7, "relative_speed_m_s": 11842.0, "pc": 2.3e-4, "pc_method": "FOSTER-1992", "hbr_m": 20.0,
    "covariance": "given", "source": "cdm", "tier": "red", "status": "open", "closed_at": None, "outcome": "",
    "created_at": "2026-12-01T09:00:00Z", "updated_at": "2026-12-02T15:00:00Z", "decision_needed": True,
    "current_decision": None,
}
UPDATE = {
    "id": 31, "event": 7, "source": "cdm", "message_id": "99001_conj_31140_20261204_061231_20261202_150000",
    "originator": "CARA", "created_by_originator_at": "2026-12-02T15:00:00Z", "received_at": "2026-12-02T15:04:12Z",
    "tca": "2026-12-04T06:12:31.204000Z", "miss_distance_m": 140.2, "miss_r_m": 38.1, "miss_t_m": -120.4,
    "miss_n_m": 61.7, "relative_speed_m_s": 11842.0, "pc": 2.3e-4, "stated_pc": 2.31e-4, "pc_method": "FOSTER-1992",
    "hbr_m": 20.0, "covariance": "given", "tier": "red", "superseded": False,
}
DECISION = {
    "id": 3, "event": 7, "update": 31, "tier": "red", "kind": "manoeuvre",
    "reason": "Pc 2.3e-4 is over the red threshold and the burn plan is ready.",
    "manoeuvre_at": "2026-12-04T03:40:00Z", "delta_v_m_s": 0.45, "shelter_at": None, "signer": "director",
    "signer_name": "Flo Director", "signed_at": "2026-12-02T16:10:00Z",
    "meaning": "I have reviewed this conjunction and order the debris avoidance manoeuvre.",
}
CDM_TEXT = """CCSDS_CDM_VERS                      = 1.0
CREATION_DATE                       = 2026-12-02T15:00:00.000
ORIGINATOR                          = CARA
MESSAGE_ID                          = 99001_conj_31140_20261204_061231_20261202_150000
TCA                                 = 2026-12-04T06:12:31.204
MISS_DISTANCE                       = 140.2 [m]
COMMENT HBR = 20 [m]
OBJECT                              = OBJECT1
OBJECT_DESIGNATOR                   = 99001
X                                   = 2570.097 [km]
...the state (X..Z_DOT) and the 21 covariance terms of each object...
"""

EVENT_LIST = [response_example("Open events", EVENT)]
EVENT_RETRIEVE = [response_example("A red event awaiting the director's decision", EVENT)]
UPDATE_LIST = [response_example("An update from a CDM", UPDATE)]
DECISION_LIST = [response_example("A manoeuvre decision", DECISION)]
DECISION_CREATE = [
    request_example("Debris avoidance manoeuvre", {
        "kind": "manoeuvre", "reason": DECISION["reason"], "meaning": DECISION["meaning"],
        "password": "your-own-password", "manoeuvre_at": "2026-12-04T03:40:00Z", "delta_v_m_s": 0.45,
    }),
    request_example("Shelter in place", {
        "kind": "shelter", "reason": "No time for a burn: the TCA is 40 minutes away.",
        "meaning": "I have reviewed this conjunction and order the crew to shelter in the capsule.",
        "password": "your-own-password", "shelter_at": "2026-12-04T05:55:00Z",
    }),
    response_example("Signed", DECISION, status=201),
    error_example(400, "Wrong password", code="signature_refused",
                  detail="The password is not correct: re-enter your own password to sign.",
                  fields={"password": ["Incorrect password."]}),
    error_example(403, "Not this flight's director", code="permission_denied",
                  detail="Only this flight's director (dana) records its conjunction decisions."),
    error_example(409, "Green event", code="decision_not_needed", detail="The event is green: no decision is needed."),
]
EVENT_CLOSE = [
    request_example("Passed after the manoeuvre", {"outcome": "Manoeuvre flown at 03:40 UTC (0.45 m/s); passed at "
                                                              "2.1 km; no debris reported."}),
    response_example("Closed", {**EVENT, "status": "closed", "closed_at": "2026-12-04T07:00:00Z",
                                "outcome": "Manoeuvre flown; passed at 2.1 km."}),
    error_example(409, "TCA ahead", code="tca_ahead", detail="The event closes only after its TCA."),
]
EVENT_CDM = [
    response_example("The event as a CDM", CDM_TEXT, media_type="text/plain"),
    error_example(409, "Catalog-only screening", code="cdm_export_refused",
                  detail="This event comes from our own catalog-only screening: it has no covariance, and a standard "
                         "CDM (CCSDS 508.0-B-1) requires one for each object. Export refused; send the screening "
                         "provider the element sets instead."),
]
CDM_IMPORT = [
    request_example("A CDM in KVN", CDM_TEXT, media_type="text/plain"),
    response_example("A new event", {"created": True, "event": EVENT, "update": UPDATE}, status=201),
    response_example("An update of an existing event", {"created": False, "event": EVENT, "update": UPDATE}),
    error_example(400, "Malformed", code="cdm_invalid",
                  detail="The CDM was refused: line 12, X_DOT: 'fast' is not a number.",
                  fields={"cdm": ["line 12, X_DOT: 'fast' is not a number"], "line": ["12"], "field": ["X_DOT"]}),
    error_example(409, "Already imported", code="cdm_duplicate",
                  detail="Message 99001_conj_31140_20261204_061231_20261202_150000 was already imported for event 7.",
                  fields={"cdm": ["Already imported."]}),
]
