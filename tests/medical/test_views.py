"""The portal: the passenger's questionnaire in steps, the surgeons' queue and review, refusals as form errors."""

import datetime as dt

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.conftest import make_user
from tests.flights.factories import ItineraryFactory, scheduled_flight
from tests.medical import factories as f
from tests.querycounts import assert_flat_queries
from tests.twofactor import log_in
from tourism.medical import services
from tourism.medical.models import MedicalAccessLog, MedicalClearance, MedicalDocument

pytestmark = pytest.mark.django_db


def step(section):
    return reverse("medical:questionnaire-step", kwargs={"section": section})


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def as_passenger(client, passenger):
    client.force_login(passenger)
    return client


@pytest.fixture
def as_surgeon(client, surgeon):
    log_in(client, surgeon)
    return client


# --- The passenger ---------------------------------------------------------------------------------


def test_a_passenger_fills_the_questionnaire_step_by_step_and_submits(as_passenger, passenger):
    page = as_passenger.get(reverse("medical:home"))
    assert "Start a medical questionnaire" in text(page)
    response = as_passenger.post(reverse("medical:questionnaire-start"))
    assert response.status_code == 302 and response["Location"] == step("conditions")
    page = text(as_passenger.get(step("conditions")))
    assert "Irregular heartbeat (arrhythmia)" in page and "Pregnancy" in page and "Save draft" in page

    response = as_passenger.post(step("conditions"), {**f.ANSWERS["conditions"], "continue": "1"})
    assert response["Location"] == step("history")
    response = as_passenger.post(step("history"), {**f.ANSWERS["history"], "continue": "1"})
    assert response["Location"] == step("body")
    response = as_passenger.post(step("body"), {**f.ANSWERS["body"], "continue": "1"})
    assert response["Location"] == reverse("medical:questionnaire-review")

    review = text(as_passenger.get(reverse("medical:questionnaire-review")))
    assert f.SECRET_DETAIL in review and "72.5 kg" in review and "Still incomplete" not in review
    response = as_passenger.post(reverse("medical:questionnaire-review"), {"submit": "1"}, follow=True)
    assert "Questionnaire submitted" in text(response)
    assert MedicalClearance.objects.get(passenger=passenger).status == "submitted"


def test_drafts_keep_partial_answers(as_passenger, passenger):
    as_passenger.post(reverse("medical:questionnaire-start"))
    response = as_passenger.post(step("body"), {"mass_kg": "81", "save_draft": "1"}, follow=True)
    assert "Draft saved" in text(response)
    assert 'value="81.0"' in text(response)
    assert MedicalClearance.objects.get().questionnaire.answers == {"body": {"mass_kg": "81.0"}}


def test_impossible_values_are_shown_as_form_errors(as_passenger):
    as_passenger.post(reverse("medical:questionnaire-start"))
    response = as_passenger.post(step("body"), {"mass_kg": "-70", "height_cm": "178", "confirmed": "on", "continue": "1"})
    assert response.status_code == 200
    assert "A mass below 20 kg is not possible for a passenger" in text(response)
    response = as_passenger.post(step("conditions"), {**f.NO_CONDITIONS, "diabetes": "yes", "continue": "1"})
    assert "You answered yes to “Diabetes”: describe it for the flight surgeon." in text(response)
    assert MedicalClearance.objects.get().questionnaire.answers == {}


def test_submitting_an_incomplete_questionnaire_is_refused(as_passenger):
    as_passenger.post(reverse("medical:questionnaire-start"))
    response = as_passenger.post(reverse("medical:questionnaire-review"), {"submit": "1"})
    page = text(response)
    assert "Complete every section before submitting; still incomplete: Medical conditions" in page
    assert MedicalClearance.objects.get().status == "draft"


def test_unknown_section_is_404_and_no_open_questionnaire_redirects(as_passenger):
    assert as_passenger.get(step("blood-type")).status_code == 404
    response = as_passenger.get(step("body"), follow=True)
    assert "You have no questionnaire open for changes." in text(response)


def test_starting_twice_is_refused_with_a_message(as_passenger, passenger):
    f.submitted(passenger)
    response = as_passenger.post(reverse("medical:questionnaire-start"), follow=True)
    assert "already have a medical questionnaire in progress" in text(response)


