"""Admin calls the services; a locked record is read-only there, and a forced POST changes nothing."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.twofactor import log_in
from tests.verification.factories import VerificationFlightFlownFactory, planned_record, record_in_review, sign
from verification import services
from verification.models import Attachment, CorrectiveAction, TestObjective, VerificationFlight

pytestmark = pytest.mark.django_db


def url(model, page, *args):
    return reverse(f"admin:verification_{model._meta.model_name}_{page}", args=args)


def form_data(client, address: str) -> dict:
    """Every input the change page renders (inline management forms included), as a browser would post it."""
    page = client.get(address).content.decode()
    return {name: value for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page)
            if name != "csrfmiddlewaretoken"}


def test_adding_a_record_in_admin_goes_through_the_service(client, operations):
    log_in(client, operations)
    flight = VerificationFlightFlownFactory()
    response = client.post(url(VerificationFlight, "add"), {"flight": flight.pk, "summary": "From admin",
                                                            "apogee_km": "107"}, follow=True)
    assert response.status_code == 200
    record = VerificationFlight.objects.get(flight=flight)
    assert (record.kind, record.vehicle, record.created_by, record.summary) == ("uncrewed", flight.vehicle, operations,
                                                                              "From admin")
    response = client.post(url(VerificationFlight, "add"), {"flight": flight.pk}, follow=True)
    assert "Verification flight with this Flight already exists." in response.content.decode()
    assert VerificationFlight.objects.filter(flight=flight).count() == 1


def test_a_locked_record_is_read_only_in_admin(client, operations, director):
    record = record_in_review(by=operations)
    sign(record, director)
    log_in(client, operations)
    address = url(VerificationFlight, "change", record.pk)
    page = client.get(address).content.decode()
    assert 'name="summary"' not in page and 'name="apogee_km"' not in page
    data = {**form_data(client, address), "summary": "rewritten in admin", "apogee_km": "1", "_save": "Save"}
    response = client.post(address, data)
    assert response.status_code == 302  # accepted as a save of nothing: every field is read-only
    record.refresh_from_db()
    assert record.summary == "Verification flight" and str(record.apogee_km) == "107.00"
    objective = record.objectives.get()
    page = client.get(url(TestObjective, "change", objective.pk)).content.decode()
    assert 'name="result"' not in page
    response = client.post(url(TestObjective, "change", objective.pk), {"result": "fail", "measured_result": "x"})
    assert response.status_code == 403
    assert TestObjective.objects.get(pk=objective.pk).result == "pass"


def test_editing_a_planned_record_in_admin_uses_the_services(client, operations):
    record = planned_record()
    log_in(client, operations)
    objective = record.objectives.get()
    response = client.post(url(TestObjective, "change", objective.pk), {
        "description": objective.description, "success_criterion": objective.success_criterion,
        "measured_result": "Landed 900 m out", "result": "partial", "flight_rationale": "Inside the range",
    }, follow=True)
    assert response.status_code == 200
    objective.refresh_from_db()
    assert (objective.result, objective.flight_rationale) == ("partial", "Inside the range")
    response = client.post(url(TestObjective, "add"), {
        "record": record.pk, "description": "Apogee", "success_criterion": "> 100 km", "measured_result": "",
        "result": "pending", "flight_rationale": "",
    }, follow=True)
    assert record.objectives.filter(sequence=2, description="Apogee").exists()
    response = client.post(url(TestObjective, "change", objective.pk), {
        "description": objective.description, "success_criterion": objective.success_criterion,
        "measured_result": "", "result": "pass", "flight_rationale": "",
    }, follow=True)
    assert "needs the measured result that supports it" in response.content.decode()


def test_attachment_upload_in_admin_stores_the_hash(client, operations):
    record = planned_record()
    log_in(client, operations)
    client.post(url(Attachment, "add"), {"record": record.pk, "kind": "photo", "title": "Landing",
                                         "file": SimpleUploadedFile("landing.jpg", b"\xff\xd8jpeg")}, follow=True)
    attachment = record.attachments.get()
    assert attachment.size_bytes == 6 and len(attachment.sha256) == 64 and attachment.uploaded_by == operations
    page = client.get(url(Attachment, "change", attachment.pk)).content.decode()
    assert attachment.get_absolute_url() in page


def test_sign_off_validity_column_and_no_signing_in_admin(client, operations, director):
    record = record_in_review(by=operations)
    sign(record, director)
    VerificationFlight.objects.filter(pk=record.pk).update(summary="tampered")
    log_in(client, operations)
    page = client.get(reverse("admin:verification_signoff_changelist")).content.decode()
    assert "Void: the record was changed after it was signed" in page
    assert client.get(reverse("admin:verification_signoff_add")).status_code == 403
    page = client.get(url(VerificationFlight, "changelist")).content.decode()
    assert "1 void" in page


def test_admin_actions_call_the_services(client, operations, director):
    record = planned_record()
    log_in(client, operations)
    client.post(url(VerificationFlight, "changelist"), {"action": "action_verification_mark_flown",
                                                        "_selected_action": [record.pk]})
    client.post(url(VerificationFlight, "changelist"), {"action": "action_verification_submit_for_review",
                                                        "_selected_action": [record.pk]})
    assert VerificationFlight.objects.get(pk=record.pk).status == "in_review"
    response = client.post(url(VerificationFlight, "changelist"), {
        "action": "action_verification_reopen", "_selected_action": [record.pk], "reason": "Fix"}, follow=True)
    assert "Only flight directors can reopen verification records" in response.content.decode()


def test_closing_a_corrective_action_in_admin(client, operations, director):
    record = record_in_review(by=operations)
    sign(record, director)
    mishap = services.mishap_declare(flight=record.flight, by=operations, description="Hard landing")
    action = services.corrective_action_add(mishap=mishap, by=operations, description="Replace the crush core")
    log_in(client, operations)
    response = client.post(url(CorrectiveAction, "changelist"), {
        "action": "action_corrective_action_close", "_selected_action": [action.pk], "reason": "Replaced and tested"},
        follow=True)
    assert "1 done" in response.content.decode()
    action.refresh_from_db()
    assert (action.status, action.closure_note) == ("closed", "Replaced and tested")
    page = client.get(reverse("admin:verification_mishap_changelist")).content.decode()
    assert "no uncrewed return-to-flight verification flight signed off since" in page


def test_admin_takes_the_launch_time_from_the_liftoff_and_refuses_another(client, operations):
    log_in(client, operations)
    flight = VerificationFlightFlownFactory()
    response = client.post(url(VerificationFlight, "add"), {
        "flight": flight.pk, "summary": "From admin", "launched_at_0": "2001-01-01", "launched_at_1": "00:00:00",
    }, follow=True)
    assert "recorded liftoff" in response.content.decode() and "cannot be entered by hand" in response.content.decode()
    assert not VerificationFlight.objects.filter(flight=flight).exists()
    client.post(url(VerificationFlight, "add"), {"flight": flight.pk, "summary": "From admin"}, follow=True)
    record = VerificationFlight.objects.get(flight=flight)
    assert record.launched_at == flight.launched_at and record.last_edited_by == operations
    page = client.get(url(VerificationFlight, "change", record.pk)).content.decode()
    assert 'name="launched_at_0"' not in page and 'name="summary"' in page  # read-only: the flight's liftoff
