"""Text that cannot be stored or sent: lone UTF-16 surrogates (not text at all) and NUL (PostgreSQL refuses it).

JSON can carry both ("\\ud800", "\\u0000"); the API refuses them on the way in (config/parsers.py), and
what was stored before that check is read with U+FFFD in place of each surrogate so it still renders.
"""

from __future__ import annotations

import re

# Length limits on inputs that are not model fields (those carry their own max_length).
PASSWORD_MAX_LENGTH = 512  # passwords are hashed (PBKDF2): bound the work one request can ask for
OTP_TOKEN_MAX_LENGTH = 16  # a TOTP code is 6 digits; room for spaces people type

UNENCODABLE = re.compile("[\x00\ud800-\udfff]")
SURROGATES = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def unstorable_text_message(text: str) -> str | None:
    """Why this text cannot be stored, or None when it can."""
    match = UNENCODABLE.search(text)
    if match is None:
        return None
    if match.group() == "\x00":
        return "NUL characters are not allowed."
    return f"Character {match.start() + 1} is a lone UTF-16 surrogate (U+{ord(match.group()):04X}), which is not text."


def scrub_unencodable(value):
    """The value with every lone surrogate replaced by U+FFFD, so that it encodes as UTF-8."""
    if isinstance(value, str):
        return SURROGATES.sub(REPLACEMENT, value)
    if isinstance(value, dict):
        return {scrub_unencodable(key): scrub_unencodable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_unencodable(item) for item in value]
    return value
