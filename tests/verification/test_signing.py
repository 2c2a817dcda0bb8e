"""Sign-offs cannot be forged from the database: each carries an HMAC-SHA256 seal under a deployment key
that is not in the database (SIGNOFF_KEYS, with a key id, rotatable), the chain head is published outside
the database, and legacy unkeyed rows are reported until an operator with the key seals them."""

import base64
import logging
import os

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from flights import roles
from flights.models import Notification
from tests.conftest import make_user
from tests.flights.factories import VehicleFactory, VehicleModelFactory
from tests.twofactor import log_in
from tests.verification.factories import certified_vehicle, record_in_review, sign
from verification import hashing, selectors, signing
from verification.exceptions import SignOffRefused
from verification.models import GENESIS_HASH, SignOff, SignOffChainHead, TestObjective
from verification.tasks import publish_chain_head, verify_signoff_chain

pytestmark = pytest.mark.django_db


def verify(capsys, *args) -> tuple[int, list[str]]:
    try:
        call_command("verify_signoffs", *args)
        code = 0
    except CommandError as error:
        assert error.returncode == 1
        code = 1
    return code, capsys.readouterr().out.strip().splitlines()


def new_key(kid: str) -> tuple[str, bytes]:
    return kid, os.urandom(32)


@pytest.fixture
def certified(operations, director, other_director):
    """A vehicle certified by three sign-offs: an uncrewed record (one signature), a crewed one (two)."""
    vehicle = VehicleFactory(model=VehicleModelFactory(required_uncrewed_flights=1, required_crewed_flights=1))
    certified_vehicle(ops=operations, directors=[director, other_director], vehicle=vehicle, crewed=0)
    record = record_in_review(by=operations, vehicle=vehicle, crewed=True, objectives=("pass", "pass"))
    sign(record, director, other_director)
    assert selectors.vehicle_certification_get(vehicle).certified_for_passengers
    return vehicle, record


def rehash_chain(*, reseal: bool, version: int | None = None) -> None:
    """What someone with database write access does after editing a record: recompute every record hash,
    sign-off hash, chain link and the head, in raw SQL. With `reseal`, they also hold the signing key.
    With `version`, the sign-offs are rewritten in that canonical form (as older code wrote them)."""
    table, head_table = SignOff._meta.db_table, SignOffChainHead._meta.db_table
    previous = GENESIS_HASH
    for signoff in SignOff.objects.order_by("sequence"):
        record = selectors.record_queryset().get(pk=signoff.record_id)
        signoff.document_version = version or signoff.document_version
        signoff.record_hash = hashing.record_hash(record, version=signoff.document_version)
        signoff.previous_hash = previous
        signoff.signoff_hash = hashing.signoff_hash(signoff)
        if reseal:
            signing.seal_signoff(signoff)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET record_hash = %s, previous_hash = %s, signoff_hash = %s, key_id = %s, mac = %s, "
                "document_version = %s WHERE id = %s",
                [signoff.record_hash, signoff.previous_hash, signoff.signoff_hash, signoff.key_id, signoff.mac,
                 signoff.document_version, signoff.pk],
            )
        previous = signoff.signoff_hash
    head = SignOffChainHead.objects.get(pk=1)
    head.last_hash = previous
    if reseal:
        signing.seal_head(head)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {head_table} SET last_hash = %s, key_id = %s, mac = %s WHERE id = 1",
                       [head.last_hash, head.key_id, head.mac])


def test_every_signature_is_sealed_with_the_newest_key(certified, settings):
    kid = settings.SIGNOFF_KEYS[0][0]
    assert [(s.key_id, len(s.mac)) for s in SignOff.objects.all()] == [(kid, 64)] * 3
    head = SignOffChainHead.objects.get(pk=1)
    assert head.key_id == kid and signing.head_seal_problem(head) == ""


