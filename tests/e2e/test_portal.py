"""The portal in a real browser: the home page shows the schedule, and people log in."""

import pytest

from flights import demo
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_shows_demo_flights_in_local_time_and_operations_reach_admin(page, settings):
    demo.load()
    page.goto("/")
    assert page.title().startswith("Upcoming flights")
    rows = page.locator("table.flights tbody tr")
    assert rows.count() == 6
    assert "NS-41" in rows.first.inner_text()
    assert "UTC" in rows.first.inner_text()
    log_in(page, "ops", settings.DEMO_PASSWORD)
    assert page.inner_text("h1") == "Operations today"  # staff land on their own home
    page.click("nav >> text=Admin")
    assert "Flight Operations" in page.inner_text("#site-name")


def test_wrong_password_is_refused_plainly(page):
    demo.load()
    log_in(page, "ops", "not-the-password")
    assert "Please enter a correct username and password" in page.inner_text("main")
