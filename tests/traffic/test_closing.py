"""Events close after their TCA by the beat's sweep, recording what happened; running it twice changes nothing."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from config.celery import app
from flights.traffic import services
from flights.traffic.closing import events_close_passed
from flights.traffic.exceptions import DomainError
from flights.traffic.models import ConjunctionEvent
from flights.traffic.tasks import close_passed_events
from tests.conftest import require_postgres
from tests.orbits.data import requires_data
from tests.traffic.conftest import RED_HBR, TERRA_TCA, YELLOW_HBR, cdm_text
from tests.traffic.factories import make_event
from tests.traffic.test_services import decide

AFTER = TERRA_TCA + dt.timedelta(minutes=31)  # past the TCA by more than the 30 min margin


def imported(hbr, message_id, now=TERRA_TCA - dt.timedelta(days=1)):
    return services.cdm_import(text=cdm_text(message_id=message_id), hbr_m=hbr, now=now).event


@requires_data
@pytest.mark.django_db
def test_the_sweep_closes_a_passed_event_with_its_decision_and_final_figures_once(protected, director, password):
    event = imported(RED_HBR, "C-1")
    decide(event, director, password, kind="shelter", reason="No time to plan a burn.")
    assert events_close_passed(now=TERRA_TCA + dt.timedelta(minutes=10)) == []  # a late message may still come
    assert events_close_passed(now=AFTER) == [event.pk]
    event.refresh_from_db()
    assert event.status == "closed" and event.closed_at == AFTER
    assert event.outcome.startswith("TCA 2022-02-24 10:03:07 UTC passed. Final: RED, Pc ")
    assert f"Pc {event.pc:.2e} (FOSTER" in event.outcome and f"miss {event.miss_distance_m:.0f} m" in event.outcome
    assert "after 1 update." in event.outcome
    assert (
        "Decision: Shelter in place (crew into the capsule), signed by Dana Tester at 2022-02-23 22:03:07 UTC "
        "(crew in the capsule by 2022-02-24 09:33:07 UTC): No time to plan a burn."
    ) in event.outcome
    outcome = event.outcome
    assert events_close_passed(now=AFTER + dt.timedelta(hours=1)) == []  # twice: nothing changes
    event.refresh_from_db()
    assert (event.outcome, event.closed_at) == (outcome, AFTER)


@requires_data
@pytest.mark.django_db
def test_the_outcome_says_when_no_decision_answered_the_event(protected, director, password):
    undecided = imported(RED_HBR, "C-2")
    events_close_passed(now=AFTER)
    undecided.refresh_from_db()
    assert undecided.outcome.endswith("No decision was recorded for this red event.")


@requires_data
@pytest.mark.django_db
def test_a_monitor_decision_on_red_and_a_decision_for_an_earlier_tier_are_named(protected, director, password):
    monitored = imported(RED_HBR, "C-3")
    decide(monitored, director, password, kind="monitor")
    events_close_passed(now=AFTER)
    monitored.refresh_from_db()
    assert "Decision: Keep monitoring" in monitored.outcome
    assert monitored.outcome.endswith("A red event closed without a manoeuvre or shelter decision.")


@requires_data
@pytest.mark.django_db
def test_a_climb_after_the_decision_leaves_the_final_tier_unanswered(protected, director, password):
    event = imported(YELLOW_HBR, "C-4")
    decide(event, director, password, kind="monitor", now=TERRA_TCA - dt.timedelta(hours=20))
    imported(RED_HBR, "C-5", now=TERRA_TCA - dt.timedelta(hours=10))
    events_close_passed(now=AFTER)
    event.refresh_from_db()
    assert "after 2 updates." in event.outcome
    assert "No decision answered the final red tier; the last one (Keep monitoring, Dana Tester" in event.outcome
    assert event.outcome.endswith("was for yellow.")


@pytest.mark.django_db
def test_open_events_before_their_tca_and_events_closed_by_hand_are_left_alone(protected, operations):
    now = timezone.now()
    ahead = make_event(protected, tca=now + dt.timedelta(hours=3))
    by_hand = make_event(protected, tca=now - dt.timedelta(hours=2), other="40001")
    services.event_close(event=by_hand, outcome="Manoeuvre flown at 03:40 UTC, 0.4 m/s.", by=operations)
    assert events_close_passed(now=now) == []
    by_hand.refresh_from_db()
    ahead.refresh_from_db()
    assert by_hand.outcome == "Manoeuvre flown at 03:40 UTC, 0.4 m/s." and ahead.status == "open"


@pytest.mark.django_db
def test_the_beat_runs_the_sweep_every_few_minutes_through_its_task(protected):
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "traffic.close_passed_events")
    assert entry["schedule"] <= 60 * 60 and "traffic.close_passed_events" in app.tasks
    passed = make_event(protected, tca=timezone.now() - dt.timedelta(hours=1), tier="green", pc=1e-7)
    assert close_passed_events.delay().get() == [passed.pk]
    passed.refresh_from_db()
    assert passed.status == "closed" and passed.outcome.endswith("No decision was needed.")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_and_a_person_at_once_close_each_event_exactly_once(protected, operations):
    require_postgres()
    now = timezone.now()
    events = [make_event(protected, tca=now - dt.timedelta(hours=2), other=str(41000 + i)) for i in range(6)]
    barrier = threading.Barrier(3)
    closed: list[list[int]] = [[], []]
    by_hand: list[str] = []

    def sweep(index):
        try:
            barrier.wait()
            closed[index] = events_close_passed(now=now)
        finally:
            connection.close()

    def person():
        try:
            barrier.wait()
            services.event_close(event=events[0], outcome="Passed safely.", by=operations, now=now)
            by_hand.append("closed")
        except DomainError as refusal:
            by_hand.append(refusal.code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=sweep, args=(0,)),
        threading.Thread(target=sweep, args=(1,)),
        threading.Thread(target=person),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    swept = closed[0] + closed[1]
    assert len(swept) == len(set(swept))
    everyone = {e.pk for e in events}
    assert set(swept) | ({events[0].pk} if by_hand == ["closed"] else set()) == everyone
    assert (events[0].pk in swept) == (by_hand == ["event_closed"])
    assert ConjunctionEvent.objects.filter(status="closed").count() == len(events)
