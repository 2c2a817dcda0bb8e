"""Two people changing one flight at once: the row lock lets exactly one through."""

import threading

import pytest
from django.db import connection

from flights import services
from flights.exceptions import InvalidTransition
from tests.conftest import require_postgres
from tests.flights.factories import scheduled_flight


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("flights_rules_only")
def test_concurrent_scrub_and_cancel_serialise(operations):
    require_postgres()
    flight = scheduled_flight(code="NS-99")
    barrier = threading.Barrier(8)
    outcomes = []

    def act(i):
        try:
            barrier.wait()
            if i % 2:
                services.flight_cancel(flight=flight, reason=f"cancel {i}", by=operations)
            else:
                services.flight_scrub(flight=flight, reason=f"scrub {i}", by=operations)
            outcomes.append("ok")
        except InvalidTransition:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    flight.refresh_from_db()
    # Scrub then cancel is legal, so one or two moves succeed; never two scrubs, never two cancels.
    changes = list(flight.status_changes.values_list("to_status", flat=True))
    assert changes.count("scrubbed") <= 1 and changes.count("cancelled") <= 1
    assert outcomes.count("ok") == len(changes) - 1  # minus the scheduling move
    assert flight.scrub_count == changes.count("scrubbed")
