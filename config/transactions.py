"""After-commit work that must run once per transaction, however many changes in it ask for it."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection, transaction


class _Once:
    """One change's registration of the callback. The registrations of one transaction share a cell: the first
    to run does the work, the others return at once. (A single registration would do after a real commit, but
    a test's captured callbacks run only those registered inside the capture, and stay listed after they ran.)"""

    def __init__(self, callback: Callable[[], None], shared: dict):
        self.callback, self.shared = callback, shared
        self.__qualname__ = getattr(callback, "__qualname__", repr(callback))  # Django names it when it fails

    def __call__(self) -> None:
        if not self.shared["ran"]:
            self.shared["ran"] = True
            self.callback()


def on_commit_once(callback: Callable[[], None], *, robust: bool = False) -> None:
    """`transaction.on_commit(callback)`, run once after commit however many changes of the transaction ask
    for it (a change that saves many rows or queues many messages). Outside a transaction it runs now.

    A registration inside a savepoint that is rolled back is dropped with it; the others still run it."""
    pending = getattr(connection, "run_on_commit", ())
    shared = next((registered.shared for _, registered, _ in pending if isinstance(registered, _Once)
                   and registered.callback is callback and not registered.shared["ran"]), None)
    transaction.on_commit(_Once(callback, shared if shared is not None else {"ran": False}), robust=robust)
