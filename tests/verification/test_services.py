"""Every move of a verification record and every refusal, with the message a person reads."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from flights.exceptions import DomainError, InvalidInput, InvalidTransition
from flights.models import Flight
from tests.conftest import PASSWORD
from tests.flights.factories import FlightFactory
from tests.verification.factories import (
    AnomalyFactory,
    VerificationFlightFlownFactory,
    planned_record,
    record_in_review,
    sign,
)
from verification import hashing, services
from verification.exceptions import NotPermitted, RecordIncomplete, RecordLocked, SignOffRefused, WrongPassword
from verification.models import GENESIS_HASH, SignOff, SignOffChainHead, VerificationFlight

pytestmark = pytest.mark.django_db
Status = VerificationFlight.Status


# --- Creating and filling in a record ----------------------------------------------------------------


def test_create_takes_kind_and_vehicle_from_the_flight(operations):
    flight = VerificationFlightFlownFactory(purpose=Flight.Purpose.CREWED_VERIFICATION)
    record = services.verification_record_create(flight=flight, by=operations, summary="Crewed demo")
    assert (record.kind, record.vehicle, record.status, record.revision, record.created_by) == (
        "crewed", flight.vehicle, "planned", 1, operations,
    )


def test_create_refuses_commercial_cancelled_and_duplicate_flights(operations):
    with pytest.raises(InvalidInput, match=r"Flight FL-C1 is a commercial flight: only uncrewed or crewed verification"):
        services.verification_record_create(flight=FlightFactory(code="FL-C1"), by=operations)
    cancelled = VerificationFlightFlownFactory(status=Flight.Status.CANCELLED, launched_at=None, landed_at=None)
    with pytest.raises(DomainError, match="is cancelled: it has nothing to verify"):
        services.verification_record_create(flight=cancelled, by=operations)
    flight = VerificationFlightFlownFactory()
    services.verification_record_create(flight=flight, by=operations)
    with pytest.raises(DomainError, match=f"Flight {flight.code} already has a verification record"):
        services.verification_record_create(flight=flight, by=operations)


@pytest.mark.parametrize("who", ["passenger", "surgeon"])
def test_passengers_and_surgeons_cannot_write_records(who, request):
    user = request.getfixturevalue(who)
    with pytest.raises(NotPermitted, match=f"Only operations staff or flight directors can open verification records: {user.username} is neither"):
        services.verification_record_create(flight=VerificationFlightFlownFactory(), by=user)


def test_planned_record_is_filled_in_through_the_services(operations, director):
    record = planned_record(objectives=())
    services.verification_record_update(record=record, by=director, summary="Rewritten", apogee_km="106.5")
    objective = services.objective_add(record=record, by=operations, description="Apogee above 100 km",
                                       success_criterion="Apogee > 100 km")
    second = services.objective_add(record=record, by=operations, description="Landing", success_criterion="< 1 km")
    assert (objective.sequence, second.sequence, objective.result) == (1, 2, "pending")
    services.objective_update(objective=objective, by=operations, measured_result="106.5 km", result="pass")
    anomaly = services.anomaly_add(record=record, by=operations, title="Late chute", severity="major",
                                   description="Chute 2 late")
    services.anomaly_update(anomaly=anomaly, by=operations, disposition="accepted",
                            flight_rationale="Lands safely on two chutes")
    record.refresh_from_db()
    assert record.summary == "Rewritten" and str(record.apogee_km) == "106.50"
    assert record.objectives.get(sequence=1).result == "pass"
    assert record.anomalies.get().disposition == "accepted"


@pytest.mark.parametrize("service,kwargs,message", [
    (services.verification_record_update, {"status": "signed_off"}, "cannot change status"),
    (services.verification_record_update, {"apogee_km": "-3"}, "The apogee must be above zero"),
    (services.verification_record_update, {"peak_g_entry": "abc"}, "must be a decimal number"),
])
def test_record_update_refuses_bad_input(operations, service, kwargs, message):
    with pytest.raises(InvalidInput, match=message):
        service(record=planned_record(), by=operations, **kwargs)


def test_child_rows_refuse_bad_input(operations):
    record = planned_record()
    anomaly = AnomalyFactory(record=record)
    with pytest.raises(InvalidInput, match="accepted for flight needs a written flight rationale"):
        services.anomaly_update(anomaly=anomaly, by=operations, disposition="accepted")
    with pytest.raises(InvalidInput, match="A closed anomaly needs the corrective actions"):
        services.anomaly_update(anomaly=anomaly, by=operations, disposition="closed")
    with pytest.raises(InvalidInput, match="is not a valid choice"):
        services.anomaly_add(record=record, by=operations, title="x", severity="apocalyptic", description="y")
    objective = record.objectives.get()
    with pytest.raises(InvalidInput, match="needs the measured result that supports it"):
        services.objective_update(objective=objective, by=operations, measured_result="")
    with pytest.raises(InvalidInput, match="cannot change sequence"):
        services.objective_update(objective=objective, by=operations, sequence=7)
    with pytest.raises(InvalidInput, match="This field cannot be blank"):
        services.objective_add(record=record, by=operations, description="", success_criterion="x")


def test_an_uncrewed_flight_carries_no_crew(operations):
    record = planned_record()
    with pytest.raises(InvalidInput, match="is an uncrewed verification flight: it can carry instrumented test dummies, not crew"):
        services.occupant_add(record=record, by=operations, name="Ana", role="Commander", is_test_dummy=False)
    dummy = services.occupant_add(record=record, by=operations, name="Mannequin", role="Test dummy", is_test_dummy=True)
    with pytest.raises(InvalidInput, match="uncrewed"):
        services.occupant_update(occupant=dummy, by=operations, is_test_dummy=False)


def test_attachment_is_stored_privately_with_its_sha256(operations, settings):
    record = planned_record()
    content = b"t_s,altitude_km\n0,0\n240,107\n"
    attachment = services.attachment_add(record=record, by=operations, title="Telemetry",
                                         file=SimpleUploadedFile("telemetry.csv", content, content_type="text/csv"))
    assert attachment.sha256 == hashing.sha256_hex(content) and attachment.size_bytes == len(content)
    assert attachment.original_name == "telemetry.csv" and attachment.content_type == "text/csv"
    path = attachment.file.path
    assert path.startswith(str(settings.MEDIA_ROOT)) and "/verification/" in path
    with open(path, "rb") as handle:
        assert handle.read() == content


def test_attachment_refuses_missing_and_oversized_files(operations, monkeypatch):
    record = planned_record()
    with pytest.raises(InvalidInput, match="Choose a file to attach"):
        services.attachment_add(record=record, by=operations, title="x", file=None)
    monkeypatch.setattr(services.records, "MAX_ATTACHMENT_BYTES", 10)
    with pytest.raises(InvalidInput, match="attachments may be at most"):
        services.attachment_add(record=record, by=operations, title="x", file=SimpleUploadedFile("a.bin", b"x" * 11))


# --- Marking flown locks the record ------------------------------------------------------------------


def test_mark_flown_locks_the_record(operations):
    record = planned_record()
    services.verification_mark_flown(record=record, by=operations)
    record.refresh_from_db()
    assert record.status == "flown"
    change = record.status_changes.get()
    assert (change.from_status, change.to_status, change.changed_by, change.revision) == ("planned", "flown", operations, 1)
    assert record.history.count() >= 2


def test_mark_flown_copies_launch_and_landing_times_from_the_flight(operations):
    record = planned_record()
    VerificationFlight.objects.filter(pk=record.pk).update(launched_at=None, landed_at=None)
    services.verification_mark_flown(record=record, by=operations)
    record.refresh_from_db()
    assert (record.launched_at, record.landed_at) == (record.flight.launched_at, record.flight.landed_at)


def test_mark_flown_names_everything_missing(operations):
    flight = FlightFactory(purpose=Flight.Purpose.CREWED_VERIFICATION, itinerary=None)
    record = services.verification_record_create(flight=flight, by=operations)
    with pytest.raises(RecordIncomplete) as refused:
        services.verification_mark_flown(record=record, by=operations)
    message = refused.value.message
    assert message.startswith(f"Cannot mark {flight.code} flown: flight {flight.code} has not flown (it is draft)")
    for part in ("the achieved profile lacks launch time, landing time, apogee, peak g on ascent, peak g on entry",
                 "it has no test objectives", "a crewed flight needs its crew listed with their roles"):
        assert part in message


def test_mark_flown_refuses_objectives_without_results(operations):
    record = planned_record(objectives=("pass", "pending", "pending"))
    with pytest.raises(RecordIncomplete, match="objective 2, 3 have no result"):
        services.verification_mark_flown(record=record, by=operations)


def test_mark_flown_twice_is_refused(operations):
    record = planned_record()
    services.verification_mark_flown(record=record, by=operations)
    with pytest.raises(InvalidTransition, match="Cannot mark flown verification flight .* it is flown"):
        services.verification_mark_flown(record=record, by=operations)


@pytest.mark.parametrize("edit", [
    lambda r, u: services.verification_record_update(record=r, by=u, summary="changed"),
    lambda r, u: services.objective_add(record=r, by=u, description="x", success_criterion="y"),
    lambda r, u: services.objective_update(objective=r.objectives.get(), by=u, result="fail"),
    lambda r, u: services.anomaly_add(record=r, by=u, title="x", severity="minor", description="y"),
    lambda r, u: services.anomaly_update(anomaly=r.anomalies.get(), by=u, title="renamed"),
    lambda r, u: services.occupant_add(record=r, by=u, name="x", role="y", is_test_dummy=True),
    lambda r, u: services.attachment_add(record=r, by=u, title="x", file=SimpleUploadedFile("a.csv", b"1")),
], ids=["record", "objective-add", "objective", "anomaly-add", "anomaly", "occupant", "attachment"])
def test_a_locked_record_refuses_every_edit_until_reopened(edit, operations, director):
    record = record_in_review(by=operations, anomalies=[dict(severity="minor")])
    with pytest.raises(RecordLocked, match=f"Verification record {record.flight.code} is in review and locked against edits: reopen it"):
        edit(record, operations)
    services.verification_reopen(record=record, by=director, reason="Correct a typo")
    edit(VerificationFlight.objects.get(pk=record.pk), operations)


def test_submit_for_review_only_from_flown(operations):
    record = planned_record()
    with pytest.raises(InvalidTransition, match="Cannot submit for review .* it is planned. From planned it can only become: flown"):
        services.verification_submit_for_review(record=record, by=operations)
    services.verification_mark_flown(record=record, by=operations)
    services.verification_submit_for_review(record=record, by=operations)
    record.refresh_from_db()
    assert record.status == "in_review"


# --- Signing -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["passenger", "surgeon", "operations"])
def test_only_flight_directors_can_sign(who, request, operations):
    record = record_in_review(by=operations)
    user = request.getfixturevalue(who)
    with pytest.raises(NotPermitted, match=f"Only flight directors can sign off verification flights: {user.username} is not a flight director"):
        sign(record, user)
    assert not record.signoffs.exists()


def test_a_wrong_password_refuses(operations, director):
    record = record_in_review(by=operations)
    with pytest.raises(WrongPassword, match="The password is not correct: re-enter your own password to sign") as refused:
        sign(record, director, password="not-my-password")
    assert refused.value.status_code == 400 and refused.value.fields == {"password": ["Incorrect password."]}
    assert refused.value.message == "The password is not correct: re-enter your own password to sign."
    with pytest.raises(WrongPassword):
        sign(record, director, password="")
    assert not record.signoffs.exists()


@pytest.mark.parametrize("kwargs,message", [
    ({"decision": "maybe"}, "The decision must be approve or reject, not 'maybe'"),
    ({"meaning": "  "}, "State the meaning of your signature"),
    ({"decision": "reject", "comment": ""}, "A rejection needs a comment saying why"),
])
def test_sign_off_refuses_bad_input(operations, director, kwargs, message):
    record = record_in_review(by=operations)
    arguments = dict(record=record, signer=director, password=PASSWORD, decision="approve", meaning="Objectives met")
    with pytest.raises(InvalidInput, match=message):
        services.verification_sign_off(**{**arguments, **kwargs})


def test_a_record_not_in_review_cannot_be_signed(operations, director):
    record = planned_record()
    services.verification_mark_flown(record=record, by=operations)
    with pytest.raises(InvalidTransition, match=f"Cannot sign {record.flight.code}: it is flown; only a record in review can be signed. Submit it for review first."):
        sign(record, director)


def test_one_approval_signs_off_an_uncrewed_record(operations, director):
    record = record_in_review(by=operations)
    (signoff,) = sign(record, director)
    assert record.status == "signed_off"
    assert (signoff.signer, signoff.decision, signoff.revision, signoff.signer_name) == (director, "approve", 1, "Dana Tester")
    assert signoff.meaning == "Objectives met; safe to proceed."
    assert signoff.record_hash == hashing.record_hash(VerificationFlight.objects.get(pk=record.pk))
    assert record.status_changes.last().reason == "Signed off by Dana Tester"


def test_a_rejection_rejects(operations, director):
    record = record_in_review(by=operations, objectives=("fail",))
    sign(record, director, decision="reject", comment="Objective 1 failed")
    assert record.status == "rejected"
    assert record.status_changes.last().reason == "Rejected by Dana Tester: Objective 1 failed"


def test_crewed_flights_need_two_different_directors(operations, director, other_director):
    record = record_in_review(by=operations, crewed=True)
    sign(record, director)
    assert record.status == "in_review"
    with pytest.raises(SignOffRefused, match="Dana Tester has already signed .*: the second signature must come from a different flight director"):
        sign(record, director)
    sign(record, other_director)
    assert record.status == "signed_off"
    assert record.signoffs.count() == 2
    other = other_director.get_full_name() or other_director.get_username()
    assert record.status_changes.last().reason == f"Signed off by Dana Tester and {other}"


def test_a_critical_anomaly_accepted_with_rationale_needs_two_directors(operations, director, other_director):
    record = record_in_review(by=operations, anomalies=[dict(
        severity="critical", disposition="accepted", flight_rationale="Redundant valve; tested to twice the load")])
    sign(record, director)
    assert record.status == "in_review"
    sign(record, other_director)
    assert record.status == "signed_off"


@pytest.mark.parametrize("severity", ["critical", "catastrophic"])
def test_approval_is_refused_with_an_open_serious_anomaly(operations, director, severity):
    record = record_in_review(by=operations, anomalies=[dict(severity=severity, title="Hatch seal leak")])
    with pytest.raises(SignOffRefused, match=f"Cannot approve {record.flight.code}: {severity} anomaly “Hatch seal leak” is open without a flight rationale") as refused:
        sign(record, director)
    assert refused.value.code == "open_serious_anomaly"  # what the API answers with (409)
    assert not record.signoffs.exists()
    # Rejecting is still possible.
    sign(record, director, decision="reject", comment="Open hatch seal leak")
    assert record.status == "rejected"


def test_an_open_minor_anomaly_does_not_block_approval(operations, director):
    record = record_in_review(by=operations, anomalies=[dict(severity="minor")])
    sign(record, director)
    assert record.status == "signed_off"


def test_signatures_form_one_chain(operations, director, other_director):
    first = record_in_review(by=operations)
    second = record_in_review(by=operations, crewed=True)
    (a,) = sign(first, director)
    b, c = sign(second, other_director, director)
    assert [s.sequence for s in (a, b, c)] == [1, 2, 3]
    assert a.previous_hash == GENESIS_HASH and b.previous_hash == a.signoff_hash and c.previous_hash == b.signoff_hash
    for signoff in (a, b, c):
        assert signoff.signoff_hash == hashing.signoff_hash(SignOff.objects.get(pk=signoff.pk))
    head = SignOffChainHead.objects.get()
    assert (head.last_sequence, head.last_hash) == (3, c.signoff_hash)


def test_signing_refuses_to_extend_a_tampered_chain(operations, director):
    first = record_in_review(by=operations)
    sign(first, director)
    SignOffChainHead.objects.update(last_sequence=7)
    with pytest.raises(SignOffRefused, match=r"chain's head \(#7\) does not match its last sign-off \(#1\)") as refused:
        sign(record_in_review(by=operations), director)
    assert refused.value.code == "chain_broken"
    SignOffChainHead.objects.all()._raw_delete("default")
    with pytest.raises(SignOffRefused, match="head row is missing although sign-offs exist") as refused:
        sign(record_in_review(by=operations), director)
    assert refused.value.code == "chain_broken"


def test_the_second_signature_is_refused_when_the_record_changed_after_the_first(operations, director, other_director):
    record = record_in_review(by=operations, crewed=True)
    sign(record, director)
    VerificationFlight.objects.filter(pk=record.pk).update(summary="quietly changed")  # bypasses save()
    with pytest.raises(SignOffRefused, match="the earlier sign-off by Dana Tester is void \\(the record was changed after it was signed\\). Reopen the record") as refused:
        sign(record, other_director)
    assert refused.value.code == "record_altered"


# --- Reopening ---------------------------------------------------------------------------------------


def test_reopen_voids_the_signoffs_and_starts_a_new_revision(operations, director, other_director):
    record = record_in_review(by=operations, crewed=True)
    sign(record, director, other_director)
    services.verification_reopen(record=record, by=director, reason="Objective 2 measured wrongly")
    record.refresh_from_db()
    assert (record.status, record.revision) == ("reopened", 2)
    voided = list(record.signoffs.all())
    assert all(s.voided_at and s.voided_by == director for s in voided)
    assert voided[0].void_reason == "record reopened by Dana Tester (revision 1 → 2): Objective 2 measured wrongly"
    services.objective_update(objective=record.objectives.get(), by=operations, measured_result="Re-measured")
    services.verification_mark_flown(record=record, by=operations)
    services.verification_submit_for_review(record=record, by=operations)
    # The same directors sign the new revision; the old signatures stay on file, void.
    new = sign(record, director, other_director)
    assert record.status == "signed_off" and {s.revision for s in new} == {2}
    assert record.signoffs.count() == 4


def test_reopen_needs_a_director_a_reason_and_a_flown_record(operations, director):
    record = record_in_review(by=operations)
    with pytest.raises(NotPermitted, match="Only flight directors can reopen verification records: olive is not one"):
        services.verification_reopen(record=record, by=operations, reason="x")
    with pytest.raises(InvalidInput, match="Give a reason to reopen"):
        services.verification_reopen(record=record, by=director, reason=" ")
    with pytest.raises(InvalidTransition, match="Cannot reopen verification flight .* it is planned"):
        services.verification_reopen(record=planned_record(), by=director, reason="x")


# --- Who may sign, and what a signature records --------------------------------------------------


def test_a_signature_by_someone_who_is_not_a_flight_director_is_refused_naming_them(operations):
    from django.contrib.auth.models import AnonymousUser

    record = record_in_review(by=operations)
    for signer, named in ((operations, operations.username), (AnonymousUser(), "an anonymous user"), (None, "an anonymous user")):
        with pytest.raises(NotPermitted, match=f"Only flight directors can sign off verification flights: {named} is not") as refused:
            services.verification_sign_off(record=record, signer=signer, password=PASSWORD, decision="approve",
                                           meaning="Objectives met.")
        assert refused.value.code == "not_a_flight_director"  # what the API's 403 body carries
    assert not SignOff.objects.filter(record=record).exists()


def test_an_approval_without_a_comment_records_no_comment(operations, director):
    record = record_in_review(by=operations)
    signoff = services.verification_sign_off(record=record, signer=director, password=PASSWORD, decision="approve",
                                             meaning="Objectives met; safe to proceed.")
    assert SignOff.objects.get(pk=signoff.pk).comment == ""


@pytest.mark.parametrize(
    ("decision", "meaning", "comment", "message", "fields"),
    [
        ("maybe", "Objectives met.", "", "The decision must be approve or reject, not 'maybe'.",
         {"decision": ["Approve or reject."]}),
        ("approve", "   ", "", "State the meaning of your signature (what you are attesting to).",
         {"meaning": ["This field is required."]}),
        ("approve", None, "", "State the meaning of your signature (what you are attesting to).",
         {"meaning": ["This field is required."]}),
        ("reject", "Objectives not met.", "  ", "A rejection needs a comment saying why.",
         {"comment": ["Say why you reject."]}),
    ],
    ids=["unknown-decision", "blank-meaning", "no-meaning", "rejection-without-comment"],
)
def test_a_signature_with_bad_input_is_refused_on_the_field_a_person_corrects(
    operations, director, decision, meaning, comment, message, fields
):
    """The portal shows each refusal beside its field and the API's 400 body names it: nothing is signed."""
    record = record_in_review(by=operations)
    with pytest.raises(InvalidInput) as refused:
        services.verification_sign_off(record=record, signer=director, password=PASSWORD, decision=decision,
                                       meaning=meaning, comment=comment)
    assert (refused.value.message, refused.value.fields) == (message, fields)
    assert not SignOff.objects.filter(record=record).exists()


def test_a_record_changed_since_the_director_opened_it_is_refused_with_its_code(operations, director):
    record = record_in_review(by=operations)
    seen = "ab" * 32
    with pytest.raises(SignOffRefused) as refused:
        services.verification_sign_off(record=record, signer=director, password=PASSWORD, decision="approve",
                                       meaning="Objectives met.", expected_record_hash=seen)
    assert refused.value.code == "record_changed_since_review"
    assert refused.value.message == (f"{record.flight.code} changed after you opened it for review (its SHA-256 is no "
                                     f"longer {seen[:12]}\u2026). Review it again before signing.")


def test_only_a_flown_record_is_told_to_be_submitted_first(operations, director):
    record = record_in_review(by=operations)
    sign(record, director)  # signed off now
    with pytest.raises(InvalidTransition) as refused:
        sign(record, director)
    assert refused.value.message == (f"Cannot sign {record.flight.code}: it is signed off; only a record in review "
                                     "can be signed.")
