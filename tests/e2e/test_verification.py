"""A flight director reviews a verification flight in a real browser, signs it with their password, and
the vehicle's certification page shows the new state."""

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in
from tests.flights.factories import VehicleFactory, VehicleModelFactory
from tests.verification.factories import record_in_review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_director_reviews_and_signs_off_and_the_vehicle_page_shows_the_new_state(page, director, operations):
    vehicle = VehicleFactory(name="RSS Second Step", model=VehicleModelFactory(required_uncrewed_flights=1,
                                                                              required_crewed_flights=1))
    record = record_in_review(by=operations, vehicle=vehicle,
                              anomalies=[dict(severity="minor", title="Cabin camera lost frames")])
    code = record.flight.code

    log_in(page, "dana", PASSWORD)
    page.goto(f"/verification/vehicles/{vehicle.pk}/")
    assert page.inner_text("#certification-state") == "Uncertified"

    page.click("text=Sign-off queue")
    page.click(f"table.records >> text={code}")
    main = page.inner_text("main")
    assert "Capsule lands within 1 km of target" in main and "Cabin camera lost frames" in main
    assert "No sign-offs yet." in main

    page.click("text=Review and sign")
    assert page.input_value("textarea[name=meaning]") == "Objectives met; safe to proceed to crewed flights."
    page.check("input[name=decision][value=approve]")
    page.fill("input[name=password]", "not-my-password")
    page.click("button:has-text('Sign')")
    assert "The password is not correct" in page.inner_text("main")

    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Sign')")
    main = page.inner_text("main")
    assert f"You approved {code} (sign-off #1)." in main
    assert "Signed off" in main and "#1 Approve by Dana Tester" in main and "Valid" in main

    page.click(f"text={vehicle.name} ({vehicle.serial})")
    assert page.inner_text("#certification-state") == "Uncrewed phase complete"
    evidence = page.inner_text("table.evidence")
    assert code in evidence and "Yes" in evidence