def test_a_raw_sql_edit_with_every_unkeyed_hash_recomputed_is_caught(capsys, client, director, certified):
    vehicle, record = certified
    objective = record.objectives.get(sequence=2)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TestObjective._meta.db_table} SET measured_result = %s WHERE id = %s",
                       ["Forged: within limits", objective.pk])
    rehash_chain(reseal=False)

    # Everything the unkeyed scheme checked is satisfied again: hashes, links, head.
    signoffs = list(SignOff.objects.order_by("sequence"))
    assert all(hashing.signoff_hash(s) == s.signoff_hash for s in signoffs)
    assert [s.previous_hash for s in signoffs[1:]] == [s.signoff_hash for s in signoffs[:-1]]
    review = selectors.record_review(selectors.record_queryset().get(pk=record.pk))
    assert all(view.signoff.record_hash == review.current_hash for view in review.signoffs)

    code, lines = verify(capsys)
    assert code == 1
    seal_lines = [line for line in lines if "seal does not verify" in line]
    assert len(seal_lines) == 3 and "written by someone without the signing key" in seal_lines[0]
    assert any(line.startswith("sign-off chain head: the chain head's seal does not verify") for line in lines)
    assert [view.check.label for view in review.signoffs] == ["Void", "Void"]
    assert not selectors.vehicle_certification_get(vehicle).certified_for_passengers

    log_in(client, director)
    assert "seal does not verify" in client.get(record.get_absolute_url()).content.decode()


def set_author(row, field: str, user_id: int | None) -> int | None:
    """Rewrite who entered or edited a row in raw SQL; returns who it was."""
    table = type(row)._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {field}_id FROM {table} WHERE id = %s", [row.pk])
        (before,) = cursor.fetchone()
        cursor.execute(f"UPDATE {table} SET {field}_id = %s WHERE id = %s", [user_id, row.pk])
    return before


def test_who_entered_a_record_is_signed_and_a_raw_sql_change_of_it_is_reported(capsys, certified, director):
    """After signing, someone rewrites who entered an objective (to cover that the signer wrote it, or to
    blame someone else). No content changed, yet the signature no longer stands."""
    vehicle, record = certified
    assert {s.document_version for s in SignOff.objects.all()} == {hashing.DOCUMENT_VERSION} == {2}
    assert verify(capsys)[0] == 0
    objective = record.objectives.get(sequence=2)
    before = set_author(objective, "entered_by", director.pk)

    code, lines = verify(capsys)
    assert code == 1
    (line,) = [line for line in lines if line.startswith(f"record {record.flight.code} ")]
    assert "its content no longer matches what was signed (#2 by Dana Tester, #3 by " in line
    review = selectors.record_review(selectors.record_queryset().get(pk=record.pk))
    assert [view.check.problem for view in review.signoffs] == ["the record was changed after it was signed"] * 2
    assert not selectors.vehicle_certification_get(vehicle).certified_for_passengers

    set_author(objective, "entered_by", before)  # put back: the signatures stand again
    assert verify(capsys)[0] == 0
    for row, field in ((record, "created_by"), (record, "last_edited_by"), (objective, "last_edited_by")):
        before = set_author(row, field, director.pk)
        assert verify(capsys)[0] == 1, field
        set_author(row, field, before)
    assert verify(capsys)[0] == 0


def test_signatures_in_the_earlier_canonical_form_still_verify(capsys, certified, director):
    """Sign-offs written before the authors were signed (document version 1), by the code of the time and
    sealed with the key, keep standing; their own version is signed, so it cannot be moved either."""
    vehicle, record = certified
    rehash_chain(reseal=True, version=1)
    assert {s.document_version for s in SignOff.objects.all()} == {1}
    assert verify(capsys)[0] == 0
    assert selectors.vehicle_certification_get(vehicle).certified_for_passengers
    # Content is still covered in version 1; the authors were not, in that form.
    set_author(record.objectives.get(sequence=2), "entered_by", director.pk)
    assert verify(capsys)[0] == 0
    TestObjective.objects.filter(record=record, sequence=2).update(measured_result="Forged")
    code, lines = verify(capsys)
    assert code == 1 and any("its content no longer matches what was signed" in line for line in lines)
    # Rewriting a sign-off's version in the database breaks its own hash and its seal.
    TestObjective.objects.filter(record=record, sequence=2).update(measured_result=record.objectives.get(
        sequence=2).measured_result)
    SignOff.objects.filter(sequence=3).update(document_version=2)
    code, lines = verify(capsys)
    assert code == 1 and any(line.startswith("sign-off #3 ") and "its contents no longer match its SHA-256" in line
                             for line in lines)


def test_an_unknown_key_id_is_reported_not_a_crash(capsys, client, director, certified, settings):
    _, record = certified
    old_kid = settings.SIGNOFF_KEYS[0][0]
    settings.SIGNOFF_KEYS = [new_key("k2027a")]  # the old key was dropped from the deployment too early
    code, lines = verify(capsys)
    assert code == 1
    # the three sign-offs and the chain head
    assert sum(f"sealed with key id {old_kid!r}, which this deployment does not hold" in line for line in lines) == 4
    log_in(client, director)
    response = client.get(record.get_absolute_url())
    assert response.status_code == 200 and "which this deployment does not hold" in response.content.decode()