def test_documents_upload_encrypted_and_download_for_the_passenger(as_passenger, passenger):
    clearance = f.draft(passenger)
    url = reverse("medical:document-upload", args=[clearance.pk])
    response = as_passenger.post(url, {"kind": "ecg", "file": f.upload("resting-ecg.pdf", f.PDF)}, follow=True)
    assert "Document uploaded and stored encrypted." in text(response)
    assert "ECG: resting-ecg.pdf" in text(response)
    document = MedicalDocument.objects.get()
    download = as_passenger.get(reverse("medical:document-download", args=[document.pk]))
    assert download.status_code == 200 and download.content == f.PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == f'attachment; filename="medical-document-{document.pk}.pdf"'
    assert download["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    "upload,error",
    [
        (SimpleUploadedFile("ecg.pdf", b"GIF89a....", content_type="application/pdf"),
         "Only PDF, PNG and JPEG documents are accepted"),
        (SimpleUploadedFile("big.pdf", f.PDF + b"0" * 2048, content_type="application/pdf"),
         "documents may be at most 0 MB"),
        (None, "This field is required."),
    ],
)
def test_bad_uploads_are_refused_on_the_page(as_passenger, passenger, settings, upload, error):
    settings.MEDICAL_DOCUMENT_MAX_BYTES = 1024
    clearance = f.draft(passenger)
    data = {"kind": "ecg"} | ({"file": upload} if upload else {})
    response = as_passenger.post(reverse("medical:document-upload", args=[clearance.pk]), data)
    assert response.status_code == 400
    assert error in text(response)
    assert not MedicalDocument.objects.exists()


def test_answering_a_request_for_information(as_passenger, passenger, surgeon):
    clearance = f.in_status("information_requested", passenger, surgeon)
    home = text(as_passenger.get(reverse("medical:home")))
    assert "A flight surgeon asked for more information." in home
    review = text(as_passenger.get(reverse("medical:questionnaire-review")))
    assert "Send your cardiologist&#x27;s letter." in review
    response = as_passenger.post(reverse("medical:questionnaire-review"), {"submit": "1", "reply": ""})
    assert "Answer the flight surgeon&#x27;s request before submitting again." in text(response)
    as_passenger.post(reverse("medical:questionnaire-review"), {"submit": "1", "reply": "Letter uploaded."})
    clearance.refresh_from_db()
    assert clearance.status == "submitted"


def test_the_passenger_reads_the_decision_with_its_reasons_and_who_read_the_record(as_passenger, passenger, surgeon):
    clearance = f.restricted(passenger, surgeon, reasons="Arrhythmia needs a gentler profile.")
    page = text(as_passenger.get(reverse("medical:home")))
    assert "Cleared with restrictions" in page and "Suborbital only, max 4.0 g" in page
    detail = text(as_passenger.get(clearance.get_absolute_url()))
    assert "Arrhythmia needs a gentler profile." in detail and f.SECRET_DETAIL in detail
    assert "Who read this record" in detail and "Viewed questionnaire answers" in detail


def test_eligibility_page_shows_why_a_booking_would_be_refused(as_passenger, passenger, surgeon):
    f.restricted(passenger, surgeon, allowed_regimes=["suborbital", "orbital"], max_g="4")
    flight = scheduled_flight(code="NS-41", itinerary=ItineraryFactory(name="West Texas Suborbital Hop"))
    page = text(as_passenger.get(reverse("medical:eligibility", args=[flight.pk])))
    assert "A booking on this flight would be refused" in page
    assert (
        "Medical: Pat Tester&#x27;s clearance allows at most 4.0 g; flight NS-41 (West Texas Suborbital Hop) "
        "peaks at 5.5 g." in page
    )
    assert "You certify this in the final 24 hours before launch" in page


