"""Two hosts (issue 15, acceptance): what breaks when the app runs on more than one machine, run for real.

Each host has a web server (gunicorn), a Celery worker and a beat, started from deploy/Procfile with production
settings (DJANGO_DEBUG=0) and a local directory of its own (DJANGO_VAR_DIR, so MEDIA_ROOT too). They share what
README "Running on several hosts" says must be shared: the test database, Redis (broker and beat lock), the
object store (moto's server over HTTP) and the keys. The processes start once and serve every step of the one
test; each step commits its own data (the hosts read it from the database, as real hosts do). A failure prints
the tail of every process's log (tests/integration/conftest.py).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import os
import re
import secrets
import shlex
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import urllib3
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.cache import cache
from django.utils import timezone

from flights import roles
from tests.conftest import PASSWORD, make_user, require_postgres, require_redis
from tests.s3 import free_port
from tests.workers import ROOT, LoggedProcess, database_url

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.worker]

PROCFILE = ROOT / "deploy" / "Procfile"
# The beat lock, shortened from production's 30 s / 5 s so that a hand-over takes seconds (the settings refuse a
# lock shorter than three ticks). The hand-over bound is the same sum either way: lock lifetime plus one tick.
BEAT_LOCK_TIMEOUT_S, BEAT_MAX_LOOP_S = 6, 2
START_TIMEOUT_S = 120  # eight Django processes importing at once on a busy 2-core machine
PROBE = "multihost-probe"  # a beat entry every second, added at run time as redbeat allows
HTTP = urllib3.PoolManager(maxsize=32)  # enough connections for the holds' clients


def procfile_command(kind: str, env: dict) -> list[str]:
    """deploy/Procfile's command for `kind`, its ${NAME:-default}s expanded from `env`, run from this venv."""
    for line in PROCFILE.read_text().splitlines():
        name, colon, command = line.partition(":")
        if colon and not line.startswith("#") and name.strip() == kind:
            expanded = re.sub(r"\$\{(\w+):-([^}]*)\}", lambda m: env.get(m[1]) or m[2], command)
            argv = shlex.split(expanded)
            return [str(Path(sys.executable).with_name(argv[0])), *argv[1:]]
    raise AssertionError(f"deploy/Procfile defines no {kind} process")


def worker_command(env: dict, *, name: str, queue: str) -> list[str]:
    """The Procfile's worker, named for its host (`-n a@%h`) and also reading a queue only it reads, so a test can
    hand a task to the worker of a chosen host."""
    argv = procfile_command("worker", env)
    argv[argv.index("-n") + 1] = f"{name}@%h"
    return [*argv, "-Q", f"celery,{queue}"]


def tail(text: str, lines: int = 60) -> str:
    return "\n".join(text.splitlines()[-lines:])


@dataclass
class Host:
    """One machine: its own local directory and mail folder, a web server, a worker and a beat."""

    name: str
    var_dir: Path
    mail_dir: Path
    port: int
    processes: dict[str, LoggedProcess] = field(default_factory=dict)

    @property
    def queue(self) -> str:
        return f"host-{self.name}"

    @property
    def beat(self) -> LoggedProcess:
        return self.processes["beat"]

    def start(self, shared_env: dict, logs: Path) -> None:
        env = {
            **shared_env,
            "DJANGO_VAR_DIR": str(self.var_dir),
            "EMAIL_URL": f"file://{self.mail_dir}",
            "WEB_BIND": f"127.0.0.1:{self.port}",
        }
        commands = {
            "web": procfile_command("web", env),
            "worker": worker_command(env, name=self.name, queue=self.queue),
            "beat": procfile_command("beat", env),
        }
        for kind, command in commands.items():
            self.processes[kind] = LoggedProcess(command, env=env, log_path=logs / f"{kind}-{self.name}.log")

    def request(self, method: str, path: str, *, token: str | None = None, **kwargs) -> urllib3.BaseHTTPResponse:
        # As the TLS proxy in front of each host would: HTTPS said by X-Forwarded-Proto (DJANGO_SECURE_SSL_REDIRECT
        # stays on, as in production).
        headers = {"X-Forwarded-Proto": "https", **({"Authorization": f"Token {token}"} if token else {})}
        return HTTP.request(
            method,
            f"http://127.0.0.1:{self.port}{path}",
            headers=headers,
            timeout=60,
            retries=False,
            redirect=False,
            **kwargs,
        )

    def ready(self) -> bool:
        try:
            return self.request("GET", "/readyz").status == 200
        except urllib3.exceptions.HTTPError:
            return False

    def mail_subjects(self) -> list[str]:
        # Django's file backend appends the messages sent in one second to one file: count Subject lines.
        if not self.mail_dir.exists():
            return []
        return [
            line.removeprefix("Subject: ")
            for path in sorted(self.mail_dir.iterdir())
            for line in path.read_text().splitlines()
            if line.startswith("Subject: ")
        ]


