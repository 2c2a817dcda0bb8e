"""Encryption at rest, the database's own rules, and what staff may know of a clearance."""

import datetime as dt
import os
from decimal import Decimal

import pytest
from cryptography.fernet import Fernet
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from tests.medical import factories as f
from tourism.medical import crypto, services
from tourism.medical.crypto import MedicalDecryptionError
from tourism.medical.models import ClearanceNote, MedicalClearance, MedicalDocument, MedicalQuestionnaire
from tourism.medical.storage import private_medical_storage

pytestmark = pytest.mark.django_db

ENCRYPTED_COLUMNS = [
    ("medical_medicalquestionnaire", "answers"),
    ("medical_historicalmedicalquestionnaire", "answers"),
    ("medical_clearancenote", "body"),
    ("medical_medicalexamination", "findings"),
    ("medical_medicaldocument", "original_name"),
]


def raw_rows(table: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
        return cursor.fetchall()


@pytest.fixture
def full_record(passenger, surgeon):
    clearance = f.draft(passenger)
    services.document_upload(clearance=clearance, by=passenger, upload=f.upload("afib-cardiology-letter.pdf", f.PDF))
    services.document_upload(clearance=clearance, by=passenger, upload=f.upload("holter.png", f.PNG))
    services.clearance_submit(clearance=clearance, by=passenger)
    services.clearance_start_review(clearance=clearance, by=surgeon)
    services.examination_record(
        clearance=clearance, by=surgeon, kind="physical", performed_on=dt.date.today(), outcome="satisfactory",
        findings="Irregularly irregular pulse platypus-4410",
    )
    services.clearance_decide(
        clearance=clearance, by=surgeon, outcome="cleared_with_restrictions", allowed_regimes=["suborbital"],
        reasons="Rate-controlled fibrillation wombat-2208", max_g="4",
    )
    return clearance


def test_raw_database_rows_and_stored_files_hold_no_plaintext(full_record):
    secrets = [f.SECRET_DETAIL, "Apixaban", "72.5", "platypus-4410", "wombat-2208", "afib-cardiology-letter", "holter"]
    for table, column in ENCRYPTED_COLUMNS:
        rows = raw_rows(table)
        assert rows, f"nothing stored in {table}"
        dump = repr(rows)
        for secret in secrets:
            assert secret not in dump, f"{secret!r} readable in {table}"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {column} FROM {connection.ops.quote_name(table)}")
            for (value,) in cursor.fetchall():
                assert value.startswith("gAAAAA"), f"{table}.{column} is not a Fernet token"
    # The documents on disk are tokens too, under names that say nothing.
    documents = MedicalDocument.objects.all()
    assert documents.count() == 2
    for document in documents:
        assert document.file.name.startswith("medical/") and document.file.name.endswith(".bin")
        with open(private_medical_storage().path(document.file.name), "rb") as handle:
            stored = handle.read()
        for plaintext in (b"%PDF", b"PNG", b"quokka-5521", b"narwhal-9912"):
            assert plaintext not in stored
        assert crypto.decrypt_bytes(stored) in (f.PDF, f.PNG)


def test_through_the_models_everything_reads_back(full_record):
    answers = MedicalQuestionnaire.objects.get(clearance=full_record).answers
    assert answers["conditions"]["arrhythmia"] == {"answer": True, "details": f.SECRET_DETAIL}
    assert answers["body"] == {"mass_kg": "72.5", "height_cm": 178, "confirmed": True}
    assert ClearanceNote.objects.get(kind="decision").body == "Rate-controlled fibrillation wombat-2208"
    assert {d.original_name for d in MedicalDocument.objects.all()} == {"afib-cardiology-letter.pdf", "holter.png"}


def test_without_the_key_the_database_alone_reveals_nothing(full_record, settings):
    settings.MEDICAL_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(MedicalDecryptionError, match="could not be decrypted with any key"):
        MedicalQuestionnaire.objects.get(clearance=full_record)


def test_files_are_private_owner_only_with_no_url(full_record):
    document = MedicalDocument.objects.first()
    storage = private_medical_storage()
    assert oct(os.stat(storage.path(document.file.name)).st_mode & 0o777) == "0o600"
    with pytest.raises(ValueError, match="no public URL"):
        _ = document.file.url


def test_media_is_not_served_by_url(client, full_record, settings):
    document = MedicalDocument.objects.first()
    assert client.get("/media/" + document.file.name).status_code == 404
    assert client.get("/" + document.file.name).status_code == 404


def test_encrypted_fields_refuse_lookups_on_ciphertext():
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError, match="Unsupported lookup 'icontains'"):
        list(ClearanceNote.objects.filter(body__icontains="angina"))
    with pytest.raises(FieldError, match="Unsupported lookup 'exact'"):
        list(ClearanceNote.objects.filter(body="angina"))
    assert not ClearanceNote.objects.filter(body__isnull=True).exists()


def test_one_open_questionnaire_per_passenger_in_the_database(passenger):
    f.draft(passenger)
    with pytest.raises(IntegrityError), transaction.atomic():
        MedicalClearance.objects.create(passenger=passenger, status="submitted")


def test_one_standing_decision_per_passenger_in_the_database(passenger, surgeon):
    clearance = f.decided(passenger, surgeon)
    with pytest.raises(IntegrityError), transaction.atomic():
        MedicalClearance.objects.create(
            passenger=passenger, status="not_cleared", decided_at=timezone.now(), decided_by=surgeon
        )
    assert clearance.status == "cleared"


@pytest.mark.parametrize(
    "values",
    [
        {"status": "cleared", "decided_at": None},
        {"status": "cleared_with_restrictions", "valid_until": None},
        {"status": "cleared", "max_g": Decimal("4")},
        {"status": "cleared_with_restrictions", "max_g": Decimal("0")},
        {"status": "under_review"},  # open, yet decided
        {"status": "approved"},
    ],
)
def test_database_constraints(passenger, surgeon, values):
    base = {"passenger": passenger, "status": "cleared", "decided_at": timezone.now(), "decided_by": surgeon,
            "valid_until": dt.date.today(), "allowed_regimes": ["suborbital", "orbital"]}
    with pytest.raises(IntegrityError), transaction.atomic():
        MedicalClearance.objects.create(**{**base, **values})


def test_documents_must_be_an_allowed_type_and_not_empty(passenger):
    clearance = f.draft(passenger)
    for values in ({"content_type": "image/gif", "size_bytes": 10}, {"content_type": "application/pdf", "size_bytes": 0}):
        with pytest.raises(IntegrityError), transaction.atomic():
            MedicalDocument.objects.create(
                clearance=clearance, original_name="x", uploaded_by=passenger, file="medical/x.bin", **values
            )


@pytest.mark.parametrize(
    "regimes,max_g,expected",
    [
        (["suborbital", "orbital"], None, "None"),
        (["suborbital"], None, "Suborbital only"),
        (["orbital"], Decimal("4.5"), "Orbital only, max 4.5 g"),
        (["suborbital", "orbital"], Decimal("4.0"), "max 4.0 g"),
    ],
)
def test_restrictions_display(regimes, max_g, expected):
    clearance = MedicalClearance(status="cleared_with_restrictions", allowed_regimes=regimes, max_g=max_g)
    assert clearance.restrictions_display == expected
    assert MedicalClearance(status="submitted").restrictions_display == "—"


def test_str_names_the_record_not_its_content(passenger):
    clearance = f.draft(passenger)
    assert str(clearance) == f"#{clearance.pk} (pat)"
    assert str(clearance.questionnaire) == f"Questionnaire of clearance #{clearance.pk}"
