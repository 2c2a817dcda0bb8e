"""Encryption at rest for medical records: MultiFernet over settings.MEDICAL_ENCRYPTION_KEYS.

The first key encrypts; every key decrypts, so a new key can be put in front and the old ones kept
until `manage.py reencrypt_medical` has rewritten everything with the new one.
"""

from __future__ import annotations

import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class MedicalDecryptionError(RuntimeError):
    """A stored token could not be read with any configured key (a key was removed too early)."""


@functools.lru_cache(maxsize=8)
def _multifernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def cipher() -> MultiFernet:
    # Keyed on the current keys, so a settings override in tests takes effect at once.
    return _multifernet(tuple(settings.MEDICAL_ENCRYPTION_KEYS))


def encrypt_bytes(plaintext: bytes) -> bytes:
    return cipher().encrypt(plaintext)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return cipher().decrypt(token)
    except InvalidToken as exc:
        raise MedicalDecryptionError(
            "A medical record could not be decrypted with any key in MEDICAL_ENCRYPTION_KEYS; "
            "was an old key removed before reencrypt_medical ran?"
        ) from exc


def rotate_bytes(token: bytes) -> bytes:
    """Re-encrypt a token with the newest key (it must decrypt with one of the keys)."""
    try:
        return cipher().rotate(token)
    except InvalidToken as exc:
        raise MedicalDecryptionError("A medical record could not be re-encrypted: no key decrypts it.") from exc


def encrypt_text(plaintext: str) -> str:
    return encrypt_bytes(plaintext.encode()).decode("ascii")


def decrypt_text(token: str) -> str:
    return decrypt_bytes(token.encode("ascii")).decode()
