"""Debian's chromium driven by Playwright against pytest-django's live server. No browser download."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """A factory of fresh browser pages (one per person), each with its own cookies."""
    contexts = []

    def make():
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def log_in(page, username: str, password: str) -> None:
    """Log in through the real form. Staff accounts then do the real two-factor step: a first log-in sets up
    the authenticator from the secret the enrolment page shows, a later one enters the device's current code."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.twofactor import code_from_secret, totp_code

    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    path = urlparse(page.url).path
    if path == "/accounts/two-factor/setup/":
        page.fill("input[name=otp_token]", code_from_secret(page.inner_text("#totp-secret")))
        page.click("#two-factor-setup-form button[type=submit]")
    elif path == "/accounts/two-factor/":
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        page.fill("input[name=otp_token]", totp_code(device))
        page.click("#two-factor-form button[type=submit]")
    else:
        return
    page.wait_for_load_state()
    assert not urlparse(page.url).path.startswith("/accounts/two-factor/"), page.inner_text("main")
