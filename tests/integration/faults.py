"""What the fault tests share: a Redis of the test's own (killed and restarted at will), a local SMTP server
counting each message by its outbox key, and a worker's environment pointing at both."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import threading
from collections import Counter
from email import message_from_bytes

from tests.integration.test_worker import wait_for
from tests.s3 import free_port

__all__ = ["CountingSmtp", "OwnRedis", "free_port", "started", "wait_for", "worker_env"]

HEADER = "X-Flightops-Notification"


class OwnRedis:
    """A redis-server of this test's own on a spare loopback port, with nothing persisted: killed, it
    loses every queued task, as a crashed broker without persistence does."""

    def __init__(self, tmp_path):
        self.port = free_port()
        self.dir = tmp_path
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        assert wait_for(self._answers, timeout_s=20), "redis-server did not start"

    def _answers(self) -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
        return False

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class CountingSmtp:
    """An in-process SMTP server (aiosmtpd's Controller) that counts each message by its outbox key, and
    can hold each message for a while before answering (so a worker can be killed with one in flight)."""

    def __init__(self, *, hold_s: float = 0.0, signal_at: int | None = None):
        from aiosmtpd.controller import Controller

        self.received: list[str] = []
        self.hold_s = hold_s
        self.signal_at = signal_at
        self.in_flight = threading.Event()
        self._lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content or envelope.content)
        with self._lock:
            self.received.append("".join(str(message.get(HEADER, "?")).split()))  # unfold a long header
            count = len(self.received)
        if self.signal_at is not None and count == self.signal_at:
            self.in_flight.set()
        if self.hold_s:
            await asyncio.sleep(self.hold_s)
        return "250 Message accepted for delivery"

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.controller.port}"

    def counts(self) -> Counter:
        with self._lock:
            return Counter(self.received)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


def worker_env(redis: OwnRedis, smtp: CountingSmtp, **extra) -> dict:
    return {"REDIS_URL": redis.url, "EMAIL_URL": smtp.url, "JOB_STALE_AFTER_SECONDS": "3", **extra}


def started(worker):
    assert wait_for(lambda: "ready." in worker.log(), timeout_s=90), worker.log()
    return worker
