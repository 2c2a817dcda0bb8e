"""OpenAPI examples for the medical API: questionnaires, the surgeons' queue and decisions, eligibility.

One list per operation, attached through the view's `extend_schema(examples=...)`. A suborbital
passenger with controlled hypertension, cleared for 12 months; error examples carry the services'
codes and messages (tourism/medical/services.py).
"""

from __future__ import annotations

from config.openapi import error_example, request_example, response_example

SUBMITTED = {
    "id": 12, "passenger": "ada", "status": "submitted", "created_at": "2026-07-02T08:00:00Z",
    "submitted_at": "2026-07-03T19:40:00Z", "decided_at": None, "decided_by": None, "valid_until": None,
    "allowed_regimes": [], "max_g": None, "restrictions": "—", "superseded_by": None,
}
DRAFT = {**SUBMITTED, "status": "draft", "submitted_at": None}
UNDER_REVIEW = {**SUBMITTED, "status": "under_review"}
CLEARED = {
    **SUBMITTED, "status": "cleared", "decided_at": "2026-07-08T10:30:00Z", "decided_by": "surgeon",
    "valid_until": "2027-07-07", "allowed_regimes": ["suborbital", "orbital"], "restrictions": "None",
}
RESTRICTED = {
    **CLEARED, "status": "cleared_with_restrictions", "allowed_regimes": ["suborbital"], "max_g": "4.5",
    "restrictions": "Suborbital only, max 4.5 g",
}

