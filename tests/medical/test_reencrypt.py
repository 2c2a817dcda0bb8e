"""Key rotation: put a new key first, run reencrypt_medical, and the old key can go."""

import datetime as dt

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from tests.medical import factories as f
from tests.medical.test_models import ENCRYPTED_COLUMNS
from tourism.medical import crypto, services
from tourism.medical.crypto import MedicalDecryptionError
from tourism.medical.models import ClearanceNote, MedicalDocument, MedicalExamination, MedicalQuestionnaire

pytestmark = pytest.mark.django_db(transaction=True)  # the old files are deleted after each batch commits


def raw_tokens() -> dict:
    tokens = {}
    with connection.cursor() as cursor:
        for table, column in ENCRYPTED_COLUMNS:
            cursor.execute(f"SELECT {column} FROM {connection.ops.quote_name(table)} ORDER BY 1")
            tokens[table] = [value for (value,) in cursor.fetchall()]
    return tokens


def test_reencrypt_moves_everything_to_the_newest_key(passenger, surgeon, settings, capsys):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.MEDICAL_ENCRYPTION_KEYS = [old_key]
    clearance = f.draft(passenger)
    services.document_upload(clearance=clearance, by=passenger, upload=f.upload("letter.pdf", f.PDF))
    services.clearance_submit(clearance=clearance, by=passenger)
    services.clearance_start_review(clearance=clearance, by=surgeon)
    services.examination_record(
        clearance=clearance, by=surgeon, kind="physical", performed_on=dt.date.today(), outcome="satisfactory",
        findings="Normal examination.",
    )
    services.clearance_decide(clearance=clearance, by=surgeon, outcome="cleared", reasons="Fit to fly.")
    before = raw_tokens()
    old_file = MedicalDocument.objects.get().file.name

    settings.MEDICAL_ENCRYPTION_KEYS = [new_key, old_key]
    call_command("reencrypt_medical", "--batch-size", "1")
    out = capsys.readouterr().out
    assert "medical.MedicalQuestionnaire: 1" in out and "medical.HistoricalMedicalQuestionnaire: 4" in out
    assert "document files: 1" in out
    after = raw_tokens()
    for table in before:
        assert len(after[table]) == len(before[table]) and set(after[table]).isdisjoint(before[table]), table

    settings.MEDICAL_ENCRYPTION_KEYS = [new_key]  # the old key is retired
    assert MedicalQuestionnaire.objects.get().answers["conditions"]["arrhythmia"]["details"] == f.SECRET_DETAIL
    assert [h.answers for h in MedicalQuestionnaire.history.all()][0]["body"]["mass_kg"] == "72.5"
    assert ClearanceNote.objects.get().body == "Fit to fly."
    assert MedicalExamination.objects.get().findings == "Normal examination."
    document = MedicalDocument.objects.get()
    assert document.original_name == "letter.pdf"
    with document.file.open("rb") as handle:
        assert crypto.decrypt_bytes(handle.read()) == f.PDF
    assert document.file.name != old_file and not document.file.storage.exists(old_file)


def test_with_only_the_new_key_before_reencrypting_nothing_is_readable(passenger, settings):
    settings.MEDICAL_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    f.draft(passenger)
    settings.MEDICAL_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(MedicalDecryptionError, match="could not be re-encrypted"):
        call_command("reencrypt_medical")
