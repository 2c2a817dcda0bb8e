"""A new passenger's journey in a real browser, on a phone-sized screen: sign up, find a flight, verify
the email address from the emailed link, hold a seat, sign the informed consent, and see the booking
reserved once operations record the deposit."""

import os
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from flights import demo
from flights.models import Flight
from tourism import services
from tourism.models import Booking

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "kármán-line-100km"
PHONE_WIDTH = 390
SCREENSHOTS = Path(os.environ["E2E_SCREENSHOTS"]) if os.environ.get("E2E_SCREENSHOTS") else None


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": PHONE_WIDTH, "height": 844}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def fits_the_screen(page) -> bool:
    """Nothing is wider than the phone (a mobile browser widens its layout viewport to fit overflow)."""
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


def test_new_passenger_books_a_seat_and_sees_it_reserved(phone):
    demo.load()
    page = phone
    page.goto("/itineraries/")
    page.click("text=Sign up")
    page.fill("input[name=username]", "valentina")
    page.fill("input[name=email]", "valentina@example.test")
    page.fill("input[name=first_name]", "Valentina")
    page.fill("input[name=last_name]", "Passenger")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.fill("input[name=legal_name]", "Valentina Vladimirovna Passenger")
    page.fill("input[name=date_of_birth]", "1987-03-06")
    page.fill("input[name=nationality]", "RU")
    page.fill("input[name=passport_number]", "RU7766554")
    page.fill("input[name=mass_kg]", "58")
    page.fill("input[name=height_cm]", "164")
    page.fill("textarea[name=emergency_contact]", "Andrian Passenger, +7 495 000 0000")
    page.click("button:has-text('Create account')")
    assert "Welcome aboard, Valentina Vladimirovna Passenger" in page.inner_text(".messages")

    # Find a flight: the catalog filtered to the spaceport, updated in place.
    page.select_option("select[name=spaceport]", "wtx")
    page.wait_for_url("**spaceport=wtx**")
    assert fits_the_screen(page)
    if SCREENSHOTS:
        page.screenshot(path=str(SCREENSHOTS / "catalog.png"), full_page=True)
    page.click("#catalog >> text=NS-42")
    assert "seats left" in page.inner_text("#seats")
    flight_url = page.url

    # Not before the email address is verified: the refusal says so and offers a new link.
    assert "Verify your email address to book" in page.inner_text("#seats")
    page.click("button:has-text('Hold a seat')")
    assert "Verify your email address first: we sent a link to valentina@example.test" in page.inner_text(".messages")
    assert page.is_visible("#resend-verification")
    assert not Booking.objects.filter(user__username="valentina").exists()
    link = re.search(r"http://\S+/accounts/verify-email/\S+/", mail.outbox[-1].body)[0]
    page.goto(urlparse(link).path)
    page.click("#confirm-email")
    assert "valentina@example.test is verified" in page.inner_text(".messages")

    page.goto(flight_url)
    page.click("button:has-text('Hold a seat')")
    # The demo's own passengers may hold the first seats: the next free one is hers.
    assert re.search(r"Seat \d+ on NS-42 is held for you", page.inner_text(".messages"))
    assert page.inner_text("#booking-status") == "Held"
    disclosure = page.inner_text("#disclosure")
    assert "INFORMED CONSENT" in disclosure and "RSS First Step" in disclosure
    assert "has not certified the launch vehicle" in disclosure
    assert fits_the_screen(page)
    if SCREENSHOTS:
        page.screenshot(path=str(SCREENSHOTS / "booking-held.png"), full_page=True)

    # Sign: a wrong password is refused plainly, then the right one.
    page.fill("input[name=legal_name]", "Valentina Vladimirovna Passenger")
    page.fill("input[name=password]", "not-my-password")
    page.click("button:has-text('Sign informed consent')")
    assert "The password is not correct." in page.inner_text("#consent")
    page.fill("input[name=legal_name]", "Valentina Vladimirovna Passenger")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Sign informed consent')")
    assert "Signed by Valentina Vladimirovna Passenger" in page.inner_text("#consent")
    assert "Transfer 150,000.00 USD" in page.inner_text("#payments")

    # Operations record the bank transfer (the service behind the admin form).
    booking = Booking.objects.get(user__username="valentina")
    assert booking.flight == Flight.objects.get(code="NS-42")
    services.payment_record(
        booking=booking, kind="deposit", amount="150000.00", reference="WIRE-NS42-0001",
        by=get_user_model().objects.get(username="ops"),
    )
    page.reload()
    assert page.inner_text("#booking-status") == "Reserved"
    assert fits_the_screen(page)
    assert "WIRE-NS42-0001" in page.inner_text("#payments")
    if SCREENSHOTS:
        page.screenshot(path=str(SCREENSHOTS / "booking-reserved.png"), full_page=True)
    page.click("nav >> text=My trips")
    assert "Reserved" in page.inner_text("main") and "NS-42" in page.inner_text("main")
