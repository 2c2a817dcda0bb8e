"""Shared file storage (issue 15): uploads in an S3-compatible store (moto's server over HTTP), medical files
encrypted before they leave the app, and an integrity check that tells a store that is down from tampering."""

from __future__ import annotations

import boto3
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from config.filestore import FileStoreUnreachable, is_unreachable, probe, storages_from_env
from flights.models import Notification
from tests.medical import factories as f
from tests.s3 import ACCESS_KEY, SECRET_KEY, free_port
from tests.verification.factories import planned_record, sign
from tourism.medical import crypto, selectors, services
from tourism.medical.models import MedicalAccessLog
from tourism.medical.storage import private_medical_storage
from verification import services as verification_services
from verification.integrity import verify_all
from verification.tasks import verify_signoff_chain

pytestmark = pytest.mark.django_db


def bucket_objects(s3_storage) -> dict[str, bytes]:
    client = boto3.client(
        "s3",
        endpoint_url=s3_storage["server"].endpoint,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name="us-east-1",
    )
    listing = client.list_objects_v2(Bucket=s3_storage["bucket"]).get("Contents", [])
    return {
        item["Key"]: client.get_object(Bucket=s3_storage["bucket"], Key=item["Key"])["Body"].read() for item in listing
    }


def test_medical_documents_go_to_the_object_store_as_fernet_tokens(s3_storage, passenger, surgeon):
    clearance = f.draft(passenger)
    document = services.document_upload(clearance=clearance, by=passenger, upload=f.upload("ecg.pdf", f.PDF))
    objects = bucket_objects(s3_storage)
    assert list(objects) == [document.file.name]
    stored = objects[document.file.name]
    assert stored.startswith(b"gAAAAA") and b"quokka-5521" not in stored and b"%PDF" not in stored
    assert crypto.decrypt_bytes(stored) == f.PDF
    assert type(private_medical_storage()._wrapped).__name__ == "PrivateS3MedicalStorage"
    with pytest.raises(ValueError, match="no public URL"):
        _ = document.file.url  # not even a pre-signed link
    services.clearance_submit(clearance=clearance, by=passenger)
    content = selectors.document_content_read(document=document, reader=surgeon, channel="api")
    assert content == f.PDF
    assert MedicalAccessLog.objects.filter(accessed_by=surgeon, action="download").count() == 1


def _signed_attachment(operations, director, content=b"0,0\n240,107\n"):
    record = planned_record()
    attachment = verification_services.attachment_add(
        record=record, by=operations, title="Telemetry", file=SimpleUploadedFile("t.csv", content)
    )
    verification_services.verification_mark_flown(record=record, by=operations)
    verification_services.verification_submit_for_review(record=record, by=operations)
    sign(record, director)
    return record, attachment


def test_attachments_in_the_object_store_are_verified_and_tampering_is_still_caught(s3_storage, operations, director):
    record, attachment = _signed_attachment(operations, director)
    assert attachment.file.name in bucket_objects(s3_storage)
    report = verify_all()
    assert report.ok and report.files_checked == 1 and not report.file_store_error
    attachment.file.storage.save(attachment.file.name + ".x", SimpleUploadedFile("x", b"x"))  # unrelated object
    client = boto3.client(
        "s3",
        endpoint_url=s3_storage["server"].endpoint,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name="us-east-1",
    )
    client.put_object(Bucket=s3_storage["bucket"], Key=attachment.file.name, Body=b"0,0\n240,130\n")
    assert verify_all().problems == [
        f"attachment #{attachment.pk} “Telemetry” of record {record.flight.code}: its "
        "file no longer matches its SHA-256"
    ]
    client.delete_object(Bucket=s3_storage["bucket"], Key=attachment.file.name)
    assert verify_all().problems == [
        f"attachment #{attachment.pk} “Telemetry” of record {record.flight.code}: its file is missing"
    ]


def test_a_store_that_is_down_is_no_tamper_alarm_but_an_alert_to_operations(
    s3_storage, operations, director, mailoutbox, settings, capsys
):
    _signed_attachment(operations, director)
    settings.STORAGES = {
        **settings.STORAGES,
        **storages_from_env(
            {
                **s3_storage["env"],
                "S3_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}",
                "S3_MAX_ATTEMPTS": "1",
                "S3_CONNECT_TIMEOUT": "1",
            },
            debug=False,
        ),
    }
    report = verify_all()
    assert report.ok and report.files_checked == 0
    assert "EndpointConnectionError" in report.file_store_error

    mailoutbox.clear()
    result = verify_signoff_chain.delay().get()
    assert result["problems"] == 0 and result["file_store_unreachable"] == 1
    tamper = [m for m in mailoutbox if "integrity problem" in m.subject]
    assert tamper == []  # the flight directors are not told of tampering that did not happen
    (alert,) = Notification.objects.filter(dedupe_key__startswith="file-store-unreachable:")
    assert alert.recipient == operations.email and alert.subject.startswith("File store unreachable")
    verify_signoff_chain.delay().get()
    assert Notification.objects.filter(dedupe_key__startswith="file-store-unreachable:").count() == 1  # once an hour

    with pytest.raises(CommandError, match="file store did not answer") as error:
        call_command("verify_signoffs")
    assert error.value.returncode == 2


def test_a_missing_bucket_is_the_store_s_fault_not_every_file_missing(s3_storage, operations, director, settings):
    _signed_attachment(operations, director)
    settings.STORAGES = {
        **settings.STORAGES,
        **storages_from_env({**s3_storage["env"], "S3_BUCKET": "no-such-bucket"}, debug=False),
    }
    report = verify_all()
    assert report.problems == [] and report.files_checked == 0
    assert report.file_store_error.startswith("ClientError")


