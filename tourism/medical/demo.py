"""Demo medical records: the demo passenger went through the whole screening and was cleared.

Registered in flights.demo.extra_loaders; keyed on the passenger having a clearance, so it runs once.
Everything goes through the services, as the passenger and the flight surgeon would.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from tourism.medical import services
from tourism.medical.models import MedicalClearance, MedicalDocument, MedicalExamination
from tourism.medical.questionnaire import CONDITIONS

DEMO_ANSWERS = {
    "conditions": {
        **dict.fromkeys([key for key, _ in CONDITIONS if key != "hypertension"], "no"),
        "hypertension": "yes",
        "hypertension_details": "Mild hypertension since 2019, controlled with amlodipine 5 mg daily.",
    },
    "history": {
        "medications": "Amlodipine 5 mg once a day.",
        "surgeries_last_12_months": "none",
        "high_g_experience": "centrifuge",
        "high_g_details": "Centrifuge profile to 6 g in 2025, tolerated well.",
    },
    "body": {"mass_kg": "71.5", "height_cm": 172, "confirmed": True},
}
# A minimal PDF: enough for the type check, and readable as a document.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def load(*, now: dt.datetime, users: dict, **_) -> None:
    passenger, surgeon = users["passenger"], users["surgeon"]
    if MedicalClearance.objects.filter(passenger=passenger).exists():
        return
    start = now - dt.timedelta(days=20)
    clearance = services.clearance_start(passenger=passenger, now=start)
    for section, data in DEMO_ANSWERS.items():
        services.questionnaire_save_section(clearance=clearance, by=passenger, section=section, data=data, now=start)
    services.document_upload(
        clearance=clearance, by=passenger, kind=MedicalDocument.Kind.ECG, now=start,
        upload=SimpleUploadedFile("resting-ecg.pdf", DEMO_PDF, content_type="application/pdf"),
    )
    services.clearance_submit(clearance=clearance, by=passenger, now=start + dt.timedelta(hours=1))
    reviewed = start + dt.timedelta(days=2)
    services.clearance_start_review(clearance=clearance, by=surgeon, now=reviewed)
    for kind, findings in (
        (MedicalExamination.Kind.PHYSICAL, "Blood pressure 128/82 on treatment; heart and lungs normal."),
        (MedicalExamination.Kind.MENTAL_HEALTH, "No psychiatric history; calm under the confinement interview."),
    ):
        services.examination_record(
            clearance=clearance, by=surgeon, kind=kind, performed_on=reviewed.date(),
            outcome=MedicalExamination.Outcome.SATISFACTORY, findings=findings, now=reviewed,
        )
    services.clearance_decide(
        clearance=clearance, by=surgeon, outcome=MedicalClearance.Status.CLEARED, now=reviewed,
        reasons="Hypertension controlled on treatment, normal ECG, physical and mental-health evaluations satisfactory.",
    )
