"""Tampering by any path, raw SQL included, is caught: verify_signoffs reports it, the sign-off shows as
void wherever it is displayed, and the vehicle's certification drops."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from flights import services as flight_services
from flights.exceptions import DomainError
from tests.flights.factories import FlightFactory, VehicleFactory, VehicleModelFactory
from tests.twofactor import log_in
from tests.verification.factories import certified_vehicle, planned_record, record_in_review, sign
from verification import selectors, services
from verification.integrity import verify_all
from verification.models import SignOff, TestObjective

pytestmark = pytest.mark.django_db


def verify(capsys, *args) -> tuple[int, list[str]]:
    try:
        call_command("verify_signoffs", *args)
        code = 0
    except CommandError as error:
        assert error.returncode == 1
        code = 1
    return code, capsys.readouterr().out.strip().splitlines()


@pytest.fixture
def certified(operations, director, other_director):
    """A certified vehicle whose crewed flight has a partial objective accepted with a flight rationale."""
    vehicle = VehicleFactory(model=VehicleModelFactory(required_uncrewed_flights=1, required_crewed_flights=1))
    certified_vehicle(ops=operations, directors=[director, other_director], vehicle=vehicle, crewed=0)
    record = record_in_review(by=operations, vehicle=vehicle, crewed=True,
                              objectives=("pass", ("partial", "At the limit, not over it")))
    sign(record, director, other_director)
    assert selectors.vehicle_certification_get(vehicle).certified_for_passengers
    return vehicle, record


def test_a_clean_chain_verifies(capsys, certified):
    code, lines = verify(capsys)
    assert code == 0
    assert lines[-1].startswith("OK: 3 sign-offs, 2 signed records and 0 attachment files verified. Chain head #3 ")


def test_raw_sql_change_of_an_objective_result_is_caught_everywhere(capsys, client, director, certified):
    vehicle, record = certified
    objective = record.objectives.get(sequence=2)
    with connection.cursor() as cursor:  # "partial" becomes "pass" behind every Python check
        cursor.execute(f"UPDATE {TestObjective._meta.db_table} SET result = %s WHERE id = %s", ["pass", objective.pk])

    code, lines = verify(capsys)
    assert code == 1
    assert len(lines) == 1
    assert lines[0].startswith(f"record {record.flight.code} (id {record.pk}, revision 1): its content no longer "
                               "matches what was signed (#2 by Dana Tester, #3 by Drew Tester); SHA-256 now ")

    review = selectors.record_review(selectors.record_queryset().get(pk=record.pk))
    assert [view.check.label for view in review.signoffs] == ["Void", "Void"]
    assert review.signoffs[0].check.problem == "the record was changed after it was signed"

    certification = selectors.vehicle_certification_get(vehicle)
    assert certification.state == "uncrewed_phase_complete"
    crewed = certification.evidence[-1]
    assert "the sign-off by Dana Tester is void: the record was changed after it was signed" in crewed.reasons
    with pytest.raises(DomainError, match="is not certified for passengers"):
        flight_services.flight_schedule(flight=FlightFactory(vehicle=vehicle), by=None)

    log_in(client, director)
    page = client.get(record.get_absolute_url()).content.decode()
    assert "is <strong>void</strong>" in page and page.count("Void: the record was changed after it was signed") == 2
    body = client.get(f"/api/v1/verification/signoffs/?record={record.pk}").json()
    assert [(item["valid"], item["problem"]) for item in body["results"]] == [
        (False, "the record was changed after it was signed")] * 2
    assert client.get(f"/api/v1/verification/records/{record.pk}/").json()["counts_towards_certification"] is False
    page = client.get(f"/verification/vehicles/{vehicle.pk}/").content.decode()
    assert "Uncrewed phase complete" in page and "void" in page


def test_a_forged_signature_is_caught(capsys, certified):
    _, record = certified
    SignOff.objects.filter(sequence=2).update(decision="reject", comment="forged")  # bypasses save()
    code, lines = verify(capsys)
    assert code == 1
    assert lines == [
        f"sign-off #2 ({record.flight.code}, Dana Tester, {SignOff.objects.get(sequence=2).signed_at:%Y-%m-%d %H:%M} "
        "UTC): its contents no longer match its SHA-256 (the signature was altered)",
        f"record {record.flight.code} (id {record.pk}): marked signed off, but only 1 of 2 approvals stand",
    ]
    review = selectors.record_review(selectors.record_queryset().get(pk=record.pk))
    assert review.signoffs[0].check.problem == "the signature's own contents were altered after signing"


def test_a_signature_removed_from_the_chain_is_caught(capsys, certified):
    _, record = certified
    SignOff.objects.filter(sequence=2)._raw_delete("default")
    code, lines = verify(capsys)
    assert code == 1
    assert lines[0].startswith("sign-off chain: sign-off #2 to #2 missing before sign-off #3")
    assert lines[1].endswith("does not follow the sign-off before it (the chain is broken)")
    # The signature after the gap cannot be trusted either: neither approval stands.
    assert lines[2] == f"record {record.flight.code} (id {record.pk}): marked signed off, but only 0 of 2 approvals stand"
    review = selectors.record_review(selectors.record_queryset().get(pk=record.pk))
    assert review.signoffs[0].check.problem == "the sign-off chain is broken before this signature"


def test_a_status_forced_to_signed_off_does_not_count(capsys, operations, director):
    vehicle = VehicleFactory(model=VehicleModelFactory(required_uncrewed_flights=1, required_crewed_flights=0))
    record = record_in_review(by=operations, vehicle=vehicle)
    type(record).objects.filter(pk=record.pk).update(status="signed_off")
    certification = selectors.vehicle_certification_get(vehicle)
    assert certification.state == "uncertified"
    assert certification.evidence[0].reasons == ["0 of 1 required director sign-offs stand"]


def test_a_rejected_record_forced_to_signed_off_does_not_count_its_rejection(capsys, operations, director):
    """The director's sealed signature stands, but it says no: a rejection is never one of the approvals."""
    vehicle = VehicleFactory(model=VehicleModelFactory(required_uncrewed_flights=1, required_crewed_flights=0))
    record = record_in_review(by=operations, vehicle=vehicle)
    sign(record, director, decision="reject", comment="Parachute deployed late")
    assert record.status == "rejected"
    type(record).objects.filter(pk=record.pk).update(status="signed_off")

    review = selectors.record_review(selectors.record_queryset().get(pk=record.pk))
    assert [view.check.valid for view in review.signoffs] == [True]
    assert review.valid_approvers == set() and review.approvals_needed == 1
    certification = selectors.vehicle_certification_get(vehicle)
    assert certification.state == "uncertified"
    assert certification.evidence[0].reasons == ["0 of 1 required director sign-offs stand"]
    with pytest.raises(DomainError, match="is not certified"):
        flight_services.flight_schedule(flight=FlightFactory(vehicle=vehicle), by=None)
    code, lines = verify(capsys)
    assert code == 1 and lines[-1].endswith("marked signed off, but only 0 of 1 approvals stand")


def test_an_attachment_file_changed_on_disk_is_caught(capsys, operations, director):
    record = planned_record()
    attachment = services.attachment_add(record=record, by=operations, title="Telemetry",
                                         file=SimpleUploadedFile("t.csv", b"0,0\n240,107\n"))
    services.verification_mark_flown(record=record, by=operations)
    services.verification_submit_for_review(record=record, by=operations)
    sign(record, director)
    assert verify(capsys)[0] == 0
    with open(attachment.file.path, "wb") as handle:
        handle.write(b"0,0\n240,130\n")
    code, lines = verify(capsys)
    assert (code, lines) == (1, [f"attachment #{attachment.pk} “Telemetry” of record {record.flight.code}: its file "
                                 "no longer matches its SHA-256"])
    assert verify(capsys, "--skip-files")[0] == 0
    attachment.file.storage.delete(attachment.file.name)
    assert verify(capsys)[1] == [f"attachment #{attachment.pk} “Telemetry” of record {record.flight.code}: its "
                                 "file is missing"]


def test_verify_reads_in_chunks(monkeypatch, certified):
    monkeypatch.setattr("verification.integrity.CHUNK", 1)
    report = verify_all()
    assert report.ok and (report.signoffs_checked, report.records_checked) == (3, 2)
