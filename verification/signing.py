"""The keyed seal on every sign-off and on the chain head: HMAC-SHA256 with a key kept outside the database.

The unkeyed SHA-256 chain (hashing.py) shows that nothing changed *by accident*; anyone who can write the
database can recompute it. The seal is what makes a change by database access alone detectable: it is
HMAC-SHA256 over the sign-off's own hash, under a deployment key named by its key id (settings.SIGNOFF_KEYS,
newest first; the newest seals, all of them verify). The sign-off's hash covers the record hash and the
previous sign-off's hash, so one seal per sign-off protects the record as signed and the chain up to it.
The chain head is sealed too (with a different label), so its row cannot be moved back alone.

See README, "Verification sign-offs", for why HMAC per deployment and not Ed25519 per signer.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

SIGNOFF_LABEL = b"flightops/verification-signoff/v1"
HEAD_LABEL = b"flightops/verification-chain-head/v1"


def keys() -> dict[str, bytes]:
    return dict(settings.SIGNOFF_KEYS)


def current_key_id() -> str:
    return settings.SIGNOFF_KEYS[0][0]


def _mac(key: bytes, label: bytes, *parts: str) -> str:
    message = label + b"".join(b"\x00" + part.encode("utf-8") for part in parts)
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def seal_signoff(signoff) -> None:
    """Set the sign-off's key id and MAC with the newest key (its signoff_hash must be set)."""
    kid, key = settings.SIGNOFF_KEYS[0]
    signoff.key_id = kid
    signoff.mac = _mac(key, SIGNOFF_LABEL, kid, str(signoff.sequence), signoff.signoff_hash)


def seal_head(head) -> None:
    kid, key = settings.SIGNOFF_KEYS[0]
    head.key_id = kid
    head.mac = _mac(key, HEAD_LABEL, kid, str(head.last_sequence), head.last_hash)


def _problem(*, key_id: str, mac: str, what: str, label: bytes, parts: tuple[str, ...]) -> str:
    if not mac or not key_id:
        return f"{what} is unkeyed (sealed by no key): an operator holding the key must run `manage.py seal_signoffs`"
    key = keys().get(key_id)
    if key is None:
        return (f"{what} is sealed with key id {key_id!r}, which this deployment does not hold (SIGNOFF_KEYS): "
                "it cannot be verified")
    if not hmac.compare_digest(_mac(key, label, key_id, *parts), mac):
        return (f"{what}'s seal does not verify with key {key_id!r}: it was changed or written by someone "
                "without the signing key")
    return ""


def signoff_seal_problem(signoff) -> str:
    """'' when the sign-off's MAC verifies with the key its key id names; otherwise why not, in words."""
    return _problem(key_id=signoff.key_id, mac=signoff.mac, what="the signature", label=SIGNOFF_LABEL,
                    parts=(str(signoff.sequence), signoff.signoff_hash))


def head_seal_problem(head) -> str:
    return _problem(key_id=head.key_id, mac=head.mac, what="the chain head", label=HEAD_LABEL,
                    parts=(str(head.last_sequence), head.last_hash))