def test_keys_rotate_newest_first_and_old_seals_still_verify(capsys, certified, operations, director, settings):
    old = settings.SIGNOFF_KEYS[0]
    settings.SIGNOFF_KEYS = [new_key("k2027a"), old]
    record = record_in_review(by=operations)
    sign(record, director)
    assert SignOff.objects.order_by("-sequence").first().key_id == "k2027a"
    assert SignOffChainHead.objects.get(pk=1).key_id == "k2027a"
    code, lines = verify(capsys)
    assert code == 0 and lines[-1].startswith("OK: 4 sign-offs")


def seal(capsys) -> tuple[int, str]:
    try:
        call_command("seal_signoffs")
        code = 0
    except CommandError as error:
        assert error.returncode == 1
        code = 1
    return code, capsys.readouterr().out


def make_legacy():
    SignOff.objects.update(key_id="", mac="")  # as the rows were before the keyed scheme
    SignOffChainHead.objects.update(key_id="", mac="")


def test_legacy_unkeyed_rows_are_reported_until_sealed_and_a_tampered_one_is_refused(capsys, certified, settings):
    vehicle, _ = certified
    make_legacy()
    code, lines = verify(capsys)
    assert code == 1
    assert sum("is unkeyed (sealed by no key)" in line for line in lines) == 4  # three sign-offs and the head
    assert not selectors.vehicle_certification_get(vehicle).certified_for_passengers  # fail closed meanwhile

    first = SignOff.objects.get(sequence=1)
    SignOff.objects.filter(sequence=1).update(meaning="Forged before the upgrade")  # bypasses save()
    code, out = seal(capsys)
    assert code == 1
    assert (f"refused: sign-off #1 ({first.record.flight.code}, Dana Tester): its contents no longer match its "
            "SHA-256") in out
    assert f"sealed 2 legacy sign-off(s) with key {settings.SIGNOFF_KEYS[0][0]}; chain head sealed; 1 refused" in out
    sealed = SignOff.objects.exclude(mac="").order_by("sequence")
    assert [s.sequence for s in sealed] == [2, 3] and all(s.sealed_at for s in sealed)

    code, lines = verify(capsys)
    unkeyed = [line for line in lines if "is unkeyed" in line]
    assert code == 1 and len(unkeyed) == 1 and unkeyed[0].startswith("sign-off #1 ")  # refused: still reported
    assert selectors.vehicle_certification_get(vehicle).uncrewed_phase_complete is False
    assert selectors.record_review(selectors.record_queryset().get(pk=certified[1].pk)).counts  # #2, #3 stand


def test_a_refused_last_row_leaves_the_head_unsealed_and_no_one_signs_after_it(capsys, certified, operations,
                                                                                 django_user_model):
    make_legacy()
    SignOff.objects.filter(sequence=3).update(comment="Forged before the upgrade")
    code, out = seal(capsys)
    assert code == 1 and "sealed 2 legacy sign-off(s)" in out and "chain head sealed" not in out
    record = record_in_review(by=operations)
    with pytest.raises(SignOffRefused, match="the chain head is unkeyed") as refusal:
        sign(record, make_user(django_user_model, "flo", roles.FLIGHT_DIRECTOR))
    assert refusal.value.code == "chain_unsealed"


def test_seal_signoffs_dry_run_changes_nothing(capsys, certified):
    SignOff.objects.update(key_id="", mac="")
    call_command("seal_signoffs", "--dry-run")
    assert "would seal 3 legacy sign-off(s)" in capsys.readouterr().out
    assert not SignOff.objects.exclude(mac="").exists()


def test_a_sealed_signature_cannot_be_resealed_through_the_model(certified):
    from verification.exceptions import RecordLocked
    from verification.models import lifecycle_write

    signoff = SignOff.objects.get(sequence=1)
    signoff.mac = "0" * 64
    with lifecycle_write(), pytest.raises(RecordLocked):
        signoff.save(update_fields=["mac"])


