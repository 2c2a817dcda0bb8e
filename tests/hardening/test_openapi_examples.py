"""Every operation in the schema carries examples, and every example is one its own schema accepts.

An endpoint added without examples (of its request body and its success response) fails here by
name; examples live in `<app>/api/examples.py` and attach through the view's `extend_schema`. Error
responses get a generic example from config/openapi.py unless the view names its own.
"""

from __future__ import annotations

import copy

import pytest
from drf_spectacular.generators import SchemaGenerator
from jsonschema import Draft4Validator, Draft7Validator

SUCCESS = ("200", "201", "202", "204")


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path} ({operation['operationId']})", operation


def examples_of(media: dict) -> list:
    examples = [example["value"] for example in media.get("examples", {}).values() if "value" in example]
    return examples + ([media["example"]] if "example" in media else [])


def test_every_operation_has_examples_of_its_request_body_and_success_response(schema):
    missing = []
    for name, operation in operations(schema):
        body = operation.get("requestBody", {}).get("content", {})
        if body and not any(examples_of(media) for media in body.values()):
            missing.append(f"{name}: no example of its request body ({', '.join(body)})")
        for status, response in operation["responses"].items():
            content = response.get("content", {})
            if status in SUCCESS and content and not any(examples_of(media) for media in content.values()):
                missing.append(f"{name}: no example of its {status} response")
            if status not in SUCCESS and not any(examples_of(media) for media in content.values()):
                missing.append(f"{name}: no example of its {status} error body")
    assert not missing, (
        "Operations without examples; add them to the app's api/examples.py and the view's extend_schema:\n"
        + "\n".join(missing)
    )


def json_schema(node):
    """OpenAPI 3.0's schema dialect as JSON Schema: `nullable: true` becomes a null alternative."""
    if isinstance(node, list):
        return [json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        if "enum" in node and None not in node["enum"]:
            node["enum"] = [*node["enum"], None]
        if isinstance(node.get("type"), str):
            node["type"] = [node["type"], "null"]
        elif "type" not in node:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


def test_every_example_matches_its_schema(schema):
    components = {"components": {"schemas": json_schema(copy.deepcopy(schema["components"]["schemas"]))}}
    checked, wrong = 0, []
    for name, operation in operations(schema):
        places = [("request body", media_type, media)
                  for media_type, media in operation.get("requestBody", {}).get("content", {}).items()]
        places += [(f"{status} response", media_type, media)
                   for status, response in operation["responses"].items()
                   for media_type, media in response.get("content", {}).items()]
        for place, media_type, media in places:
            validator = Draft4Validator({**json_schema(media.get("schema", {})), **components},
                                        format_checker=Draft7Validator.FORMAT_CHECKER)
            for example_name, example in media.get("examples", {}).items():
                checked += 1
                for error in validator.iter_errors(example.get("value")):
                    where = "/".join(str(part) for part in error.absolute_path) or "(the body)"
                    wrong.append(f"{name}, {place} ({media_type}) example {example_name!r} at {where}: {error.message}")
    assert checked > 200
    assert not wrong, "Examples their own schema refuses:\n" + "\n".join(wrong)


def test_the_check_refuses_an_example_its_schema_does_not_accept(schema):
    components = {"components": {"schemas": json_schema(copy.deepcopy(schema["components"]["schemas"]))}}
    booking = Draft4Validator({"$ref": "#/components/schemas/Booking", **components})
    held = schema["paths"]["/api/v1/flights/{id}/holds/"]["post"]["responses"]["201"]["content"]["application/json"]
    example = next(iter(held["examples"].values()))["value"]
    assert example["consent_signed_at"] is None and not list(booking.iter_errors(example))  # nullable understood
    assert list(booking.iter_errors({**example, "status": "boarding"}))
    assert list(booking.iter_errors({key: value for key, value in example.items() if key != "seat_number"}))


def test_error_examples_have_the_one_error_body(schema):
    for name, operation in operations(schema):
        for status, response in operation["responses"].items():
            if status in SUCCESS:
                continue
            for example in response["content"]["application/json"]["examples"].values():
                assert set(example["value"]) == {"code", "detail", "fields"}, (name, status, example)
                assert example["value"]["detail"].endswith((".", ")")), (name, status, example)


def test_views_name_their_own_refusals(schema):
    """A rule's refusal an operation really answers with, not only the generic one."""
    paths = schema["paths"]

    def codes(path, method, status):
        return {e["value"]["code"] for e in paths[path][method]["responses"][status]["content"]["application/json"]["examples"].values()}

    assert {"sold_out", "already_booked"} <= codes("/api/v1/flights/{id}/holds/", "post", "409")
    assert {"record_changed_since_review", "sign_off_refused"} <= codes(
        "/api/v1/verification/records/{id}/sign-off/", "post", "409"
    )
    assert "wrong_password" in codes("/api/v1/verification/records/{id}/sign-off/", "post", "400")
    assert "invalid_transition" in codes("/api/v1/medical/clearances/{id}/decide/", "post", "409")
    # a filter's bad value, on a list that has filters
    bad_filter = paths["/api/v1/bookings/"]["get"]["responses"]["400"]["content"]["application/json"]["examples"]
    assert any(e["value"]["fields"] for e in bad_filter.values())
