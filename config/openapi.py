"""Every operation in the OpenAPI schema documents the API's error responses, with one Error component,
and carries examples: of its request body, of its success response and of each error response.

config/api.py gives every refusal the body {"code", "detail", "fields"}; this drf-spectacular
postprocessing hook adds the statuses any operation can answer with, where a view did not say more:
400 bad input, 401 missing or bad token, 403 not allowed, 404 not found (or another passenger's, or a
page past the end), 409 refused by a rule (writes), 429 throttled or locked out.

Examples live beside each app's API views (`<app>/api/examples.py`), built with the helpers below and
attached through the views' `extend_schema(examples=...)`. An error response a view names itself
(`error_responses(409)`) carries that view's own error examples (the seat is sold out, the record is
locked); every error response still without one gets a generic example here, the 400 one naming a
field of the operation's own input. tests/hardening/test_openapi_examples.py fails on an operation
without examples, and on any example its schema does not accept.
"""

from __future__ import annotations

import copy
import re

from drf_spectacular.openapi import AutoSchema as _SpectacularAutoSchema
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers

ERROR_COMPONENT = "Error"
ERROR_SCHEMA = {
    "type": "object",
    "description": "The one error body of the API.",
    "properties": {
        "code": {"type": "string", "description": "snake_case reason, e.g. not_found, seat_unavailable"},
        "detail": {"type": "string", "description": "A sentence for people."},
        "fields": {
            "type": "object",
            "description": "Messages by input field (400).",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["code", "detail", "fields"],
}
DESCRIPTIONS = {
    "400": "Invalid input; `fields` names the fields.",
    "401": "Not authenticated: send `Authorization: Token <token>`.",
    "403": "Authenticated, but not allowed: this role may not do this, a staff session has not passed the two-factor "
    "step (`two_factor_required`), or a passenger's email address is not verified yet (`email_not_verified`).",
    "404": "Not found (another passenger's records are not found either), or a page past the end.",
    "409": "Refused by a rule; `code` says which and `detail` why.",
    "429": "Throttled, or the account is locked after failed log-ins; see Retry-After.",
}
WRITES = {"post", "put", "patch", "delete"}


class ErrorSerializer(serializers.Serializer):
    """The one error body of the API (config/api.py)."""

    code = serializers.CharField(help_text="snake_case reason, e.g. not_found, sold_out")
    detail = serializers.CharField(help_text="A sentence for people.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), help_text="Messages by input field (400)."
    )


# --- Building examples (used by <app>/api/examples.py) ------------------------------------------------


def error_body(*, code: str, detail: str, fields: dict | None = None) -> dict:
    return {"code": code, "detail": detail, "fields": fields or {}}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """Error responses a view names itself, so that its own error examples attach to them."""
    return {status: OpenApiResponse(ErrorSerializer, description=DESCRIPTIONS[str(status)]) for status in statuses}


def request_example(name: str, value, *, description: str = "", media_type: str | None = None) -> OpenApiExample:
    return OpenApiExample(name, value=value, description=description, request_only=True, media_type=media_type)


def response_example(
    name: str, value, *, status: int = 200, description: str = "", media_type: str | None = None
) -> OpenApiExample:
    """A success response; on a list operation drf-spectacular wraps `value` (one item) in the page."""
    return OpenApiExample(
        name, value=value, description=description, response_only=True, status_codes=[str(status)], media_type=media_type
    )


def error_example(status: int, name: str, *, code: str, detail: str, fields: dict | None = None) -> OpenApiExample:
    """An error body the operation really answers with: its status, `code`, the service's message."""
    return OpenApiExample(
        name, value=error_body(code=code, detail=detail, fields=fields), response_only=True, status_codes=[str(status)]
    )


# --- The hook ------------------------------------------------------------------------------------------

GENERIC_ERRORS = {
    "401": ("Not authenticated", error_body(code="not_authenticated", detail="Authentication credentials were not provided.")),
    "403": ("Not allowed", error_body(code="permission_denied", detail="You do not have permission to perform this action.")),
    "404": ("Not found", error_body(code="not_found", detail="Not found.")),
    "409": ("Refused by a rule", error_body(
        code="conflict", detail="The request conflicts with the current state of the record; `code` names the rule.")),
    "429": ("Throttled", error_body(code="throttled", detail="Request was throttled. Expected available in 42 seconds.")),
}
# What DRF and django-filter say about a bad value, by the schema of the field or query parameter.
INVALID_MESSAGES = {
    "date": "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.",
    "date-time": "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].",
    "decimal": "A valid number is required.",
    "integer": "A valid integer is required.",
    "number": "A valid number is required.",
    "boolean": "Must be a valid boolean.",
    "array": 'Expected a list of items but got type "str".',
    "object": 'Expected a dictionary of items but got type "str".',
    "string": "This field may not be blank.",
}
FILTER_MESSAGES = {
    "date": "Enter a valid date.",
    "date-time": "Enter a valid date/time.",
    "integer": "Select a valid choice. That choice is not one of the available choices.",
    "enum": "Select a valid choice. unknown is not one of the available choices.",
}


def _resolve(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
    for key in ("allOf", "oneOf", "anyOf"):
        if schema.get(key) and "type" not in schema:
            return _resolve(schema[key][0], components)
    return schema


def _kind(schema: dict, components: dict) -> str:
    schema = _resolve(schema, components)
    if schema.get("type") == "array" and "enum" in _resolve(schema.get("items", {}), components):
        return "enum"
    if "enum" in schema:
        return "enum"
    return schema.get("format") if schema.get("format") in ("date", "date-time", "decimal") else schema.get("type", "")


def _invalid_field(name: str, message: str) -> dict:
    return error_body(code="invalid", detail=f"The request has invalid fields: {name}.", fields={name: [message]})


def invalid_input_example(operation: dict, components: dict) -> dict:
    """A 400 body naming one of the operation's own inputs: a required field left out, a bad value, a
    bad filter; an operation without input still documents the shape."""
    for media in operation.get("requestBody", {}).get("content", {}).values():
        body = _resolve(media.get("schema", {}), components)
        properties = body.get("properties", {})
        if body.get("required"):
            return _invalid_field(body["required"][0], "This field is required.")
        for name, schema in properties.items():
            if not schema.get("readOnly"):
                kind = _kind(schema, components)
                message = '"unknown" is not a valid choice.' if kind == "enum" else INVALID_MESSAGES.get(kind, "Invalid value.")
                return _invalid_field(name, message)
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "query" and parameter["name"] != "page":
            message = FILTER_MESSAGES.get(_kind(parameter.get("schema", {}), components))
            if message:
                return _invalid_field(parameter["name"], message)
    return error_body(code="invalid", detail="The request is not valid.")


def add_error_responses(result, generator, request, public):
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault(ERROR_COMPONENT, ERROR_SCHEMA)
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = ["400", "403", "404", "429"]
            if any(requirement for requirement in operation.get("security", [])):
                codes.append("401")
            if method in WRITES:
                codes.append("409")
            declared = {code for code in operation["responses"] if code in DESCRIPTIONS}  # a view's own, e.g. 409 on a GET
            for code in sorted(set(codes) | declared):
                response = operation["responses"].setdefault(code, {"description": DESCRIPTIONS[code]})
                content = response.setdefault("content", {})
                media = content.setdefault(
                    "application/json", {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}
                )
                if not media.get("examples"):
                    if code == "400":
                        summary, value = "Invalid input", invalid_input_example(operation, components)
                    else:
                        summary, value = GENERIC_ERRORS[code]
                    media["examples"] = {summary.title().replace(" ", ""): {"value": copy.deepcopy(value),
                                                                             "summary": summary}}
    return result


# --- Operation ids -------------------------------------------------------------------------------------

STANDARD_ACTIONS = {"list", "retrieve", "create", "update", "partial_update", "destroy"}
METHOD_SUFFIXES = {"put": "update", "patch": "update", "delete": "destroy", "post": "create"}


class AutoSchema(_SpectacularAutoSchema):
    """Operation ids that read as the call a generated client makes: `flights_hold`, `bookings_cancel`.

    The words are the path's (without `api`, the version and ids), then what the operation does:
    - a router's own action: `bookings_list`, `bookings_retrieve`, `verification_records_create`;
    - a custom action: its name, e.g. `bookings_cancel`, `polls_vote` (a POST to a plural name makes one
      thing, so `holds` reads `hold`); where one action answers GET and a write, GET keeps the plain name
      (`medical_clearances_examinations`) and the write reads as a verb (`..._examination`, `..._update`);
      an extra method mapped to another function takes that function's name (`flights_compute_launch_windows`);
    - a plain view: the path (`auth_token`), with `_retrieve`/`_list`/`_update`/... when the path answers
      several methods (`me_retrieve`, `me_update`).
    `extend_schema(operation_id=...)` still wins where a view says more.
    """

    def get_operation_id(self):
        method = self.method.lower()
        tokens = [token.replace("-", "_") for token in self._tokenize_path()]
        tokens = [token for token in tokens if token != "api" and not re.fullmatch(r"v\d+", token)]
        action = getattr(self.view, "action", None)
        if action is None:
            methods = [m for m in self.view.http_method_names if m not in ("head", "options") and hasattr(self.view, m)]
            if len(methods) > 1:
                tokens.append("list" if method == "get" and self._is_list_view() else METHOD_SUFFIXES.get(method, "retrieve"))
            return "_".join(tokens or ["root"])
        if action in STANDARD_ACTIONS:
            return "_".join([*tokens, action])
        extra = self._extra_action()
        if extra is not None:
            url_tokens = extra.url_path.replace("-", "_").split("/")
            if tokens[-len(url_tokens):] == url_tokens:
                tokens = tokens[: -len(url_tokens)]
        name = action
        if extra is not None and extra.__name__ == action and method != "get":
            several = len({m for m in extra.mapping if m not in ("head", "options")}) > 1
            if name.endswith("s") and not name.endswith("ss") and method == "post":
                name = name[:-1]
            elif several:
                name = f"{name}_{METHOD_SUFFIXES.get(method, method)}"
        return "_".join([*tokens, name])

    def _extra_action(self):
        """The @action behind this operation (the one whose mapping holds this method's function)."""
        get_extra_actions = getattr(self.view, "get_extra_actions", None)
        if get_extra_actions is None:
            return None
        for extra in get_extra_actions():
            if self.view.action in extra.mapping.values():
                return extra
        return None
