"""The countdown through real workers: a worker killed in the middle of a readiness run, a new one
started, and the run completes exactly once with no email sent twice."""

import datetime as dt
import time

import pytest
from django.utils import timezone

from flights import countdown
from flights.models import CountdownMilestone, Flight, Notification, Position, PositionAssignment, ReadinessReport
from tests.conftest import IN_CI, require_redis
from tests.flights.factories import FlightFactory
from tests.integration.test_worker import wait_for


@pytest.mark.worker
@pytest.mark.redis
def test_worker_killed_during_a_readiness_run_completes_once_without_duplicate_emails(
    start_worker, tmp_path, django_user_model, director
):
    if IN_CI:
        require_redis()  # in CI the redelivery is Redis's, after the visibility timeout
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    now = timezone.now()
    flight = FlightFactory(code="NS-88", launch_at=now + dt.timedelta(hours=3), flight_director=director)
    Flight.objects.filter(pk=flight.pk).update(status=Flight.Status.SCHEDULED)
    weather = django_user_model.objects.create(username="wx", email="weather@example.test")
    ranger = django_user_model.objects.create(username="rg", email="range@example.test")
    PositionAssignment.objects.create(flight=flight, position=Position.WEATHER, person=weather)
    PositionAssignment.objects.create(flight=flight, position=Position.RANGE, person=ranger)
    countdown.countdown_plan(flight=flight, now=now - dt.timedelta(days=10))
    # Only the weather brief (L-4 h) is due: no weather and no windows, so Weather and Range are NO-GO.
    flight.milestones.exclude(key="weather-brief").update(status=CountdownMilestone.Status.DONE)
    milestone = flight.milestones.get(key="weather-brief")

    email = {"EMAIL_URL": f"file://{mail_dir}", "CELERY_VISIBILITY_TIMEOUT": "5"}
    doomed = start_worker(READINESS_TEST_DELAY_S="30", **email)
    assert countdown.countdown_sweep(now=now) == [milestone.pk]
    assert wait_for(lambda: "flights.run_milestone" in doomed.log() and "received" in doomed.log(), timeout_s=60), doomed.log()
    time.sleep(1)  # inside the 30 s pause: the checks have run, nothing is committed
    doomed.kill()
    milestone.refresh_from_db()
    assert milestone.status == CountdownMilestone.Status.RUNNING and not ReadinessReport.objects.exists()

    start_worker(**email)
    # Redis hands the unacknowledged task to the new worker after the visibility timeout; the
    # sweep also re-dispatches a claim gone stale. Either way the run happens once.
    countdown.countdown_sweep(now=now + countdown.STALE_CLAIM + dt.timedelta(seconds=1))
    assert wait_for(lambda: CountdownMilestone.objects.get(pk=milestone.pk).status == "done", timeout_s=120)
    assert wait_for(lambda: not Notification.objects.filter(sent_at__isnull=True).exists(), timeout_s=60)
    time.sleep(6)  # past another visibility timeout: any duplicate delivery would have run by now

    assert ReadinessReport.objects.filter(flight=flight).count() == 1
    recipients = sorted(Notification.objects.values_list("recipient", flat=True))
    # The flight director hears of the unheld positions (no one holds the other seven), and of Verification's
    # NO-GO (the factory's vehicle is not certified for passengers; no one else holds that position).
    assert recipients == [director.email, director.email, "range@example.test", "weather@example.test"]
    # Django's file backend appends messages sent in the same second to one file: count subjects.
    subjects = sorted(
        line.removeprefix("Subject: ") for path in mail_dir.iterdir() for line in path.read_text().splitlines()
        if line.startswith("Subject: ")
    )
    assert subjects == ["NS-88 Weather brief: Flight Director is NO-GO", "NS-88 Weather brief: Range is NO-GO",
                        "NS-88 Weather brief: Verification is NO-GO", "NS-88 Weather brief: Weather is NO-GO"]
