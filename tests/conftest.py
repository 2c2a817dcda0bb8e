"""Suite-wide fixtures and the CI rule: tests that need real services must run, never skip, in CI."""

from __future__ import annotations

import contextlib
import os

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from flights import roles

pytest_plugins = ["tests.workers", "tests.s3"]  # s3_storage: uploads to a moto S3 server; start_worker / celery_worker_process for any test that needs a real worker

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


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """`make mutate`: mutmut runs each mutant's tests in a process of its own, several at once. Each gets its
    own test database, a copy of the one the clean run migrated and kept (`--reuse-db`), so parallel runs
    never share one and none pays for the migrations again. Other runs are untouched."""
    if "__mutmut_" not in os.environ.get("MUTANT_UNDER_TEST", ""):
        yield
        return
    import shutil

    from django.conf import settings

    copies = []
    for db in settings.DATABASES.values():
        test = db.setdefault("TEST", {})
        suffix = f"mutant{os.getpid()}"
        if db["ENGINE"] == "django.db.backends.sqlite3" and test.get("NAME"):
            template, copy = test["NAME"], f"{test['NAME']}.{suffix}"
            for ending in ("", "-wal", "-shm"):
                if os.path.exists(template + ending):
                    shutil.copyfile(template + ending, copy + ending)
                    copies.append(copy + ending)
            test["NAME"] = copy
        elif db["ENGINE"] != "django.db.backends.sqlite3":
            test["NAME"] = f"{test.get('NAME') or 'test_' + db['NAME']}_{suffix}"
    if copies:
        # The copy is of a database the clean run migrated: use it as it is. Checking the migrations again
        # (migrate, post_migrate) would cost each mutant about a second, most of the run's time.
        from django.db.backends.base.creation import BaseDatabaseCreation

        def use_the_migrated_copy(self, verbosity=1, autoclobber=False, serialize=True, keepdb=False):
            name = self._get_test_db_name()
            self.connection.close()
            settings.DATABASES[self.connection.alias]["NAME"] = self.connection.settings_dict["NAME"] = name
            return name

        BaseDatabaseCreation.create_test_db = use_the_migrated_copy
    yield
    for path in copies:
        with contextlib.suppress(OSError):
            os.remove(path)


@pytest.fixture(autouse=True)
def _fast_and_eager(settings):
    """Cheap password hashing; Celery tasks run in-process unless a test starts a real worker."""
    from celery._state import _set_task_join_will_block

    from config.celery import app
    from flights import dispatch
    from verification import selectors

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    dispatch._broker_failed_at = None  # a test's broker outage does not carry over to the next test
    selectors.forget_certification_answers()  # none outlives the code (a mutant) or settings it was computed with
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = eager
    # An eager .delay() sets Celery's process-wide "a join would block" flag and puts back what it found; two
    # threads doing so at once (tests/tourism/test_races.py) can leave it set, and every later result.get() in
    # this process (tests/integration with a real worker) then refuses: "Never call result.get() within a task!".
    _set_task_join_will_block(False)


@pytest.fixture(autouse=True)
def _launch_day_guards(request):
    """Liftoff needs a computed window and an all-GO poll. Tests that fly a flight only to build a
    record (flights flown, a booking flown) skip those two guards; launch-day tests, marked
    `launch_guards`, keep them."""
    if request.node.get_closest_marker("launch_guards"):
        yield
        return
    from flights import poll, registry

    guards = (poll.require_clear_window, poll.require_go_poll)
    for guard in guards:
        registry.launch_guards.unregister(guard)
    try:
        yield
    finally:
        for guard in guards:
            registry.launch_guards.register(guard)


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
    # Everyone followed the emailed verification link long ago (tests/tourism/test_email_verification.py
    # covers those who have not): passengers can book.
    from tourism.services.email_verification import email_verification_mark_verified

    email_verification_mark_verified(user=user)
    return user


@pytest.fixture
def passenger(db, django_user_model):
    return make_user(django_user_model, "pat", roles.PASSENGER)


@pytest.fixture
def other_passenger(db, django_user_model):
    return make_user(django_user_model, "quinn", roles.PASSENGER)


@pytest.fixture
def pax(passenger):
    """The suite's `passenger` user with a passenger profile (legal name "Pat Q. Tester")."""
    from tests.tourism.factories import PassengerProfileFactory

    PassengerProfileFactory(user=passenger, legal_name="Pat Q. Tester")
    return passenger


@pytest.fixture
def other_pax(other_passenger):
    from tests.tourism.factories import PassengerProfileFactory

    PassengerProfileFactory(user=other_passenger, legal_name="Quinn R. Tester")
    return other_passenger


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


@contextlib.contextmanager
def only_rules_of(*apps: str):
    """Only the rules the flights app and `apps` register: guards, permits and readiness checks that
    other apps register (certification, medical, ...) are set aside, and put back after. Each app's
    unit tests test its own rules; tests/integration and tests/e2e run with every app's rules."""
    from flights import readiness, registry

    prefixes = ("flights.", *(f"{app}." for app in apps))

    def own(entry) -> bool:
        return getattr(entry, "__module__", "").startswith(prefixes)

    saved = []
    for value in vars(registry).values():
        for attribute in ("_guards", "_permits"):
            if isinstance(value, registry.GuardRegistry | registry.PermitRegistry) and hasattr(value, attribute):
                entries = getattr(value, attribute)
                saved.append((entries, list(entries)))
                entries[:] = [entry for entry in entries if own(entry)]
    checks = readiness.registry._checks
    saved_checks = dict(checks)
    for name, check in saved_checks.items():
        if not own(check):
            del checks[name]
    try:
        yield
    finally:
        for entries, original in saved:
            entries[:] = original
        checks.clear()
        checks.update(saved_checks)


@pytest.fixture
def flights_rules_only():
    with only_rules_of():
        yield


@pytest.fixture
def deliver_outbox():
    """The outbox's sender as a worker runs it: `deliver_outbox()` sends every due message and returns how
    many it sent. Emails are counted after it runs (services only write outbox rows)."""
    from flights.notifications import notifications_send

    return notifications_send
