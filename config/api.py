"""One error body for the whole API: {"code": "...", "detail": "...", "fields": {...}}.

Every refusal, whether DRF's own (validation, authentication, permission, throttling, not found)
or a domain rule from a service, reaches the client in this shape with the matching status code.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from flights.exceptions import DomainError

_CODES_BY_STATUS = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "throttled",
}


def _flatten(detail) -> list[str]:
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _flatten(value)]
    if isinstance(detail, list):
        return [message for item in detail for message in _flatten(item)]
    return [str(detail)]


def _field_errors(detail) -> dict[str, list[str]]:
    if not isinstance(detail, dict):
        return {}
    return {str(field): _flatten(messages) for field, messages in detail.items()}


def error_body(*, code: str, detail: str, fields: dict | None = None) -> dict:
    return {"code": code, "detail": detail, "fields": fields or {}}


def _locked_out_response(request) -> Response | None:
    """django-axes refused a locked username+address (it marks the request): say so, not "bad password"."""
    if not getattr(request, "axes_locked_out", False):
        return None
    from django.conf import settings

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    response = Response(
        error_body(
            code="account_locked",
            detail=f"Too many failed log-ins for this account from this address: it is locked for {minutes} minutes.",
        ),
        status=status.HTTP_429_TOO_MANY_REQUESTS,
    )
    response["Retry-After"] = str(minutes * 60)
    return response


def exception_handler(exc, context):
    locked = _locked_out_response(context.get("request"))
    if locked is not None:
        return locked
    if isinstance(exc, DomainError):
        response = Response(
            error_body(code=exc.code, detail=exc.message, fields=exc.fields),
            status=exc.status_code,
        )
        retry_after_s = getattr(exc, "retry_after_s", None)
        if retry_after_s is not None:
            response["Retry-After"] = str(retry_after_s)
        return response
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        messages = exc.messages
        exc = exceptions.ValidationError(fields or messages)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: let Django log it and answer 500

    if isinstance(exc, exceptions.ValidationError):
        fields = _field_errors(exc.detail)
        non_field = fields.pop("non_field_errors", [])
        if not isinstance(exc.detail, dict):
            non_field = _flatten(exc.detail)
        detail = " ".join(non_field) or "The request has invalid fields: " + ", ".join(sorted(fields)) + "."
        response.data = error_body(code="invalid", detail=detail, fields=fields)
        return response

    code = getattr(exc, "default_code", None) or _CODES_BY_STATUS.get(response.status_code, "error")
    if isinstance(exc.detail, dict | list):
        detail = " ".join(_flatten(exc.detail))
        code = _CODES_BY_STATUS.get(response.status_code, code)
    else:
        detail = str(exc.detail)
        code = getattr(exc.detail, "code", None) or code
    if response.status_code == status.HTTP_401_UNAUTHORIZED:
        code = "not_authenticated"
    response.data = error_body(code=code, detail=detail)
    return response
