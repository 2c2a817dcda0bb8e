"""Private storage for medical documents: owner-only files under MEDIA_ROOT, or a private object store.

Files hold Fernet tokens, never the document itself (the app encrypts before a byte leaves it); they are
served only by the logged download view after a permission check (tourism.medical.views.document_download).
Which backend is used is STORAGES["medical"] (config.filestore: local disk, or S3 on several hosts).
"""

from __future__ import annotations

from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty


class PrivateMedicalStorage(FileSystemStorage):
    """MEDIA_ROOT (followed when settings change, as FileSystemStorage does), owner-only, no URL."""

    def __init__(self, **kwargs):
        kwargs.setdefault("file_permissions_mode", 0o600)
        kwargs.setdefault("directory_permissions_mode", 0o700)
        super().__init__(**kwargs)

    def url(self, name):
        raise ValueError("Medical documents have no public URL: they are served by the logged download view only.")


try:
    from storages.backends.s3 import S3Storage
except ImportError:  # pragma: no cover - django-storages is in requirements.txt
    S3Storage = None

if S3Storage is not None:

    class PrivateS3MedicalStorage(S3Storage):
        """The shared object store; objects are Fernet tokens and have no URL (no pre-signed links either)."""

        def url(self, name, parameters=None, expire=None, http_method=None):
            raise ValueError("Medical documents have no public URL: they are served by the logged download view only.")


class _MedicalStorage(LazyObject):
    """STORAGES["medical"], looked up when first used and again after the setting changes (tests)."""

    def _setup(self):
        self._wrapped = storages["medical"]


_storage = _MedicalStorage()


@receiver(setting_changed)
def _reset(*, setting, **kwargs):
    if setting in {"STORAGES", "MEDIA_ROOT"}:
        _storage._wrapped = empty


def private_medical_storage() -> Storage:
    """A callable storage, so migrations name this function rather than a path on one machine."""
    return _storage
