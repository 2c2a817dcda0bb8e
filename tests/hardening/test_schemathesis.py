"""Schemathesis against the live schema, through the WSGI app, with every check it has (`--checks all`).

Every operation is called as operations staff and as a passenger, with generated valid input (positive) and
input that breaks the schema (negative), a few examples each with a fixed seed. What must never happen fails
the test: a 5xx, an error body that is not JSON in the error shape `{"code", "detail", "fields"}`, a status
code or content type the schema does not document, a body that does not match its schema. The other checks
(valid data refused by a rule, a missing header, auth tried without credentials, ...) are findings: they are
collected and printed (run with `-s`), and the README lists why each kind is expected.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis.checks import CHECKS, load_all_checks, not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.hardening.portal import load_demo

pytestmark = pytest.mark.django_db

EXAMPLES = {GenerationMode.POSITIVE: 3, GenerationMode.NEGATIVE: 2}
SEED = 20260822
ERROR_KEYS = {"code", "detail", "fields"}
MUST_PASS = {not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance}


@pytest.fixture(autouse=True)
def _no_throttling(monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    from config.throttling import DatabaseRateThrottle

    for throttle in (SimpleRateThrottle, DatabaseRateThrottle):  # DRF's (cache) and ours (config/throttling.py)
        monkeypatch.setattr(throttle, "allow_request", lambda self, request, view: True)


@pytest.fixture
def _connection_kept_open():
    # The WSGI handler closes the connection at the end of each request; the test's transaction needs it
    # open (Django's test Client disconnects the same receiver).
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def error_body_problem(response) -> str | None:
    """Why an error response is not the API's error body, or None when it is."""
    if response.status_code < 400:
        return None
    content_type = ",".join(response.headers.get("content-type", []))
    if not content_type.startswith("application/json"):
        return f"{response.status_code} answered {content_type or 'no content type'}, not JSON: {response.content[:120]!r}"
    try:
        body = json.loads(response.content)
    except ValueError:
        return f"{response.status_code} body is not JSON: {response.content[:120]!r}"
    if not isinstance(body, dict) or set(body) != ERROR_KEYS:
        return f"{response.status_code} body is not the error shape: {str(body)[:200]}"
    return None


@pytest.mark.usefixtures("_connection_kept_open")
def test_every_operation_survives_generated_input(django_capture_on_commit_callbacks):
    from config.wsgi import application

    load_all_checks()
    all_checks = CHECKS.get_all()
    assert {check.__name__ for check in MUST_PASS} < {check.__name__ for check in all_checks}
    users = load_demo(django_capture_on_commit_callbacks)
    tokens = {role: Token.objects.get_or_create(user=users[role])[0].key for role in ("ops", "passenger")}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50

    failures: list[str] = []
    findings: Counter = Counter()
    for operation in operations:
        for role, token in tokens.items():
            for mode, examples in EXAMPLES.items():
                try:
                    fuzz(operation, mode, examples, headers={"Authorization": f"Token {token}"}, checks=all_checks,
                         failures=failures, findings=findings, role=role)()
                except Unsatisfiable:
                    assert mode is GenerationMode.NEGATIVE, operation.label  # no input to break: nothing to send

    print("\nSchemathesis findings that are not failures (check, operation, role, first message): count")
    for (check, label, role, message), count in sorted(findings.items()):
        print(f"  {check} | {label} | {role} | {message}: {count}")
    assert failures == [], "\n\n".join(sorted(set(failures)))


def finding_message(exc, response, case) -> str:
    """What the check saw, in one line: its title, the status and error code, and what was sent."""
    first = exc.exceptions[0] if isinstance(exc, BaseExceptionGroup) else exc
    title = getattr(first, "title", None) or type(first).__name__
    answer = str(response.status_code)
    try:
        body = json.loads(response.content)
        answer += f" {body.get('code')} {list(body.get('fields') or {})[:3]}" if isinstance(body, dict) else ""
    except ValueError:
        pass
    sent = {key: value for key, value in (("query", case.query), ("path", case.path_parameters)) if value}
    return f"{title}: {answer} {str(sent)[:120]}"


def fuzz(operation, mode, examples, *, headers, checks, failures, findings, role):
    @seed(SEED)
    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        response = case.call(headers=headers)
        problem = error_body_problem(response)
        if problem is not None:
            failures.append(f"{role} {operation.label} ({mode.value}): {problem}")
        for check in checks:
            if mode is GenerationMode.NEGATIVE and check in (status_code_conformance, response_schema_conformance):
                continue  # input outside the schema may meet a refusal the schema does not list (e.g. 415)
            try:
                case.validate_response(response, checks=[check], headers=headers)
            except (Exception, BaseExceptionGroup) as exc:  # collect them all, report them together
                message = finding_message(exc, response, case)
                if check in MUST_PASS:
                    failures.append(f"{role} {operation.label} ({mode.value}) {check.__name__}: {str(exc)[:700]}")
                else:
                    findings[(check.__name__, operation.label, role, message)] += 1

    return run
