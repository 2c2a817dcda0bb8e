"""The file store (issue 15): local disk for `make run`, an S3-compatible object store on several hosts.

`storages_from_env` builds Django's STORAGES "default" (verification attachments) and "medical" (medical
documents, Fernet tokens encrypted by the app before they are written) from the environment.
`is_unreachable` tells a store that cannot be reached (endpoint down, timeout, 5xx) from a file that is
not there, so callers can say "retry later" rather than "missing" (a tamper alarm).
"""

from __future__ import annotations

import contextlib
import os

from django.core.exceptions import ImproperlyConfigured


class FileStoreUnreachable(Exception):
    """The file store did not answer: nothing can be said about the files in it until it does."""


def storages_from_env(environ=os.environ, *, debug: bool) -> dict:
    """STORAGES' "default" and "medical" entries. S3_BUCKET selects the object store; production without it
    must say FILE_STORAGE=local (one host only), since files on one host's disk are missing on every other."""
    bucket = environ.get("S3_BUCKET", "").strip()
    kind = environ.get("FILE_STORAGE", "").strip().lower() or ("s3" if bucket else "local")
    if kind not in {"s3", "local"}:
        raise ImproperlyConfigured(f"FILE_STORAGE must be 's3' or 'local', not {kind!r}.")
    if kind == "local":
        if not debug and not environ.get("FILE_STORAGE"):
            raise ImproperlyConfigured(
                "No file store is configured. Production (DJANGO_DEBUG=0) keeps uploads in an S3-compatible object "
                "store shared by every host: set S3_BUCKET (and S3_ENDPOINT_URL, S3_ACCESS_KEY_ID, "
                "S3_SECRET_ACCESS_KEY). A deployment on one single host may set FILE_STORAGE=local instead."
            )
        return {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "medical": {"BACKEND": "tourism.medical.storage.PrivateMedicalStorage"},
        }
    if not bucket:
        raise ImproperlyConfigured("FILE_STORAGE=s3 needs S3_BUCKET (the bucket's name).")
    from botocore.config import Config

    addressing = environ.get("S3_ADDRESSING_STYLE", "path").strip() or "path"
    if addressing not in {"path", "virtual", "auto"}:
        raise ImproperlyConfigured(f"S3_ADDRESSING_STYLE must be path, virtual or auto, not {addressing!r}.")
    options = {
        "bucket_name": bucket,
        "endpoint_url": environ.get("S3_ENDPOINT_URL") or None,
        "access_key": environ.get("S3_ACCESS_KEY_ID") or None,
        "secret_key": environ.get("S3_SECRET_ACCESS_KEY") or None,
        "region_name": environ.get("S3_REGION", "us-east-1"),
        "addressing_style": addressing,
        "signature_version": "s3v4",
        "default_acl": None,  # the bucket's own policy (private); no public-read objects
        "querystring_auth": True,
        "file_overwrite": False,  # names are random; never silently replace a stored file
        "client_config": Config(
            # Fail fast: a web request or the integrity check waits seconds, not minutes, for a store that is down.
            connect_timeout=float(environ.get("S3_CONNECT_TIMEOUT", "3")),
            read_timeout=float(environ.get("S3_READ_TIMEOUT", "20")),
            retries={"max_attempts": int(environ.get("S3_MAX_ATTEMPTS", "3")), "mode": "standard"},
            s3={"addressing_style": addressing},
            signature_version="s3v4",
        ),
    }
    prefix = environ.get("S3_PREFIX", "").strip("/")
    return {
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**options, "location": prefix}},
        "medical": {
            "BACKEND": "tourism.medical.storage.PrivateS3MedicalStorage",
            "OPTIONS": {**options, "location": prefix},
        },
    }


def is_unreachable(exc: BaseException) -> bool:
    """True when `exc` says the store did not answer (as opposed to "no such file")."""
    if isinstance(exc, FileStoreUnreachable):
        return True
    if isinstance(exc, FileNotFoundError):
        return False
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # pragma: no cover - boto3 is in requirements.txt
        BotoCoreError = ClientError = ()  # noqa: N806
    if BotoCoreError and isinstance(exc, BotoCoreError):
        return True  # EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError, credentials, ...
    if ClientError and isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        code = str(exc.response.get("Error", {}).get("Code", ""))
        # 404 NoSuchKey is a missing file; a missing bucket, refused credentials or a 5xx is the store's fault.
        return status != 404 or code == "NoSuchBucket"
    # A local or mounted disk that cannot be read (unmounted, I/O error) rather than a file that is not there.
    return isinstance(exc, OSError) and not isinstance(exc, (FileNotFoundError, IsADirectoryError))


def is_missing(exc: BaseException) -> bool:
    """True when the store answered that the file is not there (local disk, or S3's 404 for the key)."""
    if isinstance(exc, FileNotFoundError):
        return True
    response = getattr(exc, "response", None)  # botocore's ClientError
    if not isinstance(response, dict):
        return False
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return status == 404 and response.get("Error", {}).get("Code") != "NoSuchBucket"


@contextlib.contextmanager
def file_store_refusals(*, unreachable: str, missing: str = "The file is not in the file store."):
    """Reading or writing a stored file: a store that does not answer becomes FileStoreDown (503, try again) and a
    file that is not there StoredFileMissing (404), each with the message a person reads, never a 500."""
    from flights.exceptions import FileStoreDown, StoredFileMissing

    try:
        yield
    except Exception as exc:
        if is_unreachable(exc):
            raise FileStoreDown(unreachable) from exc
        if is_missing(exc):
            raise StoredFileMissing(missing) from exc
        raise


def probe(storage) -> None:
    """Ask the store a question it must answer; raises FileStoreUnreachable when it cannot.

    An object store is asked whether its bucket is there (HeadBucket: a missing bucket would otherwise
    look like every file missing); a local disk whether its folder can be listed."""
    try:
        client = getattr(getattr(storage, "connection", None), "meta", None)
        if client is not None and getattr(storage, "bucket_name", None):
            client.client.head_bucket(Bucket=storage.bucket_name)
        else:
            storage.listdir("")
    except Exception as exc:  # whatever the reason (down, no bucket, refused credentials), it cannot serve files
        raise FileStoreUnreachable(f"{type(exc).__name__}: {exc}") from exc
