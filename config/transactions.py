"""After-commit work that must run once per transaction, however many changes in it ask for it."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection, transaction


def on_commit_once(callback: Callable[[], None], *, robust: bool = False) -> None:
    """`transaction.on_commit(callback)` unless the open transaction already has it: a change that saves many
    rows (or queues many messages) runs the callback once after commit. Outside a transaction it runs now.

    A callback registered inside a savepoint that is rolled back is dropped with it, so a later request in the
    outer transaction registers it again."""
    pending = getattr(connection, "run_on_commit", ())
    if not any(registered is callback for _, registered, _ in pending):
        transaction.on_commit(callback, robust=robust)
