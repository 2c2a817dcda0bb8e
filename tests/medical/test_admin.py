"""Admin: operations and flight directors see status, validity and restrictions; content stays private,
and whoever may open it there leaves an access-log row per page."""

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse

from flights import roles
from tests.medical import factories as f
from tests.twofactor import log_in
from tourism.medical import services
from tourism.medical.models import (
    ClearanceNote,
    MedicalAccessLog,
    MedicalClearance,
    MedicalDocument,
    MedicalExamination,
    MedicalQuestionnaire,
)

pytestmark = pytest.mark.django_db
PRIVATE = [MedicalQuestionnaire, ClearanceNote, MedicalExamination, MedicalDocument, MedicalAccessLog]


def url(model, page, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


@pytest.fixture
def record(passenger, surgeon):
    clearance = f.draft(passenger)
    services.document_upload(clearance=clearance, by=passenger, upload=f.upload("afib-letter.pdf"))
    services.clearance_submit(clearance=clearance, by=passenger)
    services.clearance_start_review(clearance=clearance, by=surgeon)
    services.examination_record(
        clearance=clearance, by=surgeon, kind="physical", performed_on=datetime.date.today(),
        outcome="satisfactory", findings="Irregular pulse noted.",
    )
    services.clearance_decide(
        clearance=clearance, by=surgeon, outcome="cleared_with_restrictions", reasons="Rate controlled wombat.",
        allowed_regimes=["suborbital"], max_g="4",
    )
    return clearance


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.test", "x" * 12)


def test_every_medical_model_is_registered_and_the_private_ones_are_named():
    registered = {m._meta.label_lower for m in admin.site._registry if m._meta.app_label == "medical"}
    assert registered == {"medical.medicalclearance"} | {m._meta.label_lower for m in PRIVATE}
    assert {m._meta.label_lower for m in PRIVATE} <= roles.PRIVATE_MODELS
    assert "medical.historicalmedicalquestionnaire" in roles.PRIVATE_MODELS


@pytest.mark.parametrize("who", ["operations", "director"])
def test_staff_see_status_validity_and_restrictions_but_no_content(client, request, record, who):
    log_in(client, request.getfixturevalue(who))
    listing = client.get(url(MedicalClearance, "changelist")).content.decode()
    assert "Cleared with restrictions" in listing and "Suborbital only, max 4.0 g" in listing
    page = client.get(url(MedicalClearance, "change", record.pk)).content.decode()
    assert "Suborbital only, max 4.0 g" in page and "Valid until" in page
    for secret in (f.SECRET_DETAIL, "wombat", "Irregular pulse", "afib-letter", "Apixaban"):
        assert secret not in listing and secret not in page
    assert client.get(url(MedicalClearance, "history", record.pk)).status_code == 200
    for model in PRIVATE:
        assert client.get(url(model, "changelist")).status_code == 403, model
    assert not MedicalAccessLog.objects.exists()


def test_clearances_are_read_only_in_admin(client, operations, record):
    log_in(client, operations)
    page = client.get(url(MedicalClearance, "change", record.pk)).content.decode()
    assert 'name="status"' not in page and 'name="max_g"' not in page
    assert client.post(url(MedicalClearance, "change", record.pk), {"max_g": "9"}).status_code == 403
    assert client.get(url(MedicalClearance, "add")).status_code == 403


def test_private_content_read_in_admin_is_logged(client, superuser, record):
    log_in(client, superuser)
    questionnaire = record.questionnaire
    pages = {
        MedicalQuestionnaire: (questionnaire.pk, f.SECRET_DETAIL, "questionnaire"),
        ClearanceNote: (record.notes.get().pk, "Rate controlled wombat.", "note"),
        MedicalExamination: (record.examinations.get().pk, "Irregular pulse noted.", "examination"),
        MedicalDocument: (record.documents.get().pk, "afib-letter.pdf", "document"),
    }
    for model, (pk, secret, record_type) in pages.items():
        listing = client.get(url(model, "changelist")).content.decode()
        assert secret not in listing  # lists show no content and log nothing
        assert not MedicalAccessLog.objects.filter(record_type=record_type).exists()
        page = client.get(url(model, "change", pk))
        assert page.status_code == 200 and secret in page.content.decode()
        log = MedicalAccessLog.objects.get(record_type=record_type)
        assert (log.accessed_by, log.record_id, log.channel, log.clearance) == (superuser, pk, "admin", record)


def test_questionnaire_history_versions_are_logged_reads(client, superuser, record):
    log_in(client, superuser)
    version = record.questionnaire.history.earliest("history_id")
    response = client.get(
        reverse("admin:medical_medicalquestionnaire_simple_history", args=[record.questionnaire.pk, version.history_id])
    )
    assert response.status_code == 200
    assert MedicalAccessLog.objects.filter(record_type="questionnaire", channel="admin").count() == 1


def test_the_access_log_itself_cannot_be_edited_or_deleted(client, superuser, record):
    services.access_log_record(reader=superuser, clearance=record, records=[("note", 1)], channel="admin")
    log = MedicalAccessLog.objects.get()
    log_in(client, superuser)
    assert client.get(url(MedicalAccessLog, "change", log.pk)).status_code == 200
    assert client.post(url(MedicalAccessLog, "change", log.pk), {"record_id": 2}).status_code == 403
    assert client.get(url(MedicalAccessLog, "add")).status_code == 403


def test_nothing_medical_can_be_deleted_in_admin_even_by_a_superuser(client, superuser, record):
    services.access_log_record(reader=superuser, clearance=record, records=[("note", 1)], channel="admin")
    log_in(client, superuser)
    for model in [MedicalClearance, *PRIVATE]:
        obj = model._default_manager.first()
        assert client.get(url(model, "delete", obj.pk)).status_code == 403, model
        client.post(url(model, "changelist"), {"action": "delete_selected", "_selected_action": [obj.pk]})
        assert model._default_manager.filter(pk=obj.pk).exists(), model