CLEARANCE_LIST = [
    response_example("Cleared", CLEARED),
    response_example("Awaiting review", SUBMITTED),
    error_example(400, "Not a date", code="invalid", detail="The request has invalid fields: expiring_before.",
                  fields={"expiring_before": ["Enter a valid date."]}),
]
CLEARANCE_RETRIEVE = [response_example("Cleared with restrictions", RESTRICTED)]
CLEARANCE_START = [
    response_example("Draft started", DRAFT, status=201),
    error_example(409, "One already open", code="clearance_conflict",
                  detail="You already have a medical questionnaire in progress (#12, submitted): continue that one."),
]
ANSWERS = {
    "conditions": {
        "hypertension": {"answer": True, "details": "Mild hypertension since 2019, controlled with amlodipine 5 mg daily."},
        "cardiovascular": {"answer": False, "details": ""}, "arrhythmia": {"answer": False, "details": ""},
        "pulmonary": {"answer": False, "details": ""}, "diabetes": {"answer": False, "details": ""},
        "recent_surgery": {"answer": False, "details": ""}, "seizures": {"answer": False, "details": ""},
        "pregnancy": {"answer": False, "details": ""}, "psychiatric": {"answer": False, "details": ""},
        "motion_sickness": {"answer": False, "details": ""},
    },
    "history": {
        "medications": "Amlodipine 5 mg once a day.", "surgeries_last_12_months": "none",
        "high_g_experience": "centrifuge", "high_g_details": "Centrifuge profile to 6 g in 2025, tolerated well.",
    },
    "body": {"mass_kg": "71.5", "height_cm": 172, "confirmed": True},
}
QUESTIONNAIRE = [response_example("Complete answers", {
    "clearance": 12, "status": "submitted", "answers": ANSWERS, "missing_sections": [],
})]
QUESTIONNAIRE_SAVE = [
    request_example("Body section", {"section": "body", "answers": ANSWERS["body"], "draft": False}),
    request_example("History, as a draft", {
        "section": "history", "answers": {"medications": "Amlodipine 5 mg once a day."}, "draft": True,
    }),
    response_example("Saved; one section left", {
        "clearance": 12, "status": "draft", "answers": {"conditions": ANSWERS["conditions"], "body": ANSWERS["body"]},
        "missing_sections": ["history"],
    }),
    error_example(400, "Mass out of range", code="invalid",
                  detail="Mass and height: A mass below 20 kg is not possible for a passenger: check the number.",
                  fields={"mass_kg": ["A mass below 20 kg is not possible for a passenger: check the number."]}),
    error_example(409, "Already submitted", code="clearance_conflict",
                  detail="Medical questionnaire #12 is submitted: answers can change only while it is a draft or "
                         "more information was requested."),
]
SUBMIT = [
    request_example("First submission", {"reply": ""}),
    request_example("Reply to a request", {
        "reply": "My cardiologist's letter is attached: blood pressure 128/82 on treatment, stable for four years.",
    }),
    response_example("Submitted", SUBMITTED),
    error_example(400, "Sections incomplete", code="invalid",
                  detail="Complete every section before submitting; still incomplete: Medications, surgery and high-g "
                         "experience.",
                  fields={"history": ["Incomplete."]}),
    error_example(409, "Already submitted", code="invalid_transition",
                  detail="Cannot submit medical clearance #12 (ada): it is submitted. From submitted it can only "
                         "become: under review."),
]
START_REVIEW = [
    response_example("Under review", UNDER_REVIEW),
    error_example(409, "Not submitted", code="invalid_transition",
                  detail="Cannot start the review of medical clearance #12 (ada): it is draft. From draft it can "
                         "only become: submitted."),
]
DECIDE = [
    request_example("Cleared", {"outcome": "cleared", "reasons": "Hypertension controlled on treatment; normal ECG."}),
    request_example("Cleared with restrictions", {
        "outcome": "cleared_with_restrictions", "reasons": "Suborbital profile only; entry limited to 4.5 g.",
        "valid_until": "2027-07-07", "allowed_regimes": ["suborbital"], "max_g": "4.5",
    }),
    request_example("Not cleared", {"outcome": "not_cleared", "reasons": "Uncontrolled arrhythmia on the resting ECG."}),
    response_example("Cleared", CLEARED),
    response_example("Cleared with restrictions", RESTRICTED),
    error_example(400, "Restriction missing", code="invalid",
                  detail="Cleared with restrictions needs a restriction: fewer regimes or a maximum g.",
                  fields={"allowed_regimes": ["No restriction given."], "max_g": ["No restriction given."]}),
    error_example(409, "Review not started", code="invalid_transition",
                  detail="Cannot decide medical clearance #12 (ada): it is submitted. From submitted it can only "
                         "become: under review."),
]
REQUEST_INFORMATION = [
    request_example("A specialist's letter", {
        "message": "Please upload a letter from your cardiologist with your last three blood pressure readings.",
    }),
    response_example("Passenger asked", {**UNDER_REVIEW, "status": "information_requested"}),
    error_example(409, "Review not started", code="invalid_transition",
                  detail="Cannot request more information on medical clearance #12 (ada): it is submitted. From "
                         "submitted it can only become: under review."),
]
EXAMINATION = {
    "id": 4, "kind": "physical", "performed_on": "2026-07-07", "outcome": "satisfactory",
    "findings": "Blood pressure 128/82 on amlodipine; normal resting ECG; cleared on the centrifuge to 6 g.",
    "examiner": "surgeon", "recorded_at": "2026-07-07T15:20:00Z",
}
EXAMINATIONS = [response_example("Physical examination", EXAMINATION)]
EXAMINATION_RECORD = [
    request_example("Physical examination", {
        "kind": "physical", "performed_on": "2026-07-07", "outcome": "satisfactory",
        "findings": EXAMINATION["findings"],
    }),
    response_example("Recorded", EXAMINATION, status=201),
    error_example(400, "In the future", code="invalid", detail="An examination cannot be recorded before it took place.",
                  fields={"performed_on": ["In the future."]}),
    error_example(409, "Review not started", code="clearance_conflict",
                  detail="Medical clearance #12 is submitted: examinations are recorded once the review has started, "
                         "and not after it ended."),
]
NOTE = {
    "id": 9, "kind": "surgeon_note", "body": "Discussed entry loads; passenger understands the 5.5 g peak.",
    "author": "surgeon", "created_at": "2026-07-07T15:30:00Z",
}
NOTES = [response_example("A surgeon's note", NOTE)]
NOTE_ADD = [
    request_example("A surgeon's note", {"body": NOTE["body"]}),
    response_example("Added", NOTE, status=201),
    error_example(409, "Still a draft", code="clearance_conflict",
                  detail="Medical questionnaire #12 is still a draft: it has not been submitted."),
]
DOCUMENT = {
    "id": 3, "kind": "specialist_letter", "original_name": "cardiology-letter.pdf", "content_type": "application/pdf",
    "size_bytes": 184320, "uploaded_by": "ada", "uploaded_at": "2026-07-05T11:00:00Z",
    "content_url": "/api/v1/medical/documents/3/content/",
}
DOCUMENTS = [response_example("Specialist letter", DOCUMENT)]
DOCUMENT_UPLOAD = [
    request_example("A cardiologist's letter", {"kind": "specialist_letter", "file": "cardiology-letter.pdf (PDF bytes)"},
                    media_type="multipart/form-data"),
    response_example("Stored, encrypted", DOCUMENT, status=201),
    error_example(400, "Not a PDF, PNG or JPEG", code="invalid_document",
                  detail="Only PDF, PNG and JPEG documents are accepted, and this file is none of them.",
                  fields={"file": ["Not a PDF, PNG or JPEG file."]}),
    error_example(409, "Questionnaire with the surgeons", code="clearance_conflict",
                  detail="Medical questionnaire #12 is submitted: documents can be added only while it is a draft or "
                         "more information was requested."),
]
DOCUMENT_CONTENT = [response_example("A PDF", "%PDF-1.7 … (the document's bytes)", media_type="application/octet-stream")]
ACCESS_LOG = [
    response_example("A surgeon read the answers", {
        "id": 41, "accessed_at": "2026-07-07T15:02:00Z", "accessed_by": "surgeon", "record_type": "questionnaire",
        "record_id": 12, "action": "view", "channel": "portal",
    }),
    error_example(400, "Unknown channel", code="invalid", detail="The request has invalid fields: channel.",
                  fields={"channel": ["Select a valid choice. email is not one of the available choices."]}),
]
REVIEW_QUEUE = [
    response_example("Soonest flight first", {
        "clearance": SUBMITTED, "next_flight": {"id": 12, "code": "NS-41", "launch_at": "2026-12-17T14:00:00Z"},
    }),
    error_example(400, "Unknown status", code="invalid", detail="The request has invalid fields: status.",
                  fields={"status": ["Select a valid choice. pending is not one of the available choices."]}),
]
ELIGIBILITY = [
    response_example("Eligible", {"flight": 12, "eligible": True, "refusals": []}),
    response_example("Self-certification still due", {"flight": 12, "eligible": False, "refusals": [{
        "code": "self_certification_missing",
        "message": "Medical: Ada Passenger has not certified “no change in my health” in the 24 hours before flight "
                   "NS-41 (West Texas Suborbital Hop) launches (it opens 2026-12-16 14:00 UTC).",
    }]}),
]
SELF_CERTIFICATION = {
    "id": 5, "flight": 12, "clearance": 12,
    "statement": "I certify that my health has not changed since my medical clearance: no new illness, injury, "
                 "medication, surgery or pregnancy.",
    "certified_at": "2026-12-16T18:30:00Z",
}
SELF_CERTIFICATIONS = [response_example("For NS-41", SELF_CERTIFICATION)]
SELF_CERTIFY = [
    request_example("For NS-41", {"flight": 12}),
    response_example("Certified", SELF_CERTIFICATION, status=201),
    error_example(409, "Too early", code="self_certification_refused",
                  detail="Self-certification for flight NS-41 opens 24 hours before launch, at 2026-12-16 14:00 UTC."),
]