def test_unreachable_is_told_from_missing():
    from botocore.exceptions import ClientError, EndpointConnectionError

    assert is_unreachable(EndpointConnectionError(endpoint_url="http://127.0.0.1:1"))
    assert is_unreachable(
        ClientError({"Error": {"Code": "SlowDown"}, "ResponseMetadata": {"HTTPStatusCode": 503}}, "Get")
    )
    assert is_unreachable(
        ClientError({"Error": {"Code": "AccessDenied"}, "ResponseMetadata": {"HTTPStatusCode": 403}}, "Get")
    )
    assert not is_unreachable(
        ClientError({"Error": {"Code": "404"}, "ResponseMetadata": {"HTTPStatusCode": 404}}, "Head")
    )
    assert not is_unreachable(FileNotFoundError("gone"))
    assert is_unreachable(PermissionError("unmounted"))


def test_probe_answers_for_local_disk_and_refuses_a_missing_folder(tmp_path):
    from django.core.files.storage import FileSystemStorage

    probe(FileSystemStorage(location=tmp_path))
    with pytest.raises(FileStoreUnreachable):
        probe(FileSystemStorage(location=tmp_path / "not-mounted"))


def test_storage_configuration_from_the_environment():
    assert storages_from_env({}, debug=True)["default"]["BACKEND"].endswith("FileSystemStorage")
    with pytest.raises(ImproperlyConfigured, match="No file store is configured"):
        storages_from_env({}, debug=False)
    assert storages_from_env({"FILE_STORAGE": "local"}, debug=False)["medical"]["BACKEND"].endswith(
        "PrivateMedicalStorage"
    )
    s3 = storages_from_env({"S3_BUCKET": "b", "S3_ENDPOINT_URL": "http://s3.internal:9000"}, debug=False)
    assert s3["default"]["OPTIONS"]["addressing_style"] == "path"
    assert s3["medical"]["BACKEND"] == "tourism.medical.storage.PrivateS3MedicalStorage"
    with pytest.raises(ImproperlyConfigured, match="needs S3_BUCKET"):
        storages_from_env({"FILE_STORAGE": "s3"}, debug=False)
    with pytest.raises(ImproperlyConfigured, match="S3_ADDRESSING_STYLE"):
        storages_from_env({"S3_BUCKET": "b", "S3_ADDRESSING_STYLE": "sideways"}, debug=False)


def _store_down(settings, s3_storage) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        **storages_from_env(
            {
                **s3_storage["env"],
                "S3_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}",
                "S3_MAX_ATTEMPTS": "1",
                "S3_CONNECT_TIMEOUT": "1",
            },
            debug=False,
        ),
    }


def _api_for(user):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def test_a_medical_document_whose_file_is_gone_or_whose_store_is_down_is_refused_clearly_not_a_500(
    s3_storage, passenger, surgeon, settings, client
):
    from django.urls import reverse

    from tests.twofactor import log_in
    from tourism.medical.models import MedicalDocument

    clearance = f.draft(passenger)
    document = services.document_upload(clearance=clearance, by=passenger, upload=f.upload("ecg.pdf", f.PDF))
    content_url = f"/api/v1/medical/documents/{document.pk}/content/"
    boto3.client(
        "s3",
        endpoint_url=s3_storage["server"].endpoint,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name="us-east-1",
    ).delete_object(Bucket=s3_storage["bucket"], Key=document.file.name)
    gone = _api_for(surgeon).get(content_url)
    assert gone.status_code == 404 and gone.json()["code"] == "file_missing", gone.content
    assert "not in the file store" in gone.json()["detail"]

    _store_down(settings, s3_storage)
    down = _api_for(surgeon).get(content_url)
    assert down.status_code == 503 and down.json()["code"] == "file_store_unreachable", down.content
    assert down["Retry-After"] == "60" and "try again in a minute" in down.json()["detail"]
    assert not MedicalAccessLog.objects.filter(action="download").exists()  # nothing was read

    upload = _api_for(passenger).post(
        f"/api/v1/medical/clearances/{clearance.pk}/documents/",
        {"kind": "ecg", "file": f.upload("ecg2.pdf", f.PDF)},
        format="multipart",
    )
    assert upload.status_code == 503 and "the document was not saved" in upload.json()["detail"], upload.content
    assert MedicalDocument.objects.filter(clearance=clearance).count() == 1  # the refused upload left no record

    log_in(client, passenger)
    page = client.get(reverse("medical:document-download", args=[document.pk]), follow=True)
    assert page.status_code == 200 and "try again in a minute" in page.content.decode()


def test_an_attachment_while_the_store_is_down_is_refused_clearly_not_a_500(
    s3_storage, operations, director, settings, client
):
    from django.urls import reverse

    from tests.twofactor import log_in
    from verification.models import Attachment

    record, attachment = _signed_attachment(operations, director)
    _store_down(settings, s3_storage)
    log_in(client, operations)
    page = client.get(reverse("verification:attachment-download", args=[attachment.pk]), follow=True)
    assert page.redirect_chain[-1][0] == reverse("verification:record-detail", args=[record.pk])
    assert "the attachment cannot be downloaded now" in page.content.decode()

    fresh = planned_record()
    refused = _api_for(operations).post(
        "/api/v1/verification/attachments/",
        {"record": fresh.pk, "title": "Telemetry", "file": SimpleUploadedFile("t.csv", b"0,0\n")},
        format="multipart",
    )
    assert refused.status_code == 503 and "the file was not attached" in refused.json()["detail"], refused.content
    assert not Attachment.objects.filter(record=fresh).exists()
