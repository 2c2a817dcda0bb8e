"""The pages work under the Content Security Policy: Chromium reports no violation on any of them."""

import pytest
from playwright.sync_api import expect

from flights import demo
from flights.models import Flight
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch_csp(page) -> list[str]:
    violations: list[str] = []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))
    return violations


def test_a_violation_is_caught_by_the_watcher(page, live_server):
    # Proves the listener hears Chromium's report, so the test below cannot pass by hearing nothing.
    violations = watch_csp(page)
    page.goto("/")
    page.evaluate("""() => { const s = document.createElement('script'); s.textContent = '1'; document.body.append(s); }""")
    page.wait_for_timeout(200)
    assert violations and "script-src" in violations[0]


def test_portal_and_api_docs_report_no_violation(page, settings):
    demo.load()
    flight = Flight.objects.get(code="NS-41")
    violations = watch_csp(page)
    log_in(page, "director", settings.DEMO_PASSWORD)
    page.goto("/")
    expect(page.locator("table.flights tbody tr").first).to_contain_text("NS-41")
    page.goto("/itineraries/")
    page.goto(f"/catalog/flights/{flight.pk}/")
    page.goto(f"/flights/{flight.pk}/poll/")
    page.wait_for_load_state("networkidle")
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Flight Operations API")
    page.goto("/admin/")
    assert violations == []


def test_redoc_renders_offline_and_only_its_attribution_logo_is_blocked(page):
    # Redoc's sidebar footer loads its logo from cdn.redoc.ly with no option to turn it off; the policy
    # blocks it, as it should, and nothing else on the page is refused.
    violations = watch_csp(page)
    page.goto("/api/redoc/")
    expect(page.locator("h1").first).to_contain_text("Flight Operations API", timeout=90_000)
    assert all("https://cdn.redoc.ly/redoc/logo-mini.svg" in violation for violation in violations), violations
