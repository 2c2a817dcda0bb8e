"""Suite-wide fixtures and the CI rule: tests that need real services must run, never skip, in CI."""

from __future__ import annotations

import os

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from flights import roles

REAL_SERVICE_MARKERS = ("postgres", "redis", "worker", "browser")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped:
        needed = [m for m in REAL_SERVICE_MARKERS if item.get_closest_marker(m)]
        if needed:
            reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            report.outcome = "failed"
            report.longrepr = f"In CI this test needs {', '.join(needed)} and must run, but it was skipped: {reason}"


@pytest.fixture(autouse=True)
def _fast_and_eager(settings):
    """Cheap password hashing; Celery tasks run in-process unless a test starts a real worker."""
    from config.celery import app

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = eager


PASSWORD = "correct-horse-battery-42"


@pytest.fixture
def password() -> str:
    return PASSWORD


def make_user(django_user_model, username: str, role: str | None = None, *, staff: bool = False):
    user = django_user_model.objects.create(
        username=username,
        email=f"{username}@example.test",
        first_name=username.capitalize(),
        last_name="Tester",
        password=make_password(PASSWORD),
        is_staff=staff,
    )
    if role:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


@pytest.fixture
def passenger(db, django_user_model):
    return make_user(django_user_model, "pat", roles.PASSENGER)


@pytest.fixture
def other_passenger(db, django_user_model):
    return make_user(django_user_model, "quinn", roles.PASSENGER)


@pytest.fixture
def surgeon(db, django_user_model):
    return make_user(django_user_model, "sasha", roles.FLIGHT_SURGEON)


@pytest.fixture
def director(db, django_user_model):
    return make_user(django_user_model, "dana", roles.FLIGHT_DIRECTOR, staff=True)


@pytest.fixture
def other_director(db, django_user_model):
    return make_user(django_user_model, "drew", roles.FLIGHT_DIRECTOR, staff=True)


@pytest.fixture
def operations(db, django_user_model):
    return make_user(django_user_model, "olive", roles.OPERATIONS, staff=True)


def require_postgres():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://...")


def require_redis():
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs Redis: set REDIS_URL=redis://...")


@pytest.fixture
def flights_rules_only():
    """The flights app's own rules alone: guards and permits that other apps register (certification,
    medical, ...) are set aside for the test and put back after. Each app tests its own guards."""
    from flights import registry

    saved = []
    for value in vars(registry).values():
        for attribute in ("_guards", "_permits"):
            if isinstance(value, registry.GuardRegistry | registry.PermitRegistry) and hasattr(value, attribute):
                entries = getattr(value, attribute)
                saved.append((entries, list(entries)))
                entries.clear()
    yield
    for entries, original in saved:
        entries[:] = original
