"""Sending a task from a request without needing the broker (issue 11: nothing in a request needs Redis).

A web request commits its change first; only then is a task sent, and a broker that is down (or slow)
is logged, never raised: the beat sweeps pick the work up from the database later (the outbox's
send-notifications, the stale-job requeue, the countdown sweep).

`dispatch_unless_pending` sends a wake-up only when none is already waiting for a worker (a flag in the
broker's Redis, which the task clears with `pending_taken` before its work); see flights.tasks.send_notifications.
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
    if _backing_off():
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


def _backing_off() -> bool:
    return _broker_failed_at is not None and time.monotonic() - _broker_failed_at < BROKER_BACKOFF_S


# The flag's Redis is the broker's: one client per process, made on first use (after a web server forks), with
# timeouts short enough that a Redis that does not answer costs a request well under a second.
FLAG_TIMEOUT_S = 0.5
_flag_client: tuple[str, object] | None = None


def _flag_redis():
    """This process's client for the broker's Redis, or None when tasks do not go through a Redis queue (the
    filesystem broker without REDIS_URL, or tasks run in-process): then there is no queue to wait in."""
    global _flag_client
    from config.celery import app

    url = app.conf.broker_url or ""
    if app.conf.task_always_eager or not url.startswith(("redis://", "rediss://")):
        return None
    if _flag_client is None or _flag_client[0] != url:
        import redis

        _flag_client = (url, redis.Redis.from_url(url, socket_connect_timeout=FLAG_TIMEOUT_S, socket_timeout=FLAG_TIMEOUT_S))
    return _flag_client[1]


def dispatch_unless_pending(task, *, flag: str, seconds: int) -> bool:
    """`dispatch_safely(task)`, unless one sent less than `seconds` ago still waits for a worker to take it.

    The process whose `SET flag NX EX seconds` succeeds sends the task; one that finds the flag set sends
    nothing. True when a task is on its way (sent now or before). Fails open toward sending: with no Redis
    queue, `seconds` 0, or a flag Redis cannot set, every call sends as `dispatch_safely` does (and skips, as
    it does, for a few seconds after the broker refused). A send that fails deletes the flag again, best
    effort, so the next call tries; the flag's expiry bounds the rest and the beat's sweep does the work.
    """
    client = _flag_redis() if seconds > 0 and not _backing_off() else None
    if client is None:
        return dispatch_safely(task)
    try:
        if not client.set(flag, "1", nx=True, ex=seconds):
            return True  # a wake-up is pending: the task will see whatever committed before it clears the flag
    except Exception:
        logger.warning("Could not set %s in Redis; sending task %s anyway.", flag, getattr(task, "name", task),
                       exc_info=True)
        return dispatch_safely(task)
    if dispatch_safely(task):
        return True
    _delete_flag(client, flag)
    return False


def pending_taken(flag: str) -> None:
    """A task sent by `dispatch_unless_pending` starts: clear its flag so the next change sends a new one."""
    client = _flag_redis()
    if client is not None:
        _delete_flag(client, flag)


def _delete_flag(client, flag: str) -> None:
    try:
        client.delete(flag)
    except Exception:  # Redis is down: the flag expires by itself and the beat's sweep covers the wait
        logger.warning("Could not delete %s in Redis; it expires by itself.", flag, exc_info=True)


def dispatch_after_commit(task, *args, **kwargs) -> None:
    """Send the task once the surrounding transaction commits (nothing for a rolled-back change)."""
    transaction.on_commit(partial(dispatch_safely, task, *args, **kwargs))