@dataclass
class Cluster:
    hosts: list[Host]
    bucket: str
    moto: object
    redbeat_prefix: str
    logs_dir: Path
    killed: list[LoggedProcess] = field(default_factory=list)

    def processes(self) -> list[tuple[str, LoggedProcess]]:
        return [(f"{kind} {host.name}", process) for host in self.hosts for kind, process in host.processes.items()]

    def logs(self) -> str:
        parts = [f"(full logs in {self.logs_dir})"]
        for label, process in self.processes():
            state = "running" if process.alive() else f"exited {process.process.returncode}"
            parts.append(f"===== {label} ({state}) =====\n{tail(process.log())}")
        return "\n".join(parts)

    def wait_for(self, predicate, what: str, *, timeout_s: float = 60) -> float:
        """Poll the other processes' progress until `predicate()` holds; the seconds it took. On timeout, fail with
        every process's log."""
        started = time.monotonic()
        while time.monotonic() - started < timeout_s:
            if predicate():
                return time.monotonic() - started
            dead = [label for label, process in self.processes() if not process.alive() and process not in self.killed]
            if dead:
                raise AssertionError(f"{', '.join(dead)} exited while waiting for {what}\n{self.logs()}")
            time.sleep(0.2)
        raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}\n{self.logs()}")

    def s3(self):
        import boto3

        from tests.s3 import ACCESS_KEY, SECRET_KEY

        return boto3.client(
            "s3",
            endpoint_url=self.moto.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name="us-east-1",
        )

    def stored_object(self, key: str) -> bytes:
        return self.s3().get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def local_files(self) -> list[str]:
        """Every file under any host's own directory: uploads belong in the shared store, never on one host."""
        return sorted(str(path) for host in self.hosts for path in host.var_dir.rglob("*") if path.is_file())


def key_settings_as_env() -> dict[str, str]:
    """This test process's medical and sign-off keys, as every host's environment names them: data one host (or
    this process) writes, every other host must read and verify."""
    from django.conf import settings

    return {
        "MEDICAL_ENCRYPTION_KEYS": ",".join(settings.MEDICAL_ENCRYPTION_KEYS),
        "SIGNOFF_KEYS": ",".join(f"{kid}:{base64.b64encode(key).decode()}" for kid, key in settings.SIGNOFF_KEYS),
    }


