"""Every write to verification evidence: one function per change (records, sign-offs, mishaps)."""

from verification.services.mishaps import corrective_action_add, corrective_action_close, mishap_declare
from verification.services.records import (
    anomaly_add,
    anomaly_update,
    attachment_add,
    objective_add,
    objective_update,
    occupant_add,
    occupant_update,
    verification_mark_flown,
    verification_record_create,
    verification_record_update,
    verification_submit_for_review,
)
from verification.services.signoffs import (
    content_authors,
    default_meaning,
    signing_refusal,
    signoffs_seal_legacy,
    verification_reopen,
    verification_sign_off,
)

__all__ = [
    "anomaly_add",
    "anomaly_update",
    "attachment_add",
    "content_authors",
    "corrective_action_add",
    "corrective_action_close",
    "default_meaning",
    "mishap_declare",
    "objective_add",
    "objective_update",
    "occupant_add",
    "occupant_update",
    "signing_refusal",
    "signoffs_seal_legacy",
    "verification_mark_flown",
    "verification_record_create",
    "verification_record_update",
    "verification_reopen",
    "verification_sign_off",
    "verification_submit_for_review",
]
