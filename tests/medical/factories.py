"""Medical records built the way people build them: through the services, step by step."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tourism.medical import services
from tourism.medical.models import MedicalClearance, MedicalExamination
from tourism.medical.questionnaire import CONDITIONS

Status = MedicalClearance.Status

NO_CONDITIONS = dict.fromkeys([key for key, _ in CONDITIONS], "no")
# A distinctive phrase, so tests can look for it in raw rows and files.
SECRET_DETAIL = "Paroxysmal atrial fibrillation zebra-7731"
ANSWERS = {
    "conditions": {**NO_CONDITIONS, "arrhythmia": "yes", "arrhythmia_details": SECRET_DETAIL},
    "history": {
        "medications": "Apixaban 5 mg twice daily",
        "surgeries_last_12_months": "none",
        "high_g_experience": "none",
    },
    "body": {"mass_kg": "72.5", "height_cm": "178", "confirmed": "on"},
}

PDF = b"%PDF-1.4\n% ECG tracing quokka-5521: sinus rhythm\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"holter-strip-narwhal-9912" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"specialist-letter-axolotl" + b"\xff\xd9"


def upload(name="ecg.pdf", content=PDF, content_type="application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def draft(passenger, *, answers=ANSWERS, now=None) -> MedicalClearance:
    clearance = services.clearance_start(passenger=passenger, now=now)
    for section, data in answers.items():
        services.questionnaire_save_section(clearance=clearance, by=passenger, section=section, data=data, now=now)
    return clearance


def submitted(passenger, **kwargs) -> MedicalClearance:
    clearance = draft(passenger, **kwargs)
    return services.clearance_submit(clearance=clearance, by=passenger, now=kwargs.get("now"))


def under_review(passenger, surgeon, **kwargs) -> MedicalClearance:
    clearance = submitted(passenger, **kwargs)
    return services.clearance_start_review(clearance=clearance, by=surgeon, now=kwargs.get("now"))


def decided(
    passenger, surgeon, *, outcome=Status.CLEARED, allowed_regimes=None, max_g=None, valid_until=None,
    examinations=(), now=None, reasons="History reviewed; fit to fly.",
) -> MedicalClearance:
    clearance = under_review(passenger, surgeon, now=now)
    now_ = now or timezone.now()
    for kind in examinations:
        services.examination_record(
            clearance=clearance, by=surgeon, kind=kind, performed_on=now_.date(),
            outcome=MedicalExamination.Outcome.SATISFACTORY, findings=f"{kind} normal", now=now,
        )
    return services.clearance_decide(
        clearance=clearance, by=surgeon, outcome=outcome, reasons=reasons, allowed_regimes=allowed_regimes,
        max_g=max_g, valid_until=valid_until, now=now,
    )


def restricted(passenger, surgeon, **kwargs) -> MedicalClearance:
    kwargs.setdefault("allowed_regimes", ["suborbital"])
    kwargs.setdefault("max_g", Decimal("4.0"))
    return decided(passenger, surgeon, outcome=Status.CLEARED_WITH_RESTRICTIONS, **kwargs)


def in_status(status: str, passenger, surgeon) -> MedicalClearance:
    """A clearance in any status, reached through the services."""
    if status == Status.DRAFT:
        return draft(passenger)
    if status == Status.SUBMITTED:
        return submitted(passenger)
    if status == Status.UNDER_REVIEW:
        return under_review(passenger, surgeon)
    if status == Status.INFORMATION_REQUESTED:
        return services.clearance_request_information(
            clearance=under_review(passenger, surgeon), by=surgeon, message="Send your cardiologist's letter."
        )
    if status == Status.CLEARED:
        return decided(passenger, surgeon)
    if status == Status.CLEARED_WITH_RESTRICTIONS:
        return restricted(passenger, surgeon)
    if status == Status.NOT_CLEARED:
        return decided(passenger, surgeon, outcome=Status.NOT_CLEARED)
    if status == Status.EXPIRED:
        clearance = decided(passenger, surgeon)
        services.clearance_expire_due(now=timezone.now() + dt.timedelta(days=400))
        clearance.refresh_from_db()
        return clearance
    if status == Status.SUPERSEDED:
        first = decided(passenger, surgeon)
        decided(passenger, surgeon)
        first.refresh_from_db()
        return first
    raise ValueError(status)
