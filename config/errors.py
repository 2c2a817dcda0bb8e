"""Errors outside a DRF view: Django's own 400/403/404/500 and the request-size guard.

Under `/api/` every answer carries the API's one error body `{"code", "detail", "fields"}` (config/api.py),
whatever raised it: a URL the router does not match, a view that crashed, a body over the size limit.
Portal paths keep HTML pages (templates/400.html, 403.html, 404.html, 500.html, styled by the portal),
rendered by Django's default views, which never show debug details.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, JsonResponse
from django.views import defaults

from config.api import error_body

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def api_error(status: int, *, code: str, detail: str, fields: dict | None = None) -> JsonResponse:
    return JsonResponse(error_body(code=code, detail=detail, fields=fields), status=status)


def too_large(limit_bytes: int) -> JsonResponse:
    return api_error(
        413, code="too_large",
        detail=f"The request body is larger than this endpoint accepts ({_megabytes(limit_bytes)}).",
    )


def _megabytes(size_bytes: int) -> str:
    return f"{size_bytes / (1024 * 1024):.3g} MB"


def handler400(request, exception=None, *args, **kwargs):
    if isinstance(exception, RequestDataTooBig | TooManyFieldsSent):
        if is_api_request(request):
            return too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    elif is_api_request(request):
        return api_error(400, code="bad_request", detail="The request could not be understood.")
    return defaults.bad_request(request, exception)


def handler403(request, exception=None, *args, **kwargs):
    if is_api_request(request):
        return api_error(403, code="permission_denied", detail="You do not have permission to perform this action.")
    return defaults.permission_denied(request, exception)


def handler404(request, exception=None, *args, **kwargs):
    if is_api_request(request):
        return api_error(404, code="not_found", detail=f"No API endpoint or record answers {request.path}.")
    return defaults.page_not_found(request, exception)


def handler500(request, *args, **kwargs):
    # Django has logged the exception with its traceback (django.request) before calling this.
    if is_api_request(request):
        return api_error(
            500, code="server_error",
            detail="The server failed to answer this request. Nothing was changed unless a later read shows it; "
            "the error is logged for operations.",
        )
    return defaults.server_error(request)


class ApiBodyLimitMiddleware:
    """Refuse an API request whose declared body is over the limit before anything reads it (413).

    JSON bodies may be at most API_MAX_JSON_BYTES; multipart bodies (file uploads) at most
    API_MAX_UPLOAD_BYTES. Django itself refuses form data over DATA_UPLOAD_MAX_MEMORY_SIZE with a 400,
    which handler400 turns into the same 413 for API paths. Goes first in MIDDLEWARE.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_api_request(request):
            refusal = self._refusal(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    def _refusal(self, request) -> JsonResponse | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return api_error(400, code="bad_request", detail="Content-Length is not a number.")
        multipart = request.content_type == "multipart/form-data"
        limit = settings.API_MAX_UPLOAD_BYTES if multipart else settings.API_MAX_JSON_BYTES
        if length > limit:
            logger.info("Refused a %s-byte body to %s (limit %s)", length, request.path, limit)
            return too_large(limit)
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return api_error(
                    400, code="invalid_text", detail="A query parameter holds a NUL character, which no field accepts.",
                    fields={name.replace("\x00", ""): ["NUL characters are not allowed."]},
                )
        return None
