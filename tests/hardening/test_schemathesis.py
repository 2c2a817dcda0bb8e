"""Schemathesis against the live schema, through the WSGI app: a few examples per operation, fixed seed.

Every operation is called as operations staff and as a passenger, with generated (valid) input. Nothing
may answer 5xx, and every response must be one the schema documents, in the shape it documents.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from tests.hardening.portal import load_demo

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 5
SEED = 20260822
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture(autouse=True)
def _no_throttling(monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "allow_request", lambda self, request, view: True)


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


@pytest.mark.usefixtures("_connection_kept_open")
def test_every_operation_survives_generated_input(django_capture_on_commit_callbacks):
    from config.wsgi import application

    users = load_demo(django_capture_on_commit_callbacks)
    tokens = {role: Token.objects.get_or_create(user=users[role])[0].key for role in ("ops", "passenger")}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50
    for operation in operations:
        for role, token in tokens.items():
            try:
                fuzz(operation, headers={"Authorization": f"Token {token}"})()
            except (Exception, BaseExceptionGroup) as exc:  # collect them all, report them together
                failures.append(f"{role} {operation.label}: {str(exc)[:700]}")
    assert failures == [], "\n\n".join(failures)


def fuzz(operation, *, headers: dict):
    @seed(SEED)
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    return run