def test_self_certifying_on_the_eligibility_page(as_passenger, passenger, surgeon):
    f.decided(passenger, surgeon)
    flight = scheduled_flight()
    # The flight now leaves within the day (the page asks the real clock).
    type(flight).objects.filter(pk=flight.pk).update(launch_at=timezone.now() + dt.timedelta(hours=6))
    url = reverse("medical:eligibility", args=[flight.pk])
    assert "self_certification_missing" in text(as_passenger.get(url))
    response = as_passenger.post(url, {})
    assert response.status_code == 400 and "This field is required." in text(response)
    response = as_passenger.post(url, {"confirm": "on"}, follow=True)
    page = text(response)
    assert f"Recorded: no change in your health before flight {flight.code}." in page
    assert "Medically eligible for flight" in page


def test_self_certifying_too_early_is_refused_on_the_page(as_passenger, passenger, surgeon):
    f.decided(passenger, surgeon)
    flight = scheduled_flight()
    response = as_passenger.post(reverse("medical:eligibility", args=[flight.pk]), {"confirm": "on"})
    assert response.status_code == 400
    assert f"Self-certification for flight {flight.code} opens 24 hours before launch" in text(response)


# --- The flight surgeon ----------------------------------------------------------------------------


def test_queue_lists_submissions_soonest_flight_first(as_surgeon, surgeon, django_user_model, flights_of_passengers):
    later, sooner, unknown = (make_user(django_user_model, name, "Passenger") for name in ("lee", "sol", "uma"))
    for person in (unknown, later, sooner):
        f.submitted(person)
    flights_of_passengers[later.pk] = [scheduled_flight(code="VG-13", launch_at=scheduled_flight().launch_at + dt.timedelta(days=40))]
    flights_of_passengers[sooner.pk] = [scheduled_flight(code="NS-41")]
    f.draft(make_user(django_user_model, "dan", "Passenger"))  # drafts are not in the queue
    page = text(as_surgeon.get(reverse("medical:review-queue")))
    assert page.index("Sol Tester") < page.index("Lee Tester") < page.index("Uma Tester")
    assert "NS-41" in page and "Dan Tester" not in page


def test_queue_query_count_is_flat(as_surgeon, django_user_model, flights_of_passengers):
    counter = iter(range(1000))

    def add(n):
        for _ in range(n):
            person = make_user(django_user_model, f"q{next(counter)}", "Passenger")
            f.submitted(person)

    assert_flat_queries(lambda: as_surgeon.get(reverse("medical:review-queue")), add, expected=5)


def test_my_medical_page_query_count_is_flat(as_passenger, passenger, surgeon, django_user_model):
    def add(n):
        for _ in range(n):
            f.decided(passenger, surgeon)

    assert_flat_queries(lambda: as_passenger.get(reverse("medical:home")), add, expected=7)


