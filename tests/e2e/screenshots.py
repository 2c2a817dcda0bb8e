"""`make screenshots`: the README's pictures, taken with the browser-test setup (Debian chromium through
Playwright, tests/e2e/conftest.py) from the demo data. Not part of the suite (the file name keeps pytest
from collecting it unless named on the command line); writes docs/screenshots/*.png.
"""

from pathlib import Path

import pytest
from django.core.management import call_command

from flights.models import Flight
from tests.e2e.conftest import log_in
from tourism.models import Booking

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_readme_screenshots(browser, live_server, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the demo's window computations run, as on make run
        call_command("load_demo")
    OUT.mkdir(parents=True, exist_ok=True)

    def person(username, *, width=1280, height=900):
        context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": height})
        page = context.new_page()
        log_in(page, username, settings.DEMO_PASSWORD)
        return page

    ada = person("passenger", width=1100)
    booking = Booking.objects.filter(user__username="passenger", flight__code="NS-41").first()
    ada.goto(booking.get_absolute_url())
    ada.locator(f"#checklist-{booking.pk}").screenshot(path=str(OUT / "passenger-checklist.png"))
    ns41 = Flight.objects.get(code="NS-41")
    ada.goto(ns41.get_absolute_url())
    ada.screenshot(path=str(OUT / "flight-page.png"), full_page=False)
    ax9 = Flight.objects.get(code="AX-9")
    ada.goto(ax9.get_absolute_url())
    ada.locator("#flight-profile-section").screenshot(path=str(OUT / "orbital-profile.png"))

    ops = person("ops")
    ops.screenshot(path=str(OUT / "operations-today.png"), full_page=True)
    phone = person("passenger", width=390, height=844)
    phone.goto(booking.get_absolute_url())
    phone.screenshot(path=str(OUT / "phone-booking.png"), full_page=False)
    for name in ("passenger-checklist", "flight-page", "orbital-profile", "operations-today", "phone-booking"):
        assert (OUT / f"{name}.png").stat().st_size > 5_000, name
