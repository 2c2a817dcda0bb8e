"""The outbox's debounced wake-up against a Redis of the test's own: publishes counted in the Celery queue list
(`LLEN celery`, no worker) or by a real worker's deliveries, never by mocking the code under test.

- While a wake-up is pending (its flag set), further commits publish nothing; once the sender has taken the
  flag, the next commit publishes again. One wake-up per transaction, however many messages it queues.
- A message committed while the sender drains is delivered by the next wake-up (the task clears the flag
  before it reads), not left for the beat.
- A flag Redis refuses or cannot be reached: the wake-up is published (or tried) anyway, the request succeeds.
- A publish that fails after the flag was set clears the flag, so the next message tries again.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time

import pytest
import redis
from django.db import transaction
from rest_framework.test import APIClient

from flights import dispatch
from flights.notifications import WAKE_UP_FLAG, notification_queue
from flights.tasks import send_notifications
from tests.integration.faults import CountingSmtp, OwnRedis, started, wait_for, worker_env
from tests.workers import app_broker_at

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(180)]


def admin(redis_server: OwnRedis) -> redis.Redis:
    return redis.Redis(host="127.0.0.1", port=redis_server.port, socket_timeout=2)


def published(redis_server: OwnRedis) -> int:
    """Tasks waiting in the Celery queue: each publish pushes one (no worker takes them here)."""
    return admin(redis_server).llen("celery")


def commit_message(key: str) -> None:
    with transaction.atomic():
        notification_queue(dedupe_key=key, recipient=f"{key}@example.test", subject=f"Message {key}", body="Hello.")


def restricted_broker(redis_server: OwnRedis, *rules: str) -> str:
    """The broker's URL as a Redis user allowed everything but `rules` take away (e.g. `-set`)."""
    admin(redis_server).execute_command("ACL", "SETUSER", "web", "reset", "on", ">secret", "~*", "&*", "+@all", *rules)
    return f"redis://web:secret@127.0.0.1:{redis_server.port}/0"


def register(number: int):
    return APIClient().post("/api/v1/auth/register/", {
        "username": f"ada{number}", "email": f"ada{number}@example.test", "password": "orbital-velocity-7.8",
        "first_name": "Ada", "last_name": "Lovelace", "legal_name": "Augusta Ada King", "date_of_birth": "1985-12-10",
        "nationality": "GB", "passport_number": "P1234567", "mass_kg": "62.5", "height_cm": 168,
        "emergency_contact": "Charles Babbage, +44 20 7946 0001",
    }, format="json")


def test_no_second_wake_up_while_one_is_pending_and_a_new_one_once_the_sender_took_it(
    own_redis, transactional_db, settings, mailoutbox
):
    commit_message("first")
    assert published(own_redis) == 1
    assert 0 < admin(own_redis).ttl(WAKE_UP_FLAG) <= settings.NOTIFICATION_WAKE_UP_SECONDS
    commit_message("second")
    assert published(own_redis) == 1  # the first wake-up is still queued: it will deliver both

    assert send_notifications() == 2  # the task's body, run here as the worker taking that wake-up would
    assert not admin(own_redis).exists(WAKE_UP_FLAG)
    commit_message("third")
    assert published(own_redis) == 2
    assert [message.subject for message in mailoutbox] == ["Message first", "Message second"]


def test_one_wake_up_per_transaction_however_many_messages(own_redis, transactional_db, settings):
    settings.NOTIFICATION_WAKE_UP_SECONDS = 0  # no flag: only the once-per-transaction rule is left
    with transaction.atomic():
        for number in range(3):
            notification_queue(dedupe_key=f"batch.{number}", recipient="p@example.test", subject="Hi", body="Hello.")
    assert published(own_redis) == 1
    commit_message("alone.1")
    commit_message("alone.2")
    assert published(own_redis) == 3  # without the flag every transaction sends its own, as without Redis


class SlowQuitSmtp(CountingSmtp):
    """Holds its answer to QUIT: the sender's run has read the outbox for the last time (nothing more due) and
    closes its mail connection; the task has not returned yet."""

    def __init__(self):
        super().__init__()
        self.quitting = threading.Event()

    async def handle_QUIT(self, server, session, envelope):
        self.quitting.set()
        await asyncio.sleep(3)
        return "221 Bye"


@pytest.mark.worker
def test_a_message_committed_while_the_sender_drains_is_delivered_by_the_next_wake_up(own_redis, start_worker):
    with SlowQuitSmtp() as smtp:
        worker = started(start_worker(**worker_env(own_redis, smtp)))
        commit_message("before")
        assert smtp.quitting.wait(timeout=60), worker.log()  # "before" sent, the run's last read done
        assert smtp.counts() == {"before": 1}
        commit_message("during")
        # No beat runs here: only a wake-up published by that commit can deliver it.
        assert wait_for(lambda: smtp.counts().get("during") == 1, timeout_s=30), (smtp.counts(), worker.log())
    assert worker.log().count("Task flights.send_notifications[") >= 2


def test_a_flag_redis_refuses_still_publishes_every_wake_up_and_the_request_succeeds(
    own_redis, transactional_db, caplog
):
    from flights.models import Notification

    with app_broker_at(restricted_broker(own_redis, "-set")), caplog.at_level(logging.WARNING, "flights.dispatch"):
        for number in range(2):
            response = register(number)
            assert response.status_code == 201, response.content
    assert Notification.objects.filter(status="pending").count() == 2
    assert published(own_redis) == 2  # no flag to tell one is pending: each commit sends its own
    assert f"Could not set {WAKE_UP_FLAG}" in caplog.text


def test_with_redis_unreachable_the_wake_up_is_tried_and_the_request_succeeds(own_redis, transactional_db, caplog):
    from flights.models import Notification

    own_redis.kill()
    with caplog.at_level(logging.WARNING, "flights.dispatch"):
        started_at = time.monotonic()
        response = register(1)
        seconds = time.monotonic() - started_at
    assert response.status_code == 201, response.content
    assert seconds < 5
    assert Notification.objects.filter(status="pending").count() == 1  # committed: the beat sends it later
    assert f"Could not set {WAKE_UP_FLAG}" in caplog.text
    assert "Could not send task flights.send_notifications" in caplog.text  # the publish was tried all the same


def test_a_failed_publish_clears_the_flag_so_the_next_message_tries_again(own_redis, transactional_db, caplog):
    url = restricted_broker(own_redis, "-lpush")  # the flag can be set; the task cannot be queued
    with app_broker_at(url), caplog.at_level(logging.WARNING, "flights.dispatch"):
        commit_message("refused")
    assert "Could not send task flights.send_notifications" in caplog.text
    assert published(own_redis) == 0
    assert not admin(own_redis).exists(WAKE_UP_FLAG)

    restricted_broker(own_redis)  # the broker takes tasks again, and its backoff has passed
    dispatch._broker_failed_at = None
    with app_broker_at(url):
        commit_message("next")
    assert published(own_redis) == 1
