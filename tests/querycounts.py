"""Query counts that do not grow with rows (Zulip's assert_database_query_count, NetBox's query_counts).

A logged-in page's count includes the two-factor check (accounts.middleware): the account's roles (one
query, reused by views that check roles) and, for a staff session, the device that verified it (one).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(fetch: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as context:
        response = fetch()
    status = getattr(response, "status_code", 200)
    assert status == 200, f"expected 200, got {status}"
    return len(context.captured_queries)


def assert_flat_queries(fetch: Callable[[], object], add_rows: Callable[[int], object], *, expected: int) -> None:
    """The page costs `expected` queries with one row, and exactly as many with fifty."""
    add_rows(1)
    with_one = count_queries(fetch)
    add_rows(49)
    with_fifty = count_queries(fetch)
    assert with_one == expected, f"{with_one} queries with 1 row, expected {expected}"
    assert with_fifty == with_one, f"queries grew with rows: {with_one} for 1 row, {with_fifty} for 50"
