"""In a real browser: a passenger submits the medical questionnaire, a flight surgeon clears it with a
restriction, and the passenger's booking on a flight beyond that restriction is refused, with the reason."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.flights.factories import (
    ItineraryFactory,
    OrbitalItineraryFactory,
    VehicleFactory,
    VehicleModelFactory,
    scheduled_flight,
)
from tests.medical import factories as f
from tests.verification.factories import certified_vehicle
from tourism.medical.models import MedicalClearance, MedicalDocument

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_questionnaire_restriction_and_refused_booking(new_page, passenger, surgeon, password, tmp_path,
                                                      operations, director, other_director):
    # Commercial flights fly certified vehicles only: certify both by signed-off verification flights.
    directors = [director, other_director]
    hop = scheduled_flight(code="NS-41", vehicle=certified_vehicle(ops=operations, directors=directors),
                           itinerary=ItineraryFactory(name="West Texas Suborbital Hop", peak_g=Decimal("5.5")))
    dragon = VehicleModelFactory(manufacturer="SpaceX", name="Crew Dragon", regime="orbital")
    station = scheduled_flight(code="AX-9", vehicle=certified_vehicle(ops=operations, directors=directors,
                                                                      vehicle=VehicleFactory(model=dragon)),
                               itinerary=OrbitalItineraryFactory(name="Orbital Station Stay", peak_g=Decimal("4.0")))

    # The passenger fills the questionnaire in steps, uploads an ECG and submits.
    pat = new_page()
    log_in(pat, passenger.username, password)
    pat.goto("/medical/")
    pat.click("text=Start a medical questionnaire")
    expect(pat.locator("h2")).to_have_text("Step 1: Medical conditions")
    for key in f.NO_CONDITIONS:
        pat.check(f"input[name={key}][value={'yes' if key == 'arrhythmia' else 'no'}]")
    pat.fill("textarea[name=arrhythmia_details]", "Paroxysmal atrial fibrillation, rate controlled since 2022.")
    pat.click("button[name=continue]")
    expect(pat.locator("h2")).to_have_text("Step 2: Medications, surgery and high-g experience")
    pat.fill("textarea[name=medications]", "Bisoprolol 2.5 mg daily")
    pat.fill("textarea[name=surgeries_last_12_months]", "none")
    pat.select_option("select[name=high_g_experience]", "none")
    pat.click("button[name=continue]")
    pat.fill("input[name=mass_kg]", "-72")  # a slip of the finger is refused plainly
    pat.fill("input[name=height_cm]", "178")
    pat.check("input[name=confirmed]")
    pat.click("button[name=continue]")
    expect(pat.locator("main")).to_contain_text("A mass below 20 kg is not possible for a passenger")
    pat.fill("input[name=mass_kg]", "72")
    pat.click("button[name=continue]")
    expect(pat.locator("h1")).to_have_text("Documents and submission")
    ecg = tmp_path / "resting-ecg.pdf"
    ecg.write_bytes(f.PDF)
    pat.select_option("select[name=kind]", "ecg")
    pat.set_input_files("input[name=file]", str(ecg))
    pat.click("text=Upload")
    expect(pat.locator(".messages")).to_contain_text("Document uploaded and stored encrypted.")
    pat.click("button[name=submit]")
    expect(pat.locator(".messages")).to_contain_text("Questionnaire submitted")
    assert MedicalDocument.objects.count() == 1

    # The flight surgeon takes it from the queue and clears it: suborbital only, at most 4 g.
    sam = new_page()
    log_in(sam, surgeon.username, password)
    sam.goto("/medical/review/")
    sam.click(f"text={passenger.get_full_name()}")
    expect(sam.locator("main")).to_contain_text("Conditions answered yes: Irregular heartbeat")
    sam.click("text=Start review")
    expect(sam.locator(".messages")).to_contain_text("Review started")
    with sam.expect_download() as download:
        sam.click("text=ECG: resting-ecg.pdf")
    assert download.value.path().read_bytes() == f.PDF
    sam.check("input[name=outcome][value=cleared_with_restrictions]")
    sam.fill("textarea[name=reasons]", "")  # a decision without reasons is refused
    sam.click("text=Record the decision")
    expect(sam.locator("#decision")).to_contain_text("This field is required.")
    sam.check("input[name=outcome][value=cleared_with_restrictions]")
    sam.fill("textarea[name=reasons]", "Rate-controlled AF: suborbital profiles only, peak load at most 4 g.")
    sam.uncheck("input[name=allowed_regimes][value=orbital]")
    sam.fill("input[name=max_g]", "4")
    sam.click("text=Record the decision")
    expect(sam.locator(".messages")).to_contain_text("Decision recorded")
    clearance = MedicalClearance.objects.get(passenger=passenger)
    assert clearance.status == "cleared_with_restrictions"

    # Back to the passenger: the restriction shows, and booking beyond it is refused with the reason.
    pat.goto("/medical/")
    expect(pat.locator("main")).to_contain_text("Suborbital only, max 4.0 g")
    pat.goto(f"/medical/eligibility/{hop.pk}/")
    refusal = pat.locator("#medical-refusal")
    expect(refusal).to_contain_text("A booking on this flight would be refused")
    expect(refusal).to_contain_text(
        "clearance allows at most 4.0 g; flight NS-41 (West Texas Suborbital Hop) peaks at 5.5 g."
    )
    pat.goto(f"/medical/eligibility/{station.pk}/")
    expect(pat.locator("#medical-refusal")).to_contain_text(
        re.compile(r"clearance is restricted to suborbital flights; flight AX-9 \(Orbital Station Stay\) is orbital\.")
    )