def delete_redis_keys(url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    try:
        for key in list(client.scan_iter(match=f"{prefix}*", count=500)):
            client.delete(key)
    finally:
        client.close()


def purge_queues(queues: list[str]) -> None:
    """Nothing a beat sent is left for the workers of the tests after this module."""
    from config.celery import app

    with app.connection_for_write() as connection:
        for queue in queues:
            with contextlib.suppress(Exception):  # a queue nobody ever declared
                connection.default_channel.queue_purge(queue)


@pytest.fixture
def multihost(transactional_db, moto_server, tmp_path):
    """Both hosts, started once for the test's steps; stopped (every process of theirs) before the database is
    emptied, so no server or worker is inside a transaction when it is."""
    require_postgres()
    require_redis()
    from django.db import connection

    bucket = moto_server.create_bucket()
    redbeat_prefix = f"flightops-test-{uuid.uuid4().hex[:8]}:redbeat"
    shared_env = {
        **{k: v for k, v in os.environ.items() if k not in {"CATALOG_FEED_URL", "DJANGO_MEDIA_ROOT"}},
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),  # the same on every host: sessions, tokens, signatures
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url(connection.settings_dict),  # the test database pytest-django made
        **key_settings_as_env(),
        **moto_server.env(bucket),
        "AWS_EC2_METADATA_DISABLED": "true",
        "REDBEAT_KEY_PREFIX": redbeat_prefix,  # this run's schedule and lock, apart from any other
        "BEAT_LOCK_TIMEOUT": str(BEAT_LOCK_TIMEOUT_S),
        "BEAT_MAX_LOOP_INTERVAL": str(BEAT_MAX_LOOP_S),
        "WEB_CONCURRENCY": "2",
        "CELERY_CONCURRENCY": "1",
        "LOG_LEVEL": "INFO",
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
    }
    hosts = [
        Host(name, var_dir=tmp_path / f"host-{name}", mail_dir=tmp_path / f"mail-{name}", port=free_port())
        for name in ("a", "b")
    ]
    cluster = Cluster(hosts=hosts, bucket=bucket, moto=moto_server, redbeat_prefix=redbeat_prefix, logs_dir=tmp_path)
    started = time.monotonic()
    try:
        for host in hosts:
            host.var_dir.mkdir()
            host.start(shared_env, tmp_path)
        cluster.wait_for(
            lambda: all(host.ready() for host in hosts),
            "both web servers ready (/readyz 200)",
            timeout_s=START_TIMEOUT_S,
        )
        cluster.wait_for(
            lambda: all(
                f"{host.name}@" in host.processes["worker"].log() and " ready." in host.processes["worker"].log()
                for host in hosts
            ),
            "both workers ready",
            timeout_s=START_TIMEOUT_S,
        )
        cluster.wait_for(
            lambda: sum("beat: Acquired lock" in host.beat.log() for host in hosts) == 1,
            "one beat holding the lock",
            timeout_s=START_TIMEOUT_S,
        )
        print(f"two hosts started in {time.monotonic() - started:.1f} s")
        yield cluster
    finally:
        stopping = time.monotonic()
        HTTP.clear()  # this process's kept-alive connections to the web servers
        # The beats first (nothing new is sent), then the workers (finishing what they hold) and the web servers.
        for kinds, timeout_s in ((("beat",), 10), (("worker", "web"), 30)):
            stopping_now = [process for host in hosts for kind, process in host.processes.items() if kind in kinds]
            for process in stopping_now:
                process.terminate()
            for process in stopping_now:
                process.stop(timeout_s=timeout_s)
        purge_queues(["celery", *(host.queue for host in hosts)])
        delete_redis_keys(os.environ["REDIS_URL"], redbeat_prefix)
        cache.clear()  # the hosts' throttle history is in the database cache, a table the flush leaves alone
        print(f"two hosts stopped in {time.monotonic() - stopping:.1f} s")


@contextlib.contextmanager
def tasks_to_workers():
    """Tasks this process sends go through Redis to the hosts' workers (the suite runs them in-process)."""
    from config.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = eager


def user_for_hosts(username: str, role: str, *, staff: bool = False):
    """A user who logs in on the hosts: the password hashed with their hasher (the suite's MD5 is not theirs)."""
    user = make_user(get_user_model(), username, role, staff=staff)
    hasher = PBKDF2PasswordHasher()  # the hosts' default; the suite's settings know only MD5
    user.password = hasher.encode(PASSWORD, hasher.salt())
    user.save(update_fields=["password"])
    return user


def api_token(host: Host, user) -> str:
    """Log in through `host`'s API; staff send the code of their authenticator app."""
    from accounts.policy import requires_two_factor
    from tests.twofactor import totp_code, totp_device

    body = {"username": user.username, "password": PASSWORD}
    if requires_two_factor(user):
        body["otp_token"] = totp_code(totp_device(user))
    response = host.request("POST", "/api/v1/auth/token/", json=body)
    assert response.status == 200, response.data
    return response.json()["token"]


