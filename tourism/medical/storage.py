"""Private storage for medical documents: under MEDIA_ROOT, owner-only permissions, and no URL.

Files hold Fernet tokens, never the document itself; they are served only by the logged download
view after a permission check (tourism.medical.views.document_download).
"""

from __future__ import annotations

from django.core.files.storage import FileSystemStorage


class PrivateMedicalStorage(FileSystemStorage):
    """MEDIA_ROOT (followed when settings change, as FileSystemStorage does), owner-only, no URL."""

    def __init__(self, **kwargs):
        kwargs.setdefault("file_permissions_mode", 0o600)
        kwargs.setdefault("directory_permissions_mode", 0o700)
        super().__init__(**kwargs)

    def url(self, name):
        raise ValueError("Medical documents have no public URL: they are served by the logged download view only.")


_storage = PrivateMedicalStorage()


def private_medical_storage() -> PrivateMedicalStorage:
    """A callable storage, so migrations name this function rather than a path on one machine."""
    return _storage
