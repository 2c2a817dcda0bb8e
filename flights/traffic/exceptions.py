"""Refusals of the space traffic services (mapped to the API's error body by config/api.py)."""

from __future__ import annotations

from flights.exceptions import DomainError, InvalidInput, NotAllowed

__all__ = ["CdmRefused", "DomainError", "DuplicateMessage", "ExportRefused", "InvalidInput", "NotAllowed"]


class CdmRefused(InvalidInput):
    """The CDM is malformed (line and field named) or names no protected object of ours."""

    code = "cdm_invalid"


class DuplicateMessage(DomainError):
    code = "cdm_duplicate"


class ExportRefused(DomainError):
    code = "cdm_export_refused"
