"""The lifecycle table, the database constraints, and the lock that admin and scripts cannot bypass."""

import pytest
from django.db import IntegrityError, transaction

from tests.verification.factories import AnomalyFactory, ObjectiveFactory, RecordFactory, record_in_review, sign
from verification import hashing
from verification.exceptions import RecordLocked
from verification.models import Anomaly, SignOff, SignOffChainHead, TestObjective, VerificationFlight

pytestmark = pytest.mark.django_db
Status = VerificationFlight.Status

ALLOWED = {
    ("planned", "flown"), ("flown", "in_review"), ("flown", "reopened"), ("in_review", "signed_off"),
    ("in_review", "rejected"), ("in_review", "reopened"), ("signed_off", "reopened"), ("rejected", "reopened"),
    ("reopened", "flown"),
}


@pytest.mark.parametrize("from_status", Status.values)
@pytest.mark.parametrize("to_status", Status.values)
def test_transition_table(from_status, to_status):
    record = VerificationFlight(status=from_status)
    assert record.can_transition_to(to_status) == ((from_status, to_status) in ALLOWED)


def test_only_planned_and_reopened_records_are_editable():
    assert set(VerificationFlight.EDITABLE_STATUSES) == {"planned", "reopened"}


def _integrity_error(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_constraints_refuse_bad_rows():
    record = RecordFactory()
    _integrity_error(lambda: AnomalyFactory(record=record, disposition="accepted", flight_rationale=""))
    _integrity_error(lambda: AnomalyFactory(record=record, disposition="closed", corrective_actions=""))
    _integrity_error(lambda: AnomalyFactory(record=record, severity="cosmic"))
    _integrity_error(lambda: ObjectiveFactory(record=record, result="pass", measured_result=""))
    _integrity_error(lambda: ObjectiveFactory(record=record, result="maybe"))
    ObjectiveFactory(record=record, sequence=1)
    _integrity_error(lambda: ObjectiveFactory(record=record, sequence=1))
    _integrity_error(lambda: VerificationFlight.objects.filter(pk=record.pk).update(status="flown", apogee_km=None))
    _integrity_error(lambda: VerificationFlight.objects.filter(pk=record.pk).update(landed_at=record.launched_at.replace(year=2000)))
    _integrity_error(lambda: SignOffChainHead.objects.create(id=2))


def test_one_live_signature_per_director_per_record_in_the_database(operations, director):
    record = record_in_review(by=operations, crewed=True)
    (signoff,) = sign(record, director)
    duplicate = SignOff(
        sequence=99, record=record, revision=1, signer=director, signer_name="x", signed_at=signoff.signed_at,
        meaning="m", decision="approve", record_hash="a" * 64, previous_hash="b" * 64, signoff_hash="c" * 64,
    )
    with pytest.raises(IntegrityError, match=r"signoff_one_live_per_signer|signoff\.record_id, verification_signoff\.signer_id"), \
            transaction.atomic():
        SignOff.save(duplicate)
    SignOff.objects.filter(pk=signoff.pk).update(voided_at=signoff.signed_at, void_reason="reopened")
    SignOff.save(duplicate)  # once the first is void, the same director may sign the new revision


def test_a_flown_record_refuses_saves_from_any_python_path(operations):
    record = record_in_review(by=operations, anomalies=[dict(severity="minor")])
    record.summary = "edited in a shell"
    with pytest.raises(RecordLocked, match=r"is in review and locked against edits: reopen it"):
        record.save()
    objective = record.objectives.get()
    objective.result = TestObjective.Result.FAIL
    with pytest.raises(RecordLocked, match="locked against edits"):
        objective.save()
    with pytest.raises(RecordLocked):
        ObjectiveFactory(record=record, sequence=5)
    anomaly = record.anomalies.get()
    anomaly.disposition = Anomaly.Disposition.CLOSED
    anomaly.corrective_actions = "Fixed"
    with pytest.raises(RecordLocked):
        anomaly.save()
    # Moving a row of a locked record onto an editable one is refused too.
    objective.record = RecordFactory()
    with pytest.raises(RecordLocked):
        objective.save()


def test_records_and_signatures_are_never_deleted(operations, director):
    record = record_in_review(by=operations)
    (signoff,) = sign(record, director)
    for obj in (record, record.objectives.get(), signoff):
        with pytest.raises(RecordLocked, match="never deleted"):
            obj.delete()
    with pytest.raises(RecordLocked, match="never deleted"):
        VerificationFlight.objects.all().delete()
    with pytest.raises(RecordLocked, match="never deleted"):
        TestObjective.objects.filter(record=record).delete()
    assert VerificationFlight.objects.filter(pk=record.pk).exists()


def test_a_signature_cannot_be_edited(operations, director):
    record = record_in_review(by=operations)
    (signoff,) = sign(record, director)
    signoff.meaning = "something else"
    with pytest.raises(RecordLocked, match="is a signature and cannot be changed"):
        signoff.save()
    with pytest.raises(RecordLocked):
        signoff.save(update_fields=["voided_at", "voided_by", "void_reason"])  # only the reopen service voids


def test_record_hash_is_canonical_and_covers_the_content(operations):
    record = record_in_review(by=operations, anomalies=[dict(severity="minor")])
    loaded = VerificationFlight.objects.get(pk=record.pk)
    first = hashing.record_hash(loaded)
    assert first == hashing.record_hash(VerificationFlight.objects.get(pk=record.pk))
    document = hashing.canonical_json(hashing.record_document(loaded))
    assert document.startswith(b'{"anomalies":[{') and b", " not in document  # sorted keys, no spaces
    # The status moves after signing, so it is not part of the hash.
    VerificationFlight.objects.filter(pk=record.pk).update(status="signed_off")
    assert hashing.record_hash(VerificationFlight.objects.get(pk=record.pk)) == first
    for model, change in (
        (TestObjective, {"measured_result": "Landed 251 m from target"}),
        (Anomaly, {"flight_rationale": "Added later"}),
        (VerificationFlight, {"apogee_km": "107.01"}),
        (VerificationFlight, {"revision": 2}),
    ):
        rows = model.objects.filter(record=record) if model is not VerificationFlight else model.objects.filter(pk=record.pk)
        original = rows.values(*change).get()
        rows.update(**change)
        assert hashing.record_hash(VerificationFlight.objects.get(pk=record.pk)) != first, change
        rows.update(**original)
    assert hashing.record_hash(VerificationFlight.objects.get(pk=record.pk)) == first
