"""Every move of the clearance lifecycle and every refusal, with the message a person reads."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from flights.exceptions import InvalidInput, InvalidTransition
from tests.flights.factories import scheduled_flight
from tests.medical import factories as f
from tourism.medical import services
from tourism.medical.exceptions import ClearanceConflict, InvalidDocument, MedicalAccessDenied, SelfCertificationRefused
from tourism.medical.models import ClearanceNote, MedicalClearance, MedicalDocument, MedicalExamination

pytestmark = pytest.mark.django_db
Status = MedicalClearance.Status

MOVES = {
    Status.SUBMITTED: lambda c, p, s: services.clearance_submit(clearance=c, by=p, reply="Letter attached."),
    Status.UNDER_REVIEW: lambda c, p, s: services.clearance_start_review(clearance=c, by=s),
    Status.INFORMATION_REQUESTED: lambda c, p, s: services.clearance_request_information(
        clearance=c, by=s, message="Please send a recent ECG."
    ),
    Status.CLEARED: lambda c, p, s: services.clearance_decide(clearance=c, by=s, outcome="cleared", reasons="Fit."),
    Status.CLEARED_WITH_RESTRICTIONS: lambda c, p, s: services.clearance_decide(
        clearance=c, by=s, outcome="cleared_with_restrictions", reasons="Fit for suborbital.",
        allowed_regimes=["suborbital"],
    ),
    Status.NOT_CLEARED: lambda c, p, s: services.clearance_decide(
        clearance=c, by=s, outcome="not_cleared", reasons="Uncontrolled arrhythmia."
    ),
}
ALLOWED = [(a, b) for a, targets in MedicalClearance.TRANSITIONS.items() for b in targets if b in MOVES]
REFUSED = [(a, b) for a in Status.values for b in MOVES if b not in MedicalClearance.TRANSITIONS[a]]


def test_the_transition_table_is_the_documented_lifecycle():
    T = MedicalClearance.TRANSITIONS
    assert T[Status.DRAFT] == {Status.SUBMITTED}
    assert T[Status.SUBMITTED] == {Status.UNDER_REVIEW}
    assert T[Status.UNDER_REVIEW] == {
        Status.CLEARED, Status.CLEARED_WITH_RESTRICTIONS, Status.INFORMATION_REQUESTED, Status.NOT_CLEARED
    }
    assert T[Status.INFORMATION_REQUESTED] == {Status.SUBMITTED}
    assert T[Status.CLEARED] == T[Status.CLEARED_WITH_RESTRICTIONS] == {Status.EXPIRED, Status.SUPERSEDED}
    assert T[Status.NOT_CLEARED] == {Status.SUPERSEDED}
    assert T[Status.EXPIRED] == T[Status.SUPERSEDED] == set()
    assert set(T) == set(Status.values)


@pytest.mark.parametrize("from_status,to_status", ALLOWED)
def test_allowed_moves_record_who_and_when(from_status, to_status, passenger, surgeon):
    clearance = f.in_status(from_status, passenger, surgeon)
    before = clearance.status_changes.count()
    MOVES[to_status](clearance, passenger, surgeon)
    clearance.refresh_from_db()
    assert clearance.status == to_status
    change = clearance.status_changes.last()
    assert (change.from_status, change.to_status) == (from_status, to_status)
    assert change.changed_by == (passenger if to_status == Status.SUBMITTED else surgeon)
    assert clearance.status_changes.count() == before + 1
    assert clearance.history.count() >= 2  # simple-history keeps each version


@pytest.mark.parametrize("from_status,to_status", REFUSED)
def test_refused_moves_say_what_the_clearance_is(from_status, to_status, passenger, surgeon):
    clearance = f.in_status(from_status, passenger, surgeon)
    changes = clearance.status_changes.count()
    label = Status(from_status).label.lower()
    with pytest.raises(InvalidTransition, match=rf"medical clearance #{clearance.pk} \(pat\): it is {label}\."):
        MOVES[to_status](clearance, passenger, surgeon)
    clearance.refresh_from_db()
    assert clearance.status == from_status
    assert clearance.status_changes.count() == changes


# --- The questionnaire ------------------------------------------------------------------------------


def test_start_opens_a_draft_with_an_empty_questionnaire(passenger):
    clearance = services.clearance_start(passenger=passenger)
    assert clearance.status == Status.DRAFT
    assert clearance.questionnaire.answers == {}


def test_only_one_questionnaire_in_progress(passenger, surgeon):
    first = f.submitted(passenger)
    with pytest.raises(ClearanceConflict, match=rf"already have a medical questionnaire in progress \(#{first.pk}, submitted\)"):
        services.clearance_start(passenger=passenger)


def test_a_new_questionnaire_may_start_while_a_decision_stands(passenger, surgeon):
    f.decided(passenger, surgeon)
    assert services.clearance_start(passenger=passenger).status == Status.DRAFT


def test_draft_may_leave_questions_blank_but_complete_sections_may_not(passenger):
    clearance = services.clearance_start(passenger=passenger)
    services.questionnaire_save_section(
        clearance=clearance, by=passenger, section="body", data={"mass_kg": "70"}, draft=True
    )
    assert clearance.questionnaire.__class__.objects.get().answers == {"body": {"mass_kg": "70.0"}}
    with pytest.raises(InvalidInput, match="Mass and height: This field is required") as excinfo:
        services.questionnaire_save_section(clearance=clearance, by=passenger, section="body", data={"mass_kg": "70"})
    assert set(excinfo.value.fields) == {"height_cm", "confirmed"}


@pytest.mark.parametrize(
    "data,field,message",
    [
        ({"mass_kg": "-70", "height_cm": "178", "confirmed": "on"}, "mass_kg", "A mass below 20 kg is not possible"),
        ({"mass_kg": "900", "height_cm": "178", "confirmed": "on"}, "mass_kg", "A mass above 300 kg is not possible"),
        ({"mass_kg": "seventy", "height_cm": "178", "confirmed": "on"}, "mass_kg", "Enter a number"),
        ({"mass_kg": "70", "height_cm": "-5", "confirmed": "on"}, "height_cm", "A height below 100 cm is not possible"),
        ({"mass_kg": "70", "height_cm": "178"}, "confirmed", "This field is required"),
    ],
)
def test_impossible_body_values_are_refused_even_in_a_draft(passenger, data, field, message):
    clearance = services.clearance_start(passenger=passenger)
    for draft in (True, False):
        if field == "confirmed" and draft:
            continue  # a draft may leave the confirmation for later
        with pytest.raises(InvalidInput, match=message) as excinfo:
            services.questionnaire_save_section(clearance=clearance, by=passenger, section="body", data=data, draft=draft)
        assert field in excinfo.value.fields
    clearance.questionnaire.refresh_from_db()
    assert clearance.questionnaire.answers == {}


def test_a_yes_needs_details_for_the_surgeon(passenger):
    clearance = services.clearance_start(passenger=passenger)
    data = {**f.NO_CONDITIONS, "seizures": "yes"}
    with pytest.raises(InvalidInput, match="You answered yes to “Seizures, epilepsy") as excinfo:
        services.questionnaire_save_section(clearance=clearance, by=passenger, section="conditions", data=data)
    assert "seizures_details" in excinfo.value.fields


def test_high_g_experience_needs_details(passenger):
    clearance = services.clearance_start(passenger=passenger)
    data = {**f.ANSWERS["history"], "high_g_experience": "centrifuge"}
    with pytest.raises(InvalidInput, match="Describe your high-g experience"):
        services.questionnaire_save_section(clearance=clearance, by=passenger, section="history", data=data)


def test_unknown_section_is_refused(passenger):
    clearance = services.clearance_start(passenger=passenger)
    with pytest.raises(InvalidInput, match="Unknown questionnaire section 'blood'"):
        services.questionnaire_save_section(clearance=clearance, by=passenger, section="blood", data={})


def test_only_the_passenger_edits_and_only_while_it_is_theirs(passenger, other_passenger, surgeon):
    clearance = f.draft(passenger)
    with pytest.raises(MedicalAccessDenied, match="Only the passenger may change"):
        services.questionnaire_save_section(clearance=clearance, by=other_passenger, section="body", data=f.ANSWERS["body"])
    services.clearance_submit(clearance=clearance, by=passenger)
    with pytest.raises(ClearanceConflict, match=rf"questionnaire #{clearance.pk} is submitted: answers can change only"):
        services.questionnaire_save_section(clearance=clearance, by=passenger, section="body", data=f.ANSWERS["body"])


def test_submit_needs_every_section_complete(passenger):
    clearance = services.clearance_start(passenger=passenger)
    services.questionnaire_save_section(clearance=clearance, by=passenger, section="body", data=f.ANSWERS["body"])
    with pytest.raises(InvalidInput, match="still incomplete: Medical conditions, Medications, surgery and high-g"):
        services.clearance_submit(clearance=clearance, by=passenger)
    clearance.refresh_from_db()
    assert clearance.status == Status.DRAFT


def test_submit_only_by_the_passenger(passenger, surgeon):
    clearance = f.draft(passenger)
    with pytest.raises(MedicalAccessDenied, match="Only the passenger may submit"):
        services.clearance_submit(clearance=clearance, by=surgeon)


def test_resubmission_after_a_request_needs_a_reply_and_keeps_it(passenger, surgeon):
    clearance = f.in_status(Status.INFORMATION_REQUESTED, passenger, surgeon)
    with pytest.raises(InvalidInput, match="Answer the flight surgeon's request before submitting again"):
        services.clearance_submit(clearance=clearance, by=passenger, reply="  ")
    services.clearance_submit(clearance=clearance, by=passenger, reply="Cardiologist letter uploaded.")
    kinds = list(clearance.notes.values_list("kind", flat=True))
    assert kinds == [ClearanceNote.Kind.INFORMATION_REQUEST, ClearanceNote.Kind.PASSENGER_REPLY]
    assert clearance.notes.last().body == "Cardiologist letter uploaded."


def test_answers_are_kept_in_history_across_edits(passenger, surgeon):
    clearance = f.in_status(Status.INFORMATION_REQUESTED, passenger, surgeon)
    services.questionnaire_save_section(
        clearance=clearance, by=passenger, section="body", data={**f.ANSWERS["body"], "mass_kg": "74"}
    )
    masses = [h.answers["body"]["mass_kg"] for h in clearance.questionnaire.history.order_by("history_id") if "body" in h.answers]
    assert masses[-2:] == ["72.5", "74.0"]


# --- Review and decision ----------------------------------------------------------------------------


def test_only_flight_surgeons_review_and_never_their_own(passenger, surgeon, director):
    clearance = f.submitted(passenger)
    with pytest.raises(MedicalAccessDenied, match="Only a flight surgeon may review"):
        services.clearance_start_review(clearance=clearance, by=director)
    with pytest.raises(MedicalAccessDenied, match="Only a flight surgeon may review"):
        services.clearance_start_review(clearance=clearance, by=passenger)
    own = f.submitted(surgeon)
    with pytest.raises(MedicalAccessDenied, match="may not review their own medical clearance"):
        services.clearance_start_review(clearance=own, by=surgeon)


def test_a_decision_records_surgeon_time_reasons_validity_and_restrictions(passenger, surgeon):
    clearance = f.under_review(passenger, surgeon)
    now = dt.datetime(2026, 3, 10, 9, 30, tzinfo=dt.UTC)
    services.clearance_decide(
        clearance=clearance, by=surgeon, outcome="cleared_with_restrictions", reasons="Arrhythmia controlled.",
        allowed_regimes=["suborbital"], max_g="4", now=now,
    )
    clearance.refresh_from_db()
    assert (clearance.decided_by, clearance.decided_at) == (surgeon, now)
    assert clearance.valid_until == dt.date(2027, 3, 9)  # 12 months, the last day inclusive
    assert clearance.allowed_regimes == ["suborbital"] and clearance.max_g == Decimal("4.0")
    assert clearance.restrictions_display == "Suborbital only, max 4.0 g"
    assert clearance.notes.get(kind="decision").body == "Arrhythmia controlled."


def test_an_unrestricted_clearance_admits_every_regime(passenger, surgeon):
    clearance = f.decided(passenger, surgeon)
    assert sorted(clearance.allowed_regimes) == ["orbital", "suborbital"]
    assert clearance.max_g is None and clearance.restrictions_display == "None"


def test_not_cleared_carries_no_validity(passenger, surgeon):
    clearance = f.decided(passenger, surgeon, outcome="not_cleared")
    assert (clearance.valid_until, clearance.allowed_regimes, clearance.max_g) == (None, [], None)


@pytest.mark.parametrize(
    "kwargs,error,field",
    [
        ({"outcome": "cleared", "reasons": "   "}, "A decision needs its reasons", "reasons"),
        ({"outcome": "not_cleared", "reasons": ""}, "A decision needs its reasons", "reasons"),
        ({"outcome": "approved", "reasons": "ok"}, "Unknown decision 'approved'", "outcome"),
        ({"outcome": "cleared", "reasons": "ok", "max_g": "4"}, "A clearance without restrictions cannot limit", "outcome"),
        ({"outcome": "cleared", "reasons": "ok", "allowed_regimes": ["suborbital"]},
         "A clearance without restrictions cannot limit", "outcome"),
        ({"outcome": "cleared_with_restrictions", "reasons": "ok"}, "Cleared with restrictions needs a restriction",
         "allowed_regimes"),
        ({"outcome": "cleared_with_restrictions", "reasons": "ok", "allowed_regimes": []},
         "must allow at least one regime", "allowed_regimes"),
        ({"outcome": "cleared_with_restrictions", "reasons": "ok", "allowed_regimes": ["lunar"]},
         "Unknown regime lunar", "allowed_regimes"),
        ({"outcome": "cleared_with_restrictions", "reasons": "ok", "max_g": "-2"}, "-2.0 g is not possible", "max_g"),
        ({"outcome": "cleared_with_restrictions", "reasons": "ok", "max_g": "0"}, "0.0 g is not possible", "max_g"),
        ({"outcome": "cleared_with_restrictions", "reasons": "ok", "max_g": "40"}, "40.0 g is not possible", "max_g"),
        ({"outcome": "cleared_with_restrictions", "reasons": "ok", "max_g": "lots"}, "'lots' is not a number", "max_g"),
        ({"outcome": "cleared", "reasons": "ok", "valid_until": dt.date(2020, 1, 1)}, "2020-01-01 is in the past",
         "valid_until"),
        ({"outcome": "cleared", "reasons": "ok", "valid_until": dt.date.today() + dt.timedelta(days=800)},
         "valid at most 12 months", "valid_until"),
    ],
)
def test_bad_decisions_are_refused(passenger, surgeon, kwargs, error, field):
    clearance = f.under_review(passenger, surgeon)
    with pytest.raises(InvalidInput, match=error) as excinfo:
        services.clearance_decide(clearance=clearance, by=surgeon, **kwargs)
    assert field in excinfo.value.fields
    clearance.refresh_from_db()
    assert clearance.status == Status.UNDER_REVIEW and not clearance.notes.exists()


def test_a_shorter_validity_may_be_set(passenger, surgeon):
    end = timezone.now().date() + dt.timedelta(days=90)
    clearance = f.decided(passenger, surgeon, valid_until=end)
    assert clearance.valid_until == end


def test_a_new_decision_supersedes_the_standing_one(passenger, surgeon):
    first = f.decided(passenger, surgeon)
    second = f.decided(passenger, surgeon, outcome="not_cleared")
    first.refresh_from_db()
    assert first.status == Status.SUPERSEDED and first.superseded_by == second
    assert first.status_changes.last().to_status == Status.SUPERSEDED
    third = f.restricted(passenger, surgeon)
    second.refresh_from_db()
    assert second.status == Status.SUPERSEDED and second.superseded_by == third


def test_passenger_and_director_cannot_decide(passenger, surgeon, director):
    clearance = f.under_review(passenger, surgeon)
    for who in (passenger, director):
        with pytest.raises(MedicalAccessDenied, match="Only a flight surgeon may decide"):
            services.clearance_decide(clearance=clearance, by=who, outcome="cleared", reasons="Fine")


def test_request_for_information_needs_a_message_and_emails_without_medical_content(
    passenger, surgeon, django_capture_on_commit_callbacks
):
    clearance = f.under_review(passenger, surgeon)
    with pytest.raises(InvalidInput, match="Say what information the passenger should add"):
        services.clearance_request_information(clearance=clearance, by=surgeon, message="")
    with django_capture_on_commit_callbacks(execute=True):
        services.clearance_request_information(
            clearance=clearance, by=surgeon, message="Send the Holter report on your atrial fibrillation."
        )
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [passenger.email] and "more information" in email.subject
    assert "/medical/" in email.body
    assert "fibrillation" not in email.body and "Holter" not in email.body


def test_decision_email_says_where_to_read_it_and_not_what_it_is(passenger, surgeon, django_capture_on_commit_callbacks):
    clearance = f.under_review(passenger, surgeon)
    with django_capture_on_commit_callbacks(execute=True):
        services.clearance_decide(clearance=clearance, by=surgeon, outcome="not_cleared", reasons="Unstable angina.")
    body = mail.outbox[0].body
    assert "decision" in body and "angina" not in body and "not cleared" not in body.lower()


def test_nothing_is_emailed_when_the_change_rolls_back(passenger, surgeon, django_capture_on_commit_callbacks):
    clearance = f.submitted(passenger)  # not under review: the request is refused
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidTransition):
        services.clearance_request_information(clearance=clearance, by=surgeon, message="More please")
    assert mail.outbox == []


# --- Examinations, notes, documents ------------------------------------------------------------------


def test_examinations_are_recorded_by_surgeons_during_review(passenger, surgeon):
    clearance = f.under_review(passenger, surgeon)
    exam = services.examination_record(
        clearance=clearance, by=surgeon, kind="physical", performed_on=timezone.now().date(),
        outcome="satisfactory", findings="BP 124/80, lungs clear.",
    )
    assert exam.examiner == surgeon and exam.kind == MedicalExamination.Kind.PHYSICAL


@pytest.mark.parametrize(
    "kwargs,error",
    [
        ({"performed_on": dt.date.today() + dt.timedelta(days=3)}, "cannot be recorded before it took place"),
        ({"performed_on": dt.date.today() - dt.timedelta(days=400)}, "older than the 12-month validity"),
        ({"findings": " "}, "Record the examination's findings"),
        ({"kind": "dental"}, "Unknown examination 'dental'"),
        ({"outcome": "meh"}, "Unknown outcome 'meh'"),
    ],
)
def test_bad_examinations_are_refused(passenger, surgeon, kwargs, error):
    clearance = f.under_review(passenger, surgeon)
    values = {"kind": "physical", "performed_on": dt.date.today(), "outcome": "satisfactory", "findings": "Normal."}
    with pytest.raises(InvalidInput, match=error):
        services.examination_record(clearance=clearance, by=surgeon, **{**values, **kwargs})


def test_examinations_wait_for_the_review_and_need_a_surgeon(passenger, surgeon):
    clearance = f.submitted(passenger)
    values = {"kind": "physical", "performed_on": dt.date.today(), "outcome": "satisfactory", "findings": "Normal."}
    with pytest.raises(ClearanceConflict, match="is submitted: examinations are recorded once the review has started"):
        services.examination_record(clearance=clearance, by=surgeon, **values)
    with pytest.raises(MedicalAccessDenied, match="Only a flight surgeon may record an examination"):
        services.examination_record(clearance=clearance, by=passenger, **values)


def test_notes(passenger, surgeon):
    clearance = f.draft(passenger)
    with pytest.raises(ClearanceConflict, match="is still a draft"):
        services.note_add(clearance=clearance, by=surgeon, body="Looks fine")
    services.clearance_submit(clearance=clearance, by=passenger)
    with pytest.raises(InvalidInput, match="A note cannot be empty"):
        services.note_add(clearance=clearance, by=surgeon, body="")
    with pytest.raises(MedicalAccessDenied):
        services.note_add(clearance=clearance, by=passenger, body="Let me in")
    note = services.note_add(clearance=clearance, by=surgeon, body="Phoned the GP.")
    assert note.kind == ClearanceNote.Kind.SURGEON_NOTE


@pytest.mark.parametrize(
    "name,content,ctype",
    [("ecg.pdf", f.PDF, "application/pdf"), ("strip.png", f.PNG, "image/png"), ("letter.jpg", f.JPEG, "image/jpeg")],
)
def test_documents_are_typed_by_their_bytes(passenger, name, content, ctype):
    clearance = f.draft(passenger)
    document = services.document_upload(
        clearance=clearance, by=passenger, upload=f.upload(name, content, "application/octet-stream"), kind="ecg"
    )
    assert (document.content_type, document.size_bytes, document.original_name) == (ctype, len(content), name)


@pytest.mark.parametrize(
    "name,content,error",
    [
        ("ecg.pdf", b"GIF89a not a pdf at all", "Only PDF, PNG and JPEG documents are accepted"),
        ("report.pdf", b"MZ\x90\x00 a windows program", "Only PDF, PNG and JPEG documents are accepted"),
        ("notes.txt", b"plain text", "Only PDF, PNG and JPEG documents are accepted"),
        ("empty.pdf", b"", "The uploaded file is empty"),
    ],
)
def test_wrong_type_and_empty_uploads_are_refused(passenger, name, content, error):
    clearance = f.draft(passenger)
    with pytest.raises(InvalidDocument, match=error):
        services.document_upload(clearance=clearance, by=passenger, upload=f.upload(name, content))
    assert not MedicalDocument.objects.exists()


def test_oversized_upload_is_refused_with_the_limit(passenger, settings):
    settings.MEDICAL_DOCUMENT_MAX_BYTES = 1024 * 1024
    clearance = f.draft(passenger)
    big = f.PDF + b"0" * (1024 * 1024)
    with pytest.raises(InvalidDocument, match=r"The file is 1\.0 MB; documents may be at most 1 MB"):
        services.document_upload(clearance=clearance, by=passenger, upload=f.upload("big.pdf", big))
    assert not MedicalDocument.objects.exists()


def test_passenger_adds_documents_only_while_the_questionnaire_is_theirs(passenger, surgeon, other_passenger):
    clearance = f.submitted(passenger)
    with pytest.raises(ClearanceConflict, match="documents can be added only while it is a draft"):
        services.document_upload(clearance=clearance, by=passenger, upload=f.upload())
    with pytest.raises(MedicalAccessDenied, match="Only a flight surgeon may add documents"):
        services.document_upload(clearance=clearance, by=other_passenger, upload=f.upload())
    with pytest.raises(ClearanceConflict, match="a surgeon adds documents only once the review has started"):
        services.document_upload(clearance=clearance, by=surgeon, upload=f.upload())
    services.clearance_start_review(clearance=clearance, by=surgeon)
    assert services.document_upload(clearance=clearance, by=surgeon, upload=f.upload()).uploaded_by == surgeon


# --- Self-certification -----------------------------------------------------------------------------


def test_self_certification_opens_24_hours_before_launch(passenger, surgeon):
    f.decided(passenger, surgeon)
    flight = scheduled_flight()
    too_early = flight.launch_at - dt.timedelta(hours=25)
    with pytest.raises(SelfCertificationRefused, match=f"opens 24 hours before launch, at {flight.launch_at - dt.timedelta(hours=24):%Y-%m-%d %H:%M} UTC"):
        services.self_certification_record(passenger=passenger, flight=flight, now=too_early)
    certification = services.self_certification_record(
        passenger=passenger, flight=flight, now=flight.launch_at - dt.timedelta(hours=3)
    )
    assert certification.clearance.passenger == passenger


def test_self_certification_needs_a_clearance_and_an_upcoming_flight(passenger, surgeon):
    flight = scheduled_flight()
    near = flight.launch_at - dt.timedelta(hours=2)
    with pytest.raises(SelfCertificationRefused, match="no current medical clearance to certify against"):
        services.self_certification_record(passenger=passenger, flight=flight, now=near)
    f.decided(passenger, surgeon, outcome="not_cleared")
    with pytest.raises(SelfCertificationRefused, match="no current medical clearance to certify against"):
        services.self_certification_record(passenger=passenger, flight=flight, now=near)
    with pytest.raises(SelfCertificationRefused, match=f"Flight {flight.code} is not an upcoming flight"):
        services.self_certification_record(passenger=passenger, flight=flight, now=flight.launch_at + dt.timedelta(hours=1))


# --- Validity -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day,months,expected",
    [
        (dt.date(2026, 3, 10), 12, dt.date(2027, 3, 10)),
        (dt.date(2028, 2, 29), 12, dt.date(2029, 2, 28)),
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2026, 3, 31), -1, dt.date(2026, 2, 28)),
        (dt.date(2026, 12, 15), 2, dt.date(2027, 2, 15)),
    ],
)
def test_add_months(day, months, expected):
    assert services.add_months(day, months) == expected


def test_validity_period_is_a_setting(passenger, surgeon, settings):
    settings.MEDICAL_CLEARANCE_VALIDITY_MONTHS = 6
    now = dt.datetime(2026, 1, 15, tzinfo=dt.UTC)
    clearance = f.under_review(passenger, surgeon)
    services.clearance_decide(clearance=clearance, by=surgeon, outcome="cleared", reasons="Fit", now=now)
    clearance.refresh_from_db()
    assert clearance.valid_until == dt.date(2026, 7, 14)
