"""Sending a task from a request without needing the broker (issue 11: nothing in a request needs Redis).

A web request commits its change first; only then is a task sent, and a broker that is down (or slow)
is logged, never raised: the beat sweeps pick the work up from the database later (the outbox's
send-notifications, the stale-job requeue, the countdown sweep).
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction

logger = logging.getLogger(__name__)


def dispatch_safely(task, *args, **kwargs) -> bool:
    """`task.delay(*args, **kwargs)`, logged instead of raised when the broker cannot take it."""
    try:
        task.delay(*args, **kwargs)
    except Exception:
        logger.warning(
            "Could not send task %s%s to the broker; the periodic sweep will pick the work up.",
            getattr(task, "name", task), args or "", exc_info=True,
        )
        return False
    return True


def dispatch_after_commit(task, *args, **kwargs) -> None:
    """Send the task once the surrounding transaction commits (nothing for a rolled-back change)."""
    transaction.on_commit(partial(dispatch_safely, task, *args, **kwargs))
