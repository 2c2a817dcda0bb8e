"""Canonical serialisation and SHA-256 of verification records and sign-offs.

The record document holds everything a director signs: the record's fields and revision, who or what
flew, every objective, every anomaly, and each attachment's SHA-256 (the file itself is checked against
that hash by `verify_signoffs`). The status is left out: it moves after signing (in review -> signed off).
The JSON is canonical: keys sorted, no spaces, UTF-8, children sorted by id, times in UTC with
microseconds, decimals as fixed-point strings. Anyone can recompute it from the database.

A sign-off's own hash covers its fields, the record hash and the previous sign-off's hash, so the
sign-offs form one chain: changing or removing any of them breaks every later link. These hashes are
unkeyed (anyone can recompute them); the keyed seal over each sign-off's hash is in signing.py.

Document versions: each sign-off stores the version of the canonical form its hashes use, inside its own
signed document, so a new form never voids an old signature. Version 1: the content. Version 2 (current):
also who entered and who last edited each part (the record's created_by and last_edited_by, each row's
entered_by and last_edited_by, each attachment's uploaded_by), so that separation of duties cannot be
undone afterwards by rewriting an author in the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from verification.signing import signoff_seal_problem

DOCUMENT_VERSION = 2
DOCUMENT_VERSIONS = (1, 2)


def current_document_version() -> int:
    """The version new sign-offs use (SignOff.document_version's default)."""
    return DOCUMENT_VERSION


def _time(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds") if value else None


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else format(Decimal(value), "f")


def canonical_json(document: dict) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _by_id(rows) -> list:
    return sorted(rows, key=lambda row: row.pk)


def record_document(record, *, version: int = DOCUMENT_VERSION) -> dict:
    """The record as signed in canonical form `version`. Uses prefetched children when present (see
    selectors.record_queryset)."""
    if version not in DOCUMENT_VERSIONS:
        raise ValueError(f"unknown document version {version}")

    def authors(row, *fields: str) -> dict:
        return {name: getattr(row, f"{name}_id") for name in fields} if version >= 2 else {}

    return {
        "document_version": version,
        "record": {
            "id": record.pk,
            "revision": record.revision,
            "flight_id": record.flight_id,
            "flight_code": record.flight.code,
            "vehicle_id": record.vehicle_id,
            "vehicle_serial": record.vehicle.serial,
            "kind": record.kind,
            "summary": record.summary,
            "launched_at": _time(record.launched_at),
            "landed_at": _time(record.landed_at),
            "apogee_km": _decimal(record.apogee_km),
            "peak_g_ascent": _decimal(record.peak_g_ascent),
            "peak_g_entry": _decimal(record.peak_g_entry),
            "landing_distance_m": _decimal(record.landing_distance_m),
            **authors(record, "created_by", "last_edited_by"),
        },
        "occupants": [
            {"id": o.pk, "name": o.name, "role": o.role, "is_test_dummy": o.is_test_dummy,
             **authors(o, "entered_by", "last_edited_by")}
            for o in _by_id(record.occupants.all())
        ],
        "objectives": [
            {
                "id": o.pk, "sequence": o.sequence, "description": o.description,
                "success_criterion": o.success_criterion, "measured_result": o.measured_result,
                "result": o.result, "flight_rationale": o.flight_rationale,
                **authors(o, "entered_by", "last_edited_by"),
            }
            for o in _by_id(record.objectives.all())
        ],
        "anomalies": [
            {
                "id": a.pk, "title": a.title, "severity": a.severity, "description": a.description,
                "root_cause": a.root_cause, "corrective_actions": a.corrective_actions,
                "disposition": a.disposition, "flight_rationale": a.flight_rationale,
                **authors(a, "entered_by", "last_edited_by"),
            }
            for a in _by_id(record.anomalies.all())
        ],
        "attachments": [
            {"id": a.pk, "kind": a.kind, "title": a.title, "sha256": a.sha256, "size_bytes": a.size_bytes,
             **authors(a, "uploaded_by")}
            for a in _by_id(record.attachments.all())
        ],
    }


def record_hash(record, *, version: int = DOCUMENT_VERSION) -> str:
    """The record's SHA-256 in canonical form `version`; for a version this code does not know (a stored
    version altered in the database), a text that no hash matches."""
    if version not in DOCUMENT_VERSIONS:
        return f"(unknown document version {version})"
    return sha256_hex(canonical_json(record_document(record, version=version)))


def signoff_document(signoff) -> dict:
    return {
        "document_version": signoff.document_version,
        "sequence": signoff.sequence,
        "record_id": signoff.record_id,
        "revision": signoff.revision,
        "signer_id": signoff.signer_id,
        "signer_name": signoff.signer_name,
        "signed_at": _time(signoff.signed_at),
        "meaning": signoff.meaning,
        "decision": signoff.decision,
        "comment": signoff.comment,
        "record_hash": signoff.record_hash,
        "previous_hash": signoff.previous_hash,
    }


def signoff_hash(signoff) -> str:
    return sha256_hex(canonical_json(signoff_document(signoff)))


@dataclass(frozen=True)
class SignOffCheck:
    """Whether a sign-off still stands, and if not, why (shown wherever the sign-off is)."""

    valid: bool
    problem: str = ""

    @property
    def label(self) -> str:
        return "Valid" if self.valid else "Void"


def check_signoff(signoff, *, current_record_hash: str, previous_hash: str | None = None) -> SignOffCheck:
    """A sign-off stands when not voided by a reopen, its own hash matches its contents, its keyed seal
    verifies, the record still hashes to what was signed (same revision), and, when the previous link is
    given, it follows it."""
    if signoff.voided_at is not None:
        return SignOffCheck(False, f"voided: {signoff.void_reason}")
    if signoff_hash(signoff) != signoff.signoff_hash:
        return SignOffCheck(False, "the signature's own contents were altered after signing")
    seal = signoff_seal_problem(signoff)
    if seal:
        return SignOffCheck(False, seal)
    if previous_hash is not None and signoff.previous_hash != previous_hash:
        return SignOffCheck(False, "the sign-off chain is broken before this signature")
    if signoff.record_hash != current_record_hash:
        return SignOffCheck(False, "the record was changed after it was signed")
    return SignOffCheck(True)
