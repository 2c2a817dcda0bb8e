"""Signatures at the same moment, for real, on PostgreSQL: the chain head lock keeps one unbroken chain."""

import threading

import pytest
from django.db import connection

from flights import roles
from flights.exceptions import DomainError
from tests.conftest import PASSWORD, make_user, require_postgres
from tests.verification.factories import record_in_review
from verification import services
from verification.integrity import verify_all
from verification.models import GENESIS_HASH, SignOff, SignOffChainHead, VerificationFlight

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(actions) -> list[str]:
    """Start every action at the same instant; return 'ok' or the refusal code of each."""
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait()
            action()
            outcomes[index] = "ok"
        except DomainError as refusal:
            outcomes[index] = refusal.code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def signing(record, director):
    return lambda: services.verification_sign_off(record=record, signer=director, password=PASSWORD,
                                                  decision="approve", meaning="Objectives met")


def test_directors_signing_different_records_at_once_form_one_chain(django_user_model, operations):
    require_postgres()
    directors = [make_user(django_user_model, f"director{i}", roles.FLIGHT_DIRECTOR) for i in range(8)]
    records = [record_in_review(by=operations) for _ in directors]
    assert run_together([signing(r, d) for r, d in zip(records, directors, strict=True)]) == ["ok"] * 8
    chain = list(SignOff.objects.order_by("sequence"))
    assert [s.sequence for s in chain] == list(range(1, 9))
    assert [s.previous_hash for s in chain] == [GENESIS_HASH] + [s.signoff_hash for s in chain[:-1]]
    head = SignOffChainHead.objects.get()
    assert (head.last_sequence, head.last_hash) == (8, chain[-1].signoff_hash)
    assert verify_all().ok
    assert set(VerificationFlight.objects.values_list("status", flat=True)) == {"signed_off"}


def test_two_directors_signing_one_crewed_record_at_once(director, other_director, operations):
    require_postgres()
    record = record_in_review(by=operations, crewed=True)
    assert run_together([signing(record, director), signing(record, other_director)]) == ["ok", "ok"]
    record.refresh_from_db()
    assert record.status == "signed_off" and record.signoffs.count() == 2
    assert verify_all().ok


def test_one_director_signing_twice_at_once_signs_once(director, operations):
    require_postgres()
    record = record_in_review(by=operations, crewed=True)
    outcomes = run_together([signing(record, director), signing(record, director)])
    assert sorted(outcomes) == ["already_signed", "ok"]
    assert record.signoffs.count() == 1


def test_signing_while_a_director_reopens(director, other_director, operations):
    require_postgres()
    record = record_in_review(by=operations)
    reopen = lambda: services.verification_reopen(record=record, by=other_director, reason="Correction")  # noqa: E731
    outcomes = run_together([signing(record, director), reopen])
    record.refresh_from_db()
    assert record.status == "reopened" and outcomes[1] == "ok"
    # Either the signature came first and the reopen voided it, or the reopen came first and signing was refused.
    live = record.signoffs.filter(voided_at__isnull=True)
    assert not live.exists()
    assert outcomes[0] == ("ok" if record.signoffs.exists() else "invalid_transition")
    assert verify_all().ok
