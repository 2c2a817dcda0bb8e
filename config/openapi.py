"""Every operation in the OpenAPI schema documents the API's error responses, with one Error component.

config/api.py gives every refusal the body {"code", "detail", "fields"}; this drf-spectacular
postprocessing hook adds the statuses any operation can answer with, where a view did not say more:
400 bad input, 401 missing or bad token, 403 not allowed, 404 not found (or another passenger's, or a
page past the end), 409 refused by a rule (writes), 429 throttled or locked out.
"""

from __future__ import annotations

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


def add_error_responses(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(ERROR_COMPONENT, ERROR_SCHEMA)
    content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = ["400", "403", "404", "429"]
            if any(requirement for requirement in operation.get("security", [])):
                codes.append("401")
            if method in WRITES:
                codes.append("409")
            for code in sorted(codes):
                response = operation["responses"].setdefault(code, {"description": DESCRIPTIONS[code]})
                response.setdefault("content", content)
    return result
