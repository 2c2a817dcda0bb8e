"""The demo certifies its commercial vehicles by evidence, with the guards on, and says so in disclosures."""

import pytest
from django.core.management import call_command

from flights import registry
from flights.models import Flight, Vehicle
from tests.verification.factories import record_in_review, sign
from verification import guards, selectors, services
from verification.models import Anomaly, Mishap, SignOff, VerificationFlight

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("load_demo")
    return {vehicle.serial: vehicle for vehicle in Vehicle.objects.select_related("model")}


def test_commercial_vehicles_are_certified_by_evidence_and_lihong_is_still_uncrewed(demo):
    states = {serial: selectors.vehicle_certification_get(v).state for serial, v in demo.items()}
    assert states == {"NS-RSS1": "certified_for_passengers", "VSS-UNITY": "certified_for_passengers",
                      "C206": "certified_for_passengers", "LH1-Y1": "uncertified"}
    lihong = selectors.vehicle_certification_get(demo["LH1-Y1"])
    assert lihong.shortfall == ["1 of 3 uncrewed verification flights count", "0 of 1 crewed verification flights count"]
    # The schedule guard let the demo's commercial flights through because the evidence is there.
    assert Flight.objects.filter(purpose="commercial", status="scheduled").count() == 6
    assert Anomaly.objects.filter(disposition="closed").count() >= 2


def test_the_demo_mishap_grounded_new_shepard_until_its_return_to_flight(demo):
    vehicle = demo["NS-RSS1"]
    assert vehicle.status == "active"
    moves = list(vehicle.status_changes.values_list("to_status", "reason"))
    assert moves[0][0] == "grounded" and moves[0][1].startswith("Mishap on flight NS-RSS1-V1:")
    assert moves[1] == ("active", "Return-to-flight verification flight NS-RSS1-V2 signed off")
    (state,) = selectors.vehicle_certification_get(vehicle).mishaps
    assert state.resolved and state.return_to_flight.record.flight.code == "NS-RSS1-V2"


def test_the_demo_chain_verifies_and_a_record_waits_in_the_queue(demo, capsys):
    call_command("verify_signoffs")
    assert capsys.readouterr().out.startswith("OK: ")
    assert [r.flight.code for r in selectors.signoff_queue()] == ["LH1-Y1-V2"]
    assert SignOff.objects.filter(signer__username="director2").exists()
    # Every demo signature is sealed, and nobody signed what they entered.
    assert not SignOff.objects.filter(mac="").exists()
    for review in selectors.record_reviews(selectors.record_queryset()):
        authors = services.content_authors(review.record)
        assert not any(view.signoff.signer_id in authors for view in review.signoffs)
    queued = selectors.record_review(selectors.signoff_queue().get())
    director2 = SignOff.objects.filter(signer__username="director2").first().signer
    assert "entered anomaly" in services.signing_refusal(queued, director2)


def test_loading_twice_adds_nothing(demo):
    def rows():
        return [list(model.objects.order_by("pk").values_list("pk", flat=True))
                for model in (VerificationFlight, SignOff, Mishap, Anomaly)]

    before = rows()
    call_command("load_demo")
    assert rows() == before


def test_disclosure_lists_verification_flights_anomalies_and_mishaps(demo):
    sections = registry.disclosure_sections.sections(demo["NS-RSS1"])
    (section,) = [s for s in sections if s.title == "Verification flights, anomalies and mishaps"]
    text = section.as_text()
    assert "- Certification state: Certified for passengers." in text
    assert "NS-RSS1-V1, uncrewed verification flight" in text and "rejected, does not count" in text
    assert "catastrophic: Engine nozzle structural failure at max-Q" in text
    assert "Mishap on flight NS-RSS1-V1" in text and ": resolved." in text
    facts = section.material_facts
    assert any(fact.startswith("Mishap #") and "NS-RSS1-V1" in fact for fact in facts)
    assert any("Engine nozzle structural failure" in fact and "Disposition: closed" in fact for fact in facts)
    assert any("One main parachute opened 0.8 s late" in fact and "accepted with flight rationale (" in fact for fact in facts)
    assert guards.disclosure_section(demo["NS-RSS1"]).material_facts == facts  # stable while nothing changes


def test_a_new_anomaly_changes_the_material_facts(operations, director):
    record = record_in_review(by=operations, anomalies=[dict(severity="major", title="Seal wear")])
    before = guards.disclosure_section(record.vehicle).material_facts
    sign(record, director)
    assert guards.disclosure_section(record.vehicle).material_facts == before  # a signature is not a new fact
    services.verification_reopen(record=record, by=director, reason="Disposition")
    services.anomaly_update(anomaly=record.anomalies.get(), by=operations, disposition="closed",
                            corrective_actions="Seal replaced")
    after = guards.disclosure_section(record.vehicle).material_facts
    assert after != before and "Disposition: closed." in after[0]
