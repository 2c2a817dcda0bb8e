"""Loaded with `-p tests.pytest_env` before Django starts: the test run's own environment.

Tests keep their runtime files (SQLite test database, filesystem broker) apart from `make run`'s,
so a running demo worker never takes a test's tasks. Everything else comes from the real
environment: CI sets DATABASE_URL and REDIS_URL for PostgreSQL and Redis.
"""

import os
from pathlib import Path

os.environ.setdefault("DJANGO_VAR_DIR", str(Path(__file__).resolve().parent.parent / "var" / "test"))
os.environ.setdefault("EMAIL_URL", "locmem://")
os.environ.setdefault("THROTTLE_AUTH", "10000/min")
os.environ.setdefault("THROTTLE_BOOKING", "10000/min")
# Playwright's sync API runs an event loop in the test thread; Django would refuse ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