def test_a_published_head_is_checked_against_the_chain(capsys, certified):
    _, record = certified
    published = SignOff.objects.get(sequence=2)
    head = f"{published.sequence}:{published.signoff_hash}"
    code, lines = verify(capsys, "--head", head)
    assert code == 0
    assert f"Published head #2 {published.signoff_hash} is still in the chain; 1 sign-off(s) follow it." in lines

    # Someone who holds the key as well as the database rewrites history: every seal verifies again...
    objective = record.objectives.get(sequence=1)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TestObjective._meta.db_table} SET measured_result = %s WHERE id = %s",
                       ["Rewritten", objective.pk])
    rehash_chain(reseal=True)
    assert verify(capsys)[0] == 0
    # ...but the head published earlier is no longer in the chain.
    code, lines = verify(capsys, "--head", head)
    assert code == 1
    assert lines[0].startswith(f"published head {published.signoff_hash} is NOT in the chain: the history was "
                               "rewritten or cut since it was published; sign-off #2 now hashes to ")


def test_a_malformed_head_is_refused_with_a_clear_message():
    with pytest.raises(CommandError, match="--head needs a 64-hex-digit SHA-256"):
        call_command("verify_signoffs", "--head", "12:not-a-hash")


def test_the_chain_head_is_published_daily_to_the_log_and_the_directors(certified, caplog):
    last = SignOff.objects.order_by("-sequence").first()
    with caplog.at_level(logging.INFO, logger="verification.tasks"):
        assert publish_chain_head.delay().get() == {"sequence": 3, "hash": last.signoff_hash, "ok": True}
    assert any(f"#3 {last.signoff_hash} (verified)" in message for message in caplog.messages)
    rows = Notification.objects.filter(dedupe_key__startswith="verification-chain-head:")
    assert sorted(rows.values_list("recipient", flat=True)) == ["dana@example.test", "drew@example.test"]
    assert f"manage.py verify_signoffs --head 3:{last.signoff_hash}" in rows.first().body
    publish_chain_head.delay().get()  # a second run the same day tells nobody twice
    assert rows.count() == 2


def test_an_integrity_alarm_goes_through_the_outbox_once_per_window(certified, mailoutbox):
    alarms = Notification.objects.filter(dedupe_key__startswith="verification-integrity:")
    assert verify_signoff_chain.delay().get() == {"problems": 0, "signoffs": 3, "records": 2, "files": 0}
    assert not alarms.exists()
    SignOff.objects.filter(sequence=1).update(meaning="forged")
    assert verify_signoff_chain.delay().get()["problems"] == 2  # the sign-off, and its record's approval
    assert sorted(alarms.values_list("recipient", flat=True)) == ["dana@example.test", "drew@example.test"]
    alarm = alarms.first()
    assert alarm.subject == "Verification sign-offs: 2 integrity problem(s)"
    assert "its contents no longer match its SHA-256" in alarm.body
    verify_signoff_chain.delay().get()  # the same finding, the same window: no second alarm
    assert alarms.count() == 2
    SignOff.objects.filter(sequence=2).update(meaning="forged too")  # a new finding is alarmed
    verify_signoff_chain.delay().get()
    assert alarms.count() == 4
    assert mailoutbox == [] or all(mail.subject.startswith("Verification sign-offs") for mail in mailoutbox)


def test_signoff_keys_setting_refuses_bad_entries_without_echoing_them(tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    from config.settings import signoff_keys

    good = "k1:" + base64.b64encode(os.urandom(32)).decode()
    assert [kid for kid, _ in signoff_keys([good], debug=False, key_file=tmp_path / "x")] == ["k1"]
    for entry, message in (
        ("k1:c2hvcnQ=", r"entry 1 \(key id k1\) is not at least 32 base64-encoded bytes"),
        (":" + good.split(":")[1], "entry 1 has no valid key id"),
        ("s3cret-no-colon", "entry 1 has no valid key id"),
    ):
        with pytest.raises(ImproperlyConfigured, match=message) as error:
            signoff_keys([entry], debug=False, key_file=tmp_path / "x")
        assert "c2hvcnQ=" not in str(error.value) and "s3cret" not in str(error.value)
    with pytest.raises(ImproperlyConfigured, match="names key id k1 twice"):
        signoff_keys([good, good], debug=False, key_file=tmp_path / "x")
    with pytest.raises(ImproperlyConfigured, match="SIGNOFF_KEYS is not set. Production"):
        signoff_keys([], debug=False, key_file=tmp_path / "signoff.key")
    assert not (tmp_path / "signoff.key").exists()


def test_development_generates_one_private_signing_key_file_and_reuses_it(tmp_path):
    from config.settings import signoff_keys

    key_file = tmp_path / "var" / "signoff.key"
    first = signoff_keys([], debug=True, key_file=key_file)
    assert signoff_keys([], debug=True, key_file=key_file) == first and len(first[0][1]) == 32
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
