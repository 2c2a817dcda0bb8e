"""Concurrent writes against PostgreSQL: row locks and constraints let exactly one through."""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection

from flights.exceptions import DomainError
from tests.conftest import make_user, require_postgres
from tests.flights.factories import scheduled_flight
from tests.medical import factories as f
from tourism.medical import services
from tourism.medical.models import MedicalClearance

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(count, act):
    barrier = threading.Barrier(count)
    outcomes = []

    def worker(i):
        try:
            barrier.wait()
            outcomes.append(act(i))
        except DomainError as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_surgeons_deciding_at_once_record_one_decision(passenger, surgeon, other_surgeon):
    require_postgres()
    clearance = f.under_review(passenger, surgeon)
    surgeons = [surgeon, other_surgeon] * 3

    def decide(i):
        outcome = "cleared" if i % 2 else "not_cleared"
        return services.clearance_decide(clearance=clearance, by=surgeons[i], outcome=outcome, reasons=f"decision {i}")

    outcomes = run_together(6, decide)
    decided = [o for o in outcomes if isinstance(o, MedicalClearance)]
    refused = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(decided) == 1 and len(refused) == 5
    assert all("Cannot decide medical clearance" in str(exc) for exc in refused)
    clearance.refresh_from_db()
    assert clearance.notes.filter(kind="decision").count() == 1
    assert clearance.status_changes.filter(to_status=clearance.status).count() == 1


def test_one_questionnaire_in_progress_even_when_started_twice_at_once(passenger):
    require_postgres()
    outcomes = run_together(6, lambda i: services.clearance_start(passenger=passenger))
    assert sum(isinstance(o, MedicalClearance) for o in outcomes) == 1
    assert all("already have a medical questionnaire in progress" in str(o) for o in outcomes if isinstance(o, DomainError))
    assert MedicalClearance.objects.filter(passenger=passenger).count() == 1


def test_concurrent_sweeps_expire_and_remind_each_clearance_once(surgeon, django_user_model, flights_of_passengers):
    require_postgres()
    people = [make_user(django_user_model, f"r{i}", "Passenger") for i in range(8)]
    flight = scheduled_flight()
    for person in people[:4]:
        f.decided(person, surgeon, valid_until=dt.date.today())
    for person in people[4:]:
        f.decided(person, surgeon, valid_until=dt.date.today() + dt.timedelta(days=10))
        flights_of_passengers[person.pk] = [flight]
    tomorrow = dt.datetime.combine(dt.date.today() + dt.timedelta(days=1), dt.time(1), tzinfo=dt.UTC)

    expired = run_together(4, lambda i: services.clearance_expire_due(now=tomorrow, batch_size=1))
    assert sum(expired) == 4
    assert MedicalClearance.objects.filter(status="expired").count() == 4
    for clearance in MedicalClearance.objects.filter(status="expired"):
        assert clearance.status_changes.filter(to_status="expired").count() == 1

    mail.outbox.clear()  # the decisions' emails
    reminded = run_together(4, lambda i: services.clearance_send_expiry_reminders(now=tomorrow))
    assert sum(reminded) == 4
    assert MedicalClearance.objects.filter(expiry_reminder_sent_at__isnull=False).count() == 4
    # Sent once each, after the claiming transaction committed.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people[4:])
    assert {m.subject for m in mail.outbox} == {"Your medical clearance ends soon"}
