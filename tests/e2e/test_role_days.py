"""Each role's day in a real browser, on a 390 px phone, from log-in (issue 14).

The passenger signs up, books, and reaches the medical questionnaire only by clicking their checklist;
the flight surgeon goes from their home to a decision; operations from their home to the launch
manifest; the flight director from their home to a sign-off and a Go/No-Go poll. The passenger's checklist
ends all green. Every page visited is scanned with axe-core and checked for sideways scrolling
(tests/e2e/audit.py). One browser, one log-in per person.

Steps that happen away from the portal (the bank transfer reaching the account, training on the
simulator, the security check at the spaceport) are recorded through the services, as operations would.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from flights.models import Position, PositionAssignment
from tests.conftest import PASSWORD
from tests.e2e.audit import PHONE, PageAudit
from tests.e2e.conftest import log_in
from tests.flights.factories import ItineraryFactory
from tests.medical import factories as medical
from tests.preflight.factories import screen, train_fully
from tests.tourism.factories import bookable_flight
from tests.verification.factories import certified_vehicle, record_in_review
from tourism import selectors, services
from tourism.models import Booking
from tourism.services.email_verification import email_verification_mark_verified

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser, live_server):
    contexts = []

    def make():
        context = browser.new_context(base_url=live_server.url, viewport=PHONE)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def tomorrow_flight(operations, director, other_director, surgeon):
    """A certified hop launching in 20 hours (so the 24-hour health statement is open), with its launch team."""
    vehicle = certified_vehicle(ops=operations, directors=[director, other_director])
    flight = bookable_flight(
        code="NS-77", vehicle=vehicle, flight_director=director,
        itinerary=ItineraryFactory(name="West Texas Suborbital Hop", peak_g=Decimal("5.0"), apogee_km=107,
                                   duration=dt.timedelta(minutes=11)),
        launch_at=timezone.now() + dt.timedelta(hours=20),
    )
    for position in Position.values:
        PositionAssignment.objects.create(flight=flight, position=position,
                                          person=surgeon if position == Position.MEDICAL else director)
    return flight


def test_each_role_walks_their_day(phone, tomorrow_flight, operations, surgeon, director, other_director, tmp_path):
    flight = tomorrow_flight
    audit = PageAudit()

    # --- Passenger: from the public flight page to sign-up, a held seat and consent -----------------------
    pat = phone()
    pat.goto("/")
    audit(pat)
    pat.goto(f"/catalog/flights/{flight.pk}/")  # the old catalog address lands on the one flight page
    assert pat.url.endswith(f"/flights/{flight.pk}/")
    expect(pat.locator("svg.flight-profile")).to_be_visible()
    expect(pat.locator("#profile-summary")).to_contain_text("Kármán line")
    expect(pat.locator("#operations")).to_have_count(0)  # no windows, readiness or history for visitors
    audit(pat)
    pat.click("#signup-to-book")
    audit(pat)
    pat.fill("input[name=username]", "nina")
    pat.fill("input[name=email]", "nina@example.test")
    pat.fill("input[name=first_name]", "Nina")
    pat.fill("input[name=last_name]", "Traveller")
    pat.fill("input[name=password1]", PASSWORD)
    pat.fill("input[name=password2]", PASSWORD)
    pat.fill("input[name=legal_name]", "Nina A. Traveller")
    pat.fill("input[name=date_of_birth]", "1985-04-12")
    pat.fill("input[name=nationality]", "DE")
    pat.fill("input[name=passport_number]", "C01X00T47")
    pat.fill("input[name=mass_kg]", "68")
    pat.fill("input[name=height_cm]", "171")
    pat.fill("[name=emergency_contact]", "Jonas Traveller, +49 30 1234567")
    pat.click("main button[type=submit]")
    expect(pat.locator(".messages")).to_contain_text("Welcome aboard")
    from django.contrib.auth import get_user_model

    nina = get_user_model().objects.get(username="nina")
    email_verification_mark_verified(user=nina)  # she followed the emailed link (tested in tourism)
    pat.goto(f"/flights/{flight.pk}/")
    audit(pat)
    pat.click("text=Hold a seat")
    expect(pat.locator(".messages")).to_contain_text("is held for you")
    booking = Booking.objects.get(user=nina)
    checklist = pat.locator(f"#checklist-{booking.pk}")
    expect(checklist.locator("[data-item=consent] .tag")).to_have_text("Not started")
    expect(checklist.locator("[data-item=health_statement] .tag")).to_have_text("Cannot start yet")
    audit(pat)
    pat.fill("#consent input[name=legal_name]", "Nina A. Traveller")
    pat.fill("#consent input[name=password]", PASSWORD)
    pat.click("#consent button[type=submit]")
    expect(pat.locator(".messages")).to_contain_text("Informed consent signed")
    expect(checklist.locator("[data-item=consent] .tag")).to_have_text("Done")

    # --- Operations: from today to the transfer to record, then (later) the manifest ----------------------
    ops = phone()
    log_in(ops, operations.username, PASSWORD)
    expect(ops.locator("h1")).to_have_text("Operations today")
    expect(ops.locator("#transfers")).to_contain_text(f"Booking #{booking.pk}")
    expect(ops.locator("#manifests")).to_contain_text("NS-77 manifest")
    audit(ops)
    # The wires reach the account; training and the security check happen at the spaceport.
    services.payment_record(booking=booking, kind="deposit", amount=booking.deposit, reference="WIRE-1", by=operations)
    booking.refresh_from_db()
    services.payment_record(booking=booking, kind="balance", reference="WIRE-2", by=operations,
                            amount=booking.price - selectors.booking_amount_paid(booking))
    train_fully(booking, by=operations)
    screen(booking, by=operations)

    # --- Passenger: the medical questionnaire, reached from the checklist ---------------------------------
    pat.goto(booking.get_absolute_url())
    expect(checklist.locator("[data-item=balance] .tag")).to_have_text("Done")
    expect(checklist.locator("[data-item=training_complete] .tag")).to_have_text("Done")
    checklist.locator("[data-item=medical_questionnaire] a", has_text="Medical questionnaire").click()
    audit(pat)
    pat.click("text=Start a medical questionnaire")
    for key in medical.NO_CONDITIONS:
        pat.check(f"input[name={key}][value=no]")
    audit(pat)
    pat.click("button[name=continue]")
    pat.fill("textarea[name=medications]", "none")
    pat.fill("textarea[name=surgeries_last_12_months]", "none")
    pat.select_option("select[name=high_g_experience]", "none")
    pat.click("button[name=continue]")
    pat.fill("input[name=mass_kg]", "68")
    pat.fill("input[name=height_cm]", "171")
    pat.check("input[name=confirmed]")
    pat.click("button[name=continue]")
    expect(pat.locator("h1")).to_have_text("Documents and submission")
    ecg = tmp_path / "resting-ecg.pdf"
    ecg.write_bytes(medical.PDF)
    pat.select_option("select[name=kind]", "ecg")
    pat.set_input_files("input[name=file]", str(ecg))
    pat.click("text=Upload")
    expect(pat.locator(".messages")).to_contain_text("Document uploaded")
    audit(pat)
    pat.click("button[name=submit]")
    expect(pat.locator(".messages")).to_contain_text("Questionnaire submitted")
    pat.goto(booking.get_absolute_url())
    expect(checklist.locator("[data-item=medical_clearance] .tag")).to_have_text("Waiting for us")

    # --- Flight surgeon: from their home to a decision -----------------------------------------------------
    sam = phone()
    log_in(sam, surgeon.username, PASSWORD)
    expect(sam.locator("h1")).to_contain_text("Medical reviews waiting for you")
    audit(sam)
    sam.click("#surgeon-queue >> text=Nina Traveller")
    sam.click("text=Start review")
    expect(sam.locator(".messages")).to_contain_text("Review started")
    audit(sam)
    sam.check("input[name=outcome][value=cleared]")
    sam.fill("textarea[name=reasons]", "No conditions; fit for a suborbital profile up to 6 g.")
    sam.click("text=Record the decision")
    expect(sam.locator(".messages")).to_contain_text("Decision recorded")

    # --- Passenger: health statement and waiver from the checklist, then all green ------------------------
    pat.goto(booking.get_absolute_url())
    checklist.locator("[data-item=health_statement] a").first.click()
    audit(pat)
    pat.check("input[name=confirm]")
    pat.click("main button:has-text('Certify')")
    pat.goto(booking.get_absolute_url())
    checklist.locator("[data-item=waiver_of_claims_signed] a").first.click()
    audit(pat)
    pat.fill("input[name=legal_name]", "Nina A. Traveller")
    pat.click("text=Sign the waiver of claims")
    pat.goto(booking.get_absolute_url())
    expect(checklist.locator("h2")).to_have_text("Ready to fly")
    tags = checklist.locator(".tag")
    assert tags.count() >= 10 and set(tags.all_inner_texts()) == {"Done"}
    audit(pat)
    pat.click("text=My trips")
    expect(pat.locator(f"#trip-{booking.pk}")).to_contain_text("Ready to fly")
    audit(pat)

    # --- Operations: from today to the manifest ------------------------------------------------------------
    ops.reload()
    ops.click("#manifests >> text=NS-77 manifest")
    expect(ops.locator("main")).to_contain_text("Nina A. Traveller")
    audit(ops)
    ops.goto(f"/flights/{flight.pk}/")
    expect(ops.locator("#operations")).to_be_visible()  # windows, readiness and history for staff
    audit(ops)

    # --- Flight director: from their home to a sign-off and a Go/No-Go poll --------------------------------
    record = record_in_review(by=operations)
    dana = phone()
    log_in(dana, director.username, PASSWORD)
    expect(dana.locator("h1")).to_have_text("Flight director")
    audit(dana)
    dana.click(f"#signoff-queue >> text={record.flight.code}")
    audit(dana)
    dana.click("text=Review and sign")
    dana.check("input[name=decision][value=approve]")
    dana.fill("input[name=password]", PASSWORD)
    audit(dana)
    dana.click("button:has-text('Sign')")
    expect(dana.locator("main")).to_contain_text(f"You approved {record.flight.code}")
    dana.click("text=Director's home")
    dana.click("#my-launches >> text=Go/No-Go board")
    dana.click("#open-poll")
    expect(dana.locator("#poll-status")).to_have_text("Open")
    # GO and Scrub cannot be confused: GO is a green button, Scrub is folded away in red with a reason.
    assert "go" in dana.get_attribute("#declare-go", "class")
    expect(dana.locator("#scrub")).to_be_hidden()
    audit(dana)
    dana.click("#scrub-zone summary")
    assert "danger" in dana.get_attribute("#scrub", "class")
    expect(dana.locator("#scrub-reason")).to_be_visible()

    assert len(audit.visited) >= 20, audit.visited
