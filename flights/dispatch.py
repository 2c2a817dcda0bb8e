"""Sending a task from a request without needing the broker (issue 11: nothing in a request needs Redis).

A web request commits its change first; only then is a task sent, and a broker that is down (or slow)
is logged, never raised: the beat sweeps pick the work up from the database later (the outbox's
send-notifications, the stale-job requeue, the countdown sweep).
"""

from __future__ import annotations

import logging
import time
from functools import partial

from django.db import transaction

logger = logging.getLogger(__name__)


# After the broker refused a task, others from this process are not tried for this long: a request that
# queues many messages (a scrub tells every passenger) waits for one broker timeout, not one per message.
BROKER_BACKOFF_S = 10.0
_broker_failed_at: float | None = None


def dispatch_safely(task, *args, **kwargs) -> bool:
    """`task.delay(*args, **kwargs)`, logged instead of raised when the broker cannot take it."""
    global _broker_failed_at
    name = getattr(task, "name", task)
    if _broker_failed_at is not None and time.monotonic() - _broker_failed_at < BROKER_BACKOFF_S:
        logger.warning("Broker unavailable a moment ago: task %s%s not sent; the periodic sweep will pick it up.",
                       name, args or "")
        return False
    try:
        task.delay(*args, **kwargs)
    except Exception:
        _broker_failed_at = time.monotonic()
        logger.warning(
            "Could not send task %s%s to the broker; the periodic sweep will pick the work up.", name, args or "",
            exc_info=True,
        )
        return False
    _broker_failed_at = None
    return True


def dispatch_after_commit(task, *args, **kwargs) -> None:
    """Send the task once the surrounding transaction commits (nothing for a rolled-back change)."""
    transaction.on_commit(partial(dispatch_safely, task, *args, **kwargs))