def test_a_surgeon_reviews_requests_information_and_decides(as_surgeon, passenger, surgeon, django_capture_on_commit_callbacks):
    clearance = f.submitted(passenger)
    page = text(as_surgeon.get(reverse("medical:review-detail", args=[clearance.pk])))
    assert "Conditions answered yes: Irregular heartbeat" in page and "Start review" in page
    as_surgeon.post(reverse("medical:review-start", args=[clearance.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        response = as_surgeon.post(
            reverse("medical:review-request-information", args=[clearance.pk]),
            {"message": "Please upload the Holter report."}, follow=True,
        )
    assert "Request sent" in text(response)
    assert len(mail.outbox) == 1 and "Holter" not in mail.outbox[0].body
    services.clearance_submit(clearance=clearance, by=passenger, reply="Uploaded.")
    as_surgeon.post(reverse("medical:review-start", args=[clearance.pk]))
    exam = as_surgeon.post(
        reverse("medical:review-examination", args=[clearance.pk]),
        {"kind": "physical", "performed_on": dt.date.today().isoformat(), "outcome": "satisfactory",
         "findings": "Normal."}, follow=True,
    )
    assert "Examination recorded." in text(exam)
    response = as_surgeon.post(
        reverse("medical:review-decide", args=[clearance.pk]),
        {"outcome": "cleared_with_restrictions", "reasons": "Rate controlled.", "allowed_regimes": ["suborbital"],
         "max_g": "4"}, follow=True,
    )
    assert "Decision recorded" in text(response)
    clearance.refresh_from_db()
    assert (clearance.status, clearance.allowed_regimes, str(clearance.max_g)) == (
        "cleared_with_restrictions", ["suborbital"], "4.0"
    )


@pytest.mark.parametrize(
    "data,error",
    [
        ({"outcome": "cleared", "reasons": ""}, "This field is required."),
        ({"outcome": "cleared_with_restrictions", "reasons": "Fine", "allowed_regimes": ["suborbital", "orbital"]},
         "Cleared with restrictions needs a restriction"),
        ({"outcome": "cleared", "reasons": "Fine", "allowed_regimes": ["suborbital", "orbital"], "max_g": "-3"},
         "-3.0 g is not possible"),
        ({"outcome": "sort_of", "reasons": "Fine"}, "Select a valid choice."),
    ],
)
def test_bad_decisions_show_on_the_form(as_surgeon, passenger, surgeon, data, error):
    clearance = f.under_review(passenger, surgeon)
    response = as_surgeon.post(reverse("medical:review-decide", args=[clearance.pk]), data)
    assert response.status_code == 400
    assert error in text(response)
    clearance.refresh_from_db()
    assert clearance.status == "under_review"


def test_refused_moves_show_as_messages(as_surgeon, passenger, surgeon):
    clearance = f.decided(passenger, surgeon)
    response = as_surgeon.post(reverse("medical:review-start", args=[clearance.pk]), follow=True)
    assert f"Cannot start the review of medical clearance #{clearance.pk} (pat): it is cleared." in text(response)


def test_a_surgeon_cannot_act_on_their_own_clearance(as_surgeon, surgeon):
    clearance = f.submitted(surgeon)
    page = text(as_surgeon.get(reverse("medical:review-detail", args=[clearance.pk])))
    assert "another flight surgeon must review it" in page and "Start review" not in page
    response = as_surgeon.post(reverse("medical:review-start", args=[clearance.pk]), follow=True)
    assert "may not review their own medical clearance" in text(response)


# --- Every read leaves a trace -----------------------------------------------------------------------


def test_each_page_that_shows_medical_content_logs_the_read(client, passenger, surgeon):
    clearance = f.draft(passenger)
    document = services.document_upload(clearance=clearance, by=passenger, upload=f.upload())
    services.clearance_submit(clearance=clearance, by=passenger)
    services.clearance_start_review(clearance=clearance, by=surgeon)
    note = services.note_add(clearance=clearance, by=surgeon, body="Called the cardiologist.")

    log_in(client, surgeon)
    client.get(reverse("medical:review-detail", args=[clearance.pk]))
    logs = MedicalAccessLog.objects.filter(accessed_by=surgeon, channel="portal")
    assert set(logs.values_list("record_type", "record_id")) == {
        ("questionnaire", clearance.questionnaire.pk), ("document", document.pk), ("note", note.pk),
    }
    assert all(log.path == reverse("medical:review-detail", args=[clearance.pk]) for log in logs)
    client.get(reverse("medical:document-download", args=[document.pk]))
    download = MedicalAccessLog.objects.get(action="download")
    assert (download.accessed_by, download.record_type, download.record_id) == (surgeon, "document", document.pk)

    client.force_login(passenger)
    client.get(clearance.get_absolute_url())
    assert MedicalAccessLog.objects.filter(accessed_by=passenger, record_type="note", record_id=note.pk).count() == 1


def test_editing_a_step_logs_the_questionnaire_read(as_passenger, passenger):
    clearance = f.draft(passenger)
    as_passenger.get(step("body"))
    log = MedicalAccessLog.objects.get()
    assert (log.accessed_by, log.record_type, log.record_id, log.channel) == (
        passenger, "questionnaire", clearance.questionnaire.pk, "portal"
    )


def test_status_only_pages_log_nothing(as_passenger, passenger, surgeon):
    f.decided(passenger, surgeon)
    as_passenger.get(reverse("medical:home"))
    flight = scheduled_flight()
    as_passenger.get(reverse("medical:eligibility", args=[flight.pk]))
    assert not MedicalAccessLog.objects.exists()


def test_pages_load_no_third_party_assets_and_no_inline_script(as_passenger, passenger):
    f.draft(passenger)
    for url in (reverse("medical:home"), step("conditions"), reverse("medical:questionnaire-review")):
        page = text(as_passenger.get(url))
        assert "https://" not in page and "<script>" not in page