def a_medical_document_uploaded_through_host_a_is_read_by_a_surgeon_through_host_b(multihost: Cluster) -> None:
    from tests.medical import factories as f
    from tourism.medical.models import MedicalAccessLog, MedicalDocument

    a, b = multihost.hosts
    passenger = user_for_hosts("mh-pat", roles.PASSENGER)
    surgeon = user_for_hosts("mh-sasha", roles.FLIGHT_SURGEON)
    on_a = api_token(a, passenger)
    created = a.request("POST", "/api/v1/medical/clearances/", token=on_a)
    assert created.status == 201, created.data
    clearance_id = created.json()["id"]
    for section, answers in f.ANSWERS.items():
        saved = a.request(
            "PATCH",
            f"/api/v1/medical/clearances/{clearance_id}/questionnaire/",
            token=on_a,
            json={"section": section, "answers": answers},
        )
        assert saved.status == 200, saved.data
    uploaded = a.request(
        "POST",
        f"/api/v1/medical/clearances/{clearance_id}/documents/",
        token=on_a,
        fields={"kind": "ecg", "file": ("ecg.pdf", f.PDF, "application/pdf")},
    )
    assert uploaded.status == 201, uploaded.data
    document = uploaded.json()
    submitted = a.request("POST", f"/api/v1/medical/clearances/{clearance_id}/submit/", token=on_a, json={})
    assert submitted.status == 200, submitted.data

    on_b = api_token(b, surgeon)
    queue = b.request("GET", "/api/v1/medical/review-queue/", token=on_b).json()
    assert clearance_id in [entry["clearance"]["id"] for entry in queue["results"]]
    review = b.request("POST", f"/api/v1/medical/clearances/{clearance_id}/start-review/", token=on_b, json={})
    assert review.status == 200, review.data
    listed = b.request("GET", f"/api/v1/medical/clearances/{clearance_id}/documents/", token=on_b).json()
    assert [d["id"] for d in listed["results"]] == [document["id"]]
    content = b.request("GET", urlsplit(document["content_url"]).path, token=on_b)
    assert content.status == 200, content.data
    assert content.data == f.PDF and content.headers["Content-Type"] == "application/pdf"
    assert MedicalAccessLog.objects.filter(accessed_by=surgeon, action="download").count() == 1

    # In the shared store as a Fernet token (encrypted by host A before it left), on neither host's disk.
    stored = multihost.stored_object(MedicalDocument.objects.get(pk=document["id"]).file.name)
    assert stored.startswith(b"gAAAAA") and b"quokka-5521" not in stored
    assert multihost.local_files() == []


