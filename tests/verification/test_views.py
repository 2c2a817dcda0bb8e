"""The flight director portal: queue, record, signing with the password, certification pages."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.flights.factories import VehicleFactory, VehicleModelFactory
from tests.querycounts import assert_flat_queries
from tests.twofactor import log_in
from tests.verification.factories import planned_record, record_in_review, sign
from verification import selectors, services
from verification.models import VerificationFlight

pytestmark = pytest.mark.django_db


def sign_url(record):
    return reverse("verification:sign-off", args=[record.pk])


def reviewed(record, **data) -> dict:
    """The sign-off form as posted: with the hash of the record as the director saw it."""
    return {"record_hash": selectors.record_review(selectors.record_queryset().get(pk=record.pk)).current_hash, **data}


@pytest.mark.parametrize("name,args", [
    ("verification:queue", []), ("verification:record-detail", [1]), ("verification:sign-off", [1]),
    ("verification:vehicle-list", []), ("verification:vehicle-certification", [1]),
    ("verification:attachment-download", [1]),
])
def test_pages_need_a_director_or_operations(client, passenger, surgeon, name, args):
    url = reverse(name, args=args)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    for user in (passenger, surgeon):
        log_in(client, user)
        response = client.get(url)
        assert response.status_code == 403
        assert "open to flight directors and operations staff only" in response.content.decode()


def test_queue_lists_records_awaiting_sign_off(client, director, operations, other_director):
    waiting = record_in_review(by=operations, crewed=True)
    sign(waiting, director)
    flown = planned_record()
    services.verification_mark_flown(record=flown, by=operations)
    signed = record_in_review(by=operations)
    sign(signed, other_director)
    log_in(client, director)
    page = client.get(reverse("verification:queue")).content.decode()
    queue, not_submitted = page.split("Flown, not yet submitted")
    assert waiting.flight.code in queue and "1 of 2" in queue and signed.flight.code not in page
    assert flown.flight.code in not_submitted


def test_queue_query_count_is_flat(client, director, operations):
    log_in(client, director)
    sign(record_in_review(by=operations), director)  # sign-off #1 needs no chain look-up; the rest do

    def add(n):
        for _ in range(n):
            sign(record_in_review(by=operations, crewed=True), director)  # one of two signatures: still queued

    # 13: the filter form's vehicle choices among them.
    assert_flat_queries(lambda: client.get(reverse("verification:queue")), add, expected=13)


def test_record_page_shows_the_evidence_and_the_sign_off(client, director, operations):
    record = planned_record(anomalies=[dict(severity="major", title="Late chute", disposition="accepted",
                                            flight_rationale="Two chutes suffice")])
    services.attachment_add(record=record, by=operations, title="Telemetry summary",
                            file=SimpleUploadedFile("t.csv", b"0,0\n"))
    services.verification_mark_flown(record=record, by=operations)
    services.verification_submit_for_review(record=record, by=operations)
    log_in(client, director)
    page = client.get(record.get_absolute_url()).content.decode()
    for text in ("Capsule lands within 1 km of target", "Late chute", "Two chutes suffice", "Telemetry summary",
                 "No sign-offs yet.", "Review and sign", "Planned → Flown", "Flown → In review", "UTC"):
        assert text in page, text
    sign(record, director)
    page = client.get(record.get_absolute_url()).content.decode()
    assert "#1 Approve</strong> by Dana Tester" in page and "Valid" in page and "Review and sign" not in page


def test_operations_read_but_get_no_sign_button(client, operations):
    record = record_in_review(by=operations)
    log_in(client, operations)
    page = client.get(record.get_absolute_url()).content.decode()
    assert record.flight.code in page and "Review and sign" not in page and "Reopen" not in page


def test_sign_off_with_the_password(client, director, operations):
    record = record_in_review(by=operations)
    log_in(client, director)
    page = client.get(sign_url(record)).content.decode()
    assert "Objectives met; safe to proceed to crewed flights." in page and "Record SHA-256" in page
    response = client.post(sign_url(record), reviewed(record, decision="approve", meaning="Objectives met", password="wrong"))
    assert response.status_code == 200
    assert "The password is not correct: re-enter your own password to sign." in response.content.decode()
    assert not record.signoffs.exists()
    response = client.post(sign_url(record), reviewed(record, decision="approve", meaning="Objectives met",
                                                      password=PASSWORD), follow=True)
    assert response.redirect_chain[-1][0] == record.get_absolute_url()
    assert f"You approved {record.flight.code} (sign-off #1)." in response.content.decode()
    record.refresh_from_db()
    assert record.status == "signed_off"


@pytest.mark.parametrize("data,message", [
    ({"decision": "approve", "meaning": "", "password": PASSWORD}, "This field is required."),
    ({"decision": "reject", "meaning": "Not safe", "password": PASSWORD}, "A rejection needs a comment saying why."),
    ({"decision": "perhaps", "meaning": "x", "password": PASSWORD}, "Select a valid choice."),
    ({"decision": "approve", "meaning": "x"}, "This field is required."),
])
def test_sign_off_form_refuses_bad_input(client, director, operations, data, message):
    record = record_in_review(by=operations)
    log_in(client, director)
    response = client.post(sign_url(record), reviewed(record, **data))
    assert response.status_code == 200 and message in response.content.decode()
    assert not record.signoffs.exists()


def test_open_critical_anomaly_refusal_shows_on_the_form(client, director, operations):
    record = record_in_review(by=operations, anomalies=[dict(severity="critical", title="Valve leak")])
    log_in(client, director)
    page = client.get(sign_url(record)).content.decode()
    assert "Critical anomaly “Valve leak” is open: this record cannot be approved." in page
    response = client.post(sign_url(record), reviewed(record, decision="approve", meaning="OK", password=PASSWORD))
    assert "is open without a flight rationale" in response.content.decode()


def test_a_record_changed_since_the_director_opened_it_is_not_signed(client, director, operations):
    record = record_in_review(by=operations)
    log_in(client, director)
    form = reviewed(record, decision="approve", meaning="Objectives met", password=PASSWORD)
    services.verification_reopen(record=record, by=director, reason="Typo")  # meanwhile, another tab
    services.objective_update(objective=record.objectives.get(), by=operations, measured_result="Landed 990 m out")
    services.verification_mark_flown(record=record, by=operations)
    services.verification_submit_for_review(record=record, by=operations)
    response = client.post(sign_url(record), form, follow=True)
    assert response.redirect_chain[-1][0] == record.get_absolute_url()
    assert "changed after you opened it for review" in response.content.decode()
    assert not record.signoffs.filter(voided_at__isnull=True).exists()
    assert client.post(sign_url(record), {**form, "record_hash": ""}).status_code == 200  # tampered form: refused


def test_operations_cannot_sign_through_the_form(client, operations):
    record = record_in_review(by=operations)
    log_in(client, operations)
    response = client.post(sign_url(record), reviewed(record, decision="approve", meaning="OK", password=PASSWORD))
    assert "Only flight directors can sign off verification flights: olive is not a flight director." in response.content.decode()


def test_submit_and_reopen_from_the_record_page(client, director, operations):
    record = planned_record()
    services.verification_mark_flown(record=record, by=operations)
    log_in(client, operations)
    response = client.post(reverse("verification:record-submit", args=[record.pk]), follow=True)
    assert f"{record.flight.code} is in the sign-off queue." in response.content.decode()
    response = client.post(reverse("verification:record-reopen", args=[record.pk]), {"reason": "x"}, follow=True)
    assert "Only flight directors can reopen verification records" in response.content.decode()
    log_in(client, director)
    response = client.post(reverse("verification:record-reopen", args=[record.pk]), {"reason": ""}, follow=True)
    assert "Give a reason to reopen a verification record." in response.content.decode()
    response = client.post(reverse("verification:record-reopen", args=[record.pk]), {"reason": "Fix apogee"}, follow=True)
    assert "is reopened; its sign-offs are void." in response.content.decode()
    assert VerificationFlight.objects.get(pk=record.pk).status == "reopened"
    assert client.get(reverse("verification:record-submit", args=[record.pk])).status_code == 405


def test_attachments_are_served_only_through_the_authenticated_view(client, director, operations, settings):
    record = planned_record()
    attachment = services.attachment_add(record=record, by=operations, title="Photo",
                                         file=SimpleUploadedFile("<script>.html", b"<script>alert(1)</script>"))
    url = attachment.get_absolute_url()
    assert client.get(url).status_code == 302
    log_in(client, director)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"<script>alert(1)</script>"
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert client.get("/" + attachment.file.name).status_code == 404  # MEDIA_ROOT is not served by URL
    attachment.file.storage.delete(attachment.file.name)
    assert client.get(url).status_code == 404


def test_vehicle_pages_show_certification_and_are_flat(client, director, operations):
    log_in(client, director)
    model = VehicleModelFactory(required_uncrewed_flights=1, required_crewed_flights=1)
    vehicle = VehicleFactory(model=model)
    sign(record_in_review(by=operations, vehicle=vehicle), director)
    page = client.get(reverse("verification:vehicle-certification", args=[vehicle.pk])).content.decode()
    assert 'id="certification-state">Uncrewed phase complete<' in page
    assert "0 of 1 crewed verification flights count" in page and "<strong>Yes</strong>" in page

    def add(n):
        for _ in range(n):
            sign(record_in_review(by=operations, vehicle=VehicleFactory(model=model)), director)

    # 15: the filter form's vehicle model and spaceport choices among them.
    assert_flat_queries(lambda: client.get(reverse("verification:vehicle-list")), add, expected=15)