def holds_taken_through_both_hosts_at_once_never_oversell(multihost: Cluster) -> None:
    from rest_framework.authtoken.models import Token

    from tests.tourism.factories import bookable_flight, passenger_with_profile
    from tests.verification.factories import certified_vehicle
    from tourism.models import Booking

    operations = make_user(get_user_model(), "mh-olive", roles.OPERATIONS, staff=True)
    directors = [
        make_user(get_user_model(), name, roles.FLIGHT_DIRECTOR, staff=True) for name in ("mh-dana", "mh-drew")
    ]
    flight = bookable_flight(code="MH-101", vehicle=certified_vehicle(ops=operations, directors=directors))
    seats = flight.vehicle.model.passenger_seats
    tokens = [Token.objects.create(user=passenger_with_profile()).key for _ in range(2 * seats + 2)]
    barrier = threading.Barrier(len(tokens))
    answers: list[tuple[str, int, str]] = []

    def hold(index: int, token: str) -> None:
        host = multihost.hosts[index % 2]
        barrier.wait()
        response = host.request("POST", f"/api/v1/flights/{flight.pk}/holds/", token=token)
        body = response.json() if response.headers.get("Content-Type", "").startswith("application/json") else {}
        answers.append((host.name, response.status, body.get("code", "")))

    threads = [threading.Thread(target=hold, args=pair) for pair in enumerate(tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert Counter((status, code) for _, status, code in answers) == {(201, ""): seats, (409, "sold_out"): seats + 2}
    assert {name for name, _, _ in answers} == {"a", "b"}  # both hosts answered holds
    held = Booking.objects.filter(flight=flight, status=Booking.Status.HELD)
    assert held.count() == seats  # 0 oversold
    assert sorted(held.values_list("seat_number", flat=True)) == list(range(1, seats + 1))


def a_countdown_milestone_swept_and_delivered_on_both_hosts_runs_once(multihost: Cluster) -> None:
    from flights import countdown
    from flights.models import CountdownMilestone, Flight, Notification, ReadinessReport
    from flights.tasks import countdown_sweep, run_milestone
    from tests.flights.factories import FlightFactory

    director = make_user(get_user_model(), "mh-fd", roles.FLIGHT_DIRECTOR, staff=True)
    now = timezone.now()
    flight = FlightFactory(code="MH-202", launch_at=now + dt.timedelta(hours=3), flight_director=director)
    Flight.objects.filter(pk=flight.pk).update(status=Flight.Status.SCHEDULED)
    countdown.countdown_plan(flight=flight, now=now - dt.timedelta(days=10))
    flight.milestones.exclude(key="weather-brief").update(status=CountdownMilestone.Status.DONE)
    milestone = flight.milestones.get(key="weather-brief")  # L-4 h: due an hour ago

    with tasks_to_workers():
        # Both hosts sweep at once (the beat's own sweep may come first): at most one claims the milestone.
        sweeps = [countdown_sweep.apply_async(queue=host.queue) for host in multihost.hosts]
        claims = [pk for result in sweeps for pk in result.get(timeout=60)]
        assert claims.count(milestone.pk) <= 1
        # And its run delivered to both hosts at once, as after a redelivery: the second finds it done.
        runs = [run_milestone.apply_async(args=[milestone.pk], queue=host.queue) for host in multihost.hosts]
        assert [result.get(timeout=60) for result in runs] == ["done", "done"]
    multihost.wait_for(
        lambda: (
            not Notification.objects.filter(
                dedupe_key__startswith=f"milestone:{milestone.pk}:", sent_at__isnull=True
            ).exists()
        ),
        "the milestone's messages sent",
    )

    assert ReadinessReport.objects.filter(flight=flight).count() == 1
    messages = Notification.objects.filter(dedupe_key__startswith=f"milestone:{milestone.pk}:")
    assert messages.count() >= 1 and set(messages.values_list("recipient", flat=True)) == {director.email}
    subjects = [s for host in multihost.hosts for s in host.mail_subjects() if s.startswith("MH-202 ")]
    assert sorted(subjects) == sorted(messages.values_list("subject", flat=True))  # each email sent once, by one host


def the_integrity_check_on_the_host_without_the_file_raises_no_tamper_alarm(multihost: Cluster) -> None:
    from flights.models import Notification
    from tests.verification.factories import planned_record, sign
    from verification import services as verification_services
    from verification.models import Attachment
    from verification.tasks import verify_signoff_chain

    a, b = multihost.hosts
    operations = user_for_hosts("mh-ops", roles.OPERATIONS, staff=True)
    director = make_user(get_user_model(), "mh-dir", roles.FLIGHT_DIRECTOR, staff=True)
    record = planned_record()
    uploaded = a.request(
        "POST",
        "/api/v1/verification/attachments/",
        token=api_token(a, operations),
        fields={
            "record": str(record.pk),
            "title": "Telemetry summary",
            "kind": "telemetry",
            "file": ("telemetry.csv", b"t_s,alt_km\n0,0\n240,107.2\n", "text/csv"),
        },
    )
    assert uploaded.status == 201, uploaded.data
    attachment = Attachment.objects.get(pk=uploaded.json()["id"])
    assert multihost.stored_object(attachment.file.name) == b"t_s,alt_km\n0,0\n240,107.2\n"
    verification_services.verification_mark_flown(record=record, by=operations)
    verification_services.verification_submit_for_review(record=record, by=operations)
    sign(record, director)
    assert multihost.local_files() == []  # host B has no copy of the file, nor has host A

    with tasks_to_workers():
        result = verify_signoff_chain.apply_async(queue=b.queue).get(timeout=60)
    assert result["problems"] == 0 and result["files"] >= 1 and "file_store_unreachable" not in result, result
    assert director.email  # there is someone an alarm would go to
    assert not Notification.objects.filter(dedupe_key__startswith="verification-integrity:").exists()
    assert not Notification.objects.filter(dedupe_key__startswith="file-store-unreachable:").exists()


def beat_sends(process: LoggedProcess, entry: str | None = None) -> int:
    """How many tasks this beat sent (of `entry`, or of any)."""
    pattern = f"Sending due task {entry} (" if entry else "Sending due task "
    return process.log().count(pattern)


def one_beat_schedules_and_the_other_takes_over_within_a_minute_when_it_dies(multihost: Cluster) -> None:
    from celery import Celery
    from celery.schedules import schedule
    from redbeat import RedBeatSchedulerEntry

    (holder,) = [host for host in multihost.hosts if "beat: Acquired lock" in host.beat.log()]
    (waiter,) = [host for host in multihost.hosts if host is not holder]

    redis_url = os.environ["REDIS_URL"]
    scheduling = Celery("multihost-probe", broker=redis_url, set_as_current=False)
    scheduling.conf.update(redbeat_redis_url=redis_url, redbeat_key_prefix=multihost.redbeat_prefix)
    RedBeatSchedulerEntry(PROBE, "flights.fleet_status_report", schedule(run_every=1), app=scheduling).save()
    added = time.monotonic()
    multihost.wait_for(lambda: beat_sends(holder.beat, PROBE) >= 4, "the lock holder sending the probe four times")
    assert beat_sends(holder.beat, PROBE) <= time.monotonic() - added + 1  # once a second, not twice
    assert beat_sends(waiter.beat) == 0 and "Acquired lock" not in waiter.beat.log()  # the other sends nothing

    holder.beat.kill()  # its host is lost: the lock is not released, it lapses
    multihost.killed.append(holder.beat)
    handover_s = multihost.wait_for(lambda: beat_sends(waiter.beat, PROBE) >= 1, "the second beat scheduling")
    print(f"beat hand-over after SIGKILL: {handover_s:.1f} s (lock {BEAT_LOCK_TIMEOUT_S} s, tick {BEAT_MAX_LOOP_S} s)")
    assert "beat: Acquired lock" in waiter.beat.log()
    assert handover_s < 60
    # It waited for the lock to lapse: a beat that ignored the lock would have been scheduling all along.
    assert handover_s >= BEAT_LOCK_TIMEOUT_S - BEAT_MAX_LOOP_S - 1
    multihost.wait_for(lambda: beat_sends(waiter.beat, PROBE) >= 2, "the second beat sending the probe again")
    sent = beat_sends(holder.beat, PROBE) + beat_sends(waiter.beat, PROBE)
    assert sent <= time.monotonic() - added + 2  # one schedule throughout: at most once a second, either beat


def every_host_kept_running_and_wrote_nothing_to_its_own_disk(multihost: Cluster) -> None:
    dead = [
        label for label, process in multihost.processes() if not process.alive() and process not in multihost.killed
    ]
    assert dead == []
    assert multihost.local_files() == []


STEPS = [
    a_medical_document_uploaded_through_host_a_is_read_by_a_surgeon_through_host_b,
    holds_taken_through_both_hosts_at_once_never_oversell,
    a_countdown_milestone_swept_and_delivered_on_both_hosts_runs_once,
    the_integrity_check_on_the_host_without_the_file_raises_no_tamper_alarm,
    one_beat_schedules_and_the_other_takes_over_within_a_minute_when_it_dies,  # kills a beat: keep it last but one
    every_host_kept_running_and_wrote_nothing_to_its_own_disk,
]


def test_two_hosts_share_uploads_seats_the_countdown_and_one_beat(multihost):
    for step in STEPS:
        started = time.monotonic()
        step(multihost)
        print(f"{step.__name__}: {time.monotonic() - started:.1f} s")
