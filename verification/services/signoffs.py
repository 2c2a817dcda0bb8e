"""Flight directors' electronic signatures on verification records, and reopening a record.

A sign-off is an electronic signature an auditor can rely on: the director re-enters their password at
signing; the sign-off stores who, when, the meaning of the signature, approve or reject with a comment,
the SHA-256 of the record as signed, and the hash of the previous sign-off, sealed with HMAC-SHA256
under the deployment's signing key (verification/signing.py). Signing locks the record row and then the
chain head row, always in that order, so two signatures at once still form one chain.

Separation of duties: nobody signs content they entered or last edited (the record's own fields, its
occupants, objectives, anomalies, attachments), and a two-person sign-off needs two such other directors.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from flights import roles
from flights.exceptions import InvalidInput, InvalidTransition
from flights.statemachine import require_transition
from verification import hashing, selectors, signing
from verification.exceptions import NotPermitted, SignOffRefused, WrongPassword
from verification.models import GENESIS_HASH, SignOff, SignOffChainHead, VerificationFlight, lifecycle_write
from verification.services._common import lock_record, require_role, set_record_status

Status = VerificationFlight.Status
Decision = SignOff.Decision


def default_meaning(record: VerificationFlight, decision: str) -> str:
    if decision == Decision.REJECT:
        return "Objectives not met; not safe to proceed."
    if record.kind == VerificationFlight.Kind.CREWED:
        return "Objectives met; the vehicle is safe to carry space flight participants."
    return "Objectives met; safe to proceed to crewed flights."


def verification_sign_off(
    *,
    record: VerificationFlight,
    signer,
    password: str,
    decision: str,
    meaning: str,
    comment: str = "",
    expected_record_hash: str | None = None,
    now: dt.datetime | None = None,
) -> SignOff:
    """Sign a record in review. Approval by the required number of different directors signs it off; one
    rejection rejects it. The password is checked before any lock is taken (hashing it is slow).

    `expected_record_hash` is the hash of the record as the director reviewed it (the portal form sends
    it): if the record changed since, the signature is refused rather than put on content never seen."""
    if signer is None or not roles.user_has_role(signer, roles.FLIGHT_DIRECTOR):
        who = signer.get_username() if signer is not None and signer.is_authenticated else "an anonymous user"
        raise NotPermitted(
            f"Only flight directors can sign off verification flights: {who} is not a flight director.",
            code="not_a_flight_director",
        )
    if decision not in Decision.values:
        raise InvalidInput(
            f"The decision must be approve or reject, not {decision!r}.", fields={"decision": ["Approve or reject."]}
        )
    meaning, comment = (meaning or "").strip(), (comment or "").strip()
    if not meaning:
        raise InvalidInput(
            "State the meaning of your signature (what you are attesting to).",
            fields={"meaning": ["This field is required."]},
        )
    if decision == Decision.REJECT and not comment:
        raise InvalidInput("A rejection needs a comment saying why.", fields={"comment": ["Say why you reject."]})
    if not password or not signer.check_password(password):
        raise WrongPassword(
            "The password is not correct: re-enter your own password to sign.",
            fields={"password": ["Incorrect password."]},
        )
    now = now or timezone.now()
    with transaction.atomic():
        record = lock_record(record)
        if record.status != Status.IN_REVIEW:
            hint = " Submit it for review first." if record.status == Status.FLOWN else ""
            raise InvalidTransition(
                f"Cannot sign {record.flight.code}: it is {record.get_status_display().lower()}; "
                f"only a record in review can be signed.{hint}"
            )
        # Read the content after taking the lock, so the hash is of exactly what is stored now.
        review = selectors.record_review(selectors.record_queryset().get(pk=record.pk))
        if expected_record_hash is not None and expected_record_hash != review.current_hash:
            raise SignOffRefused(
                f"{record.flight.code} changed after you opened it for review (its SHA-256 is no longer "
                f"{expected_record_hash[:12]}…). Review it again before signing.",
                code="record_changed_since_review",
            )
        _refuse_second_signature(review, signer)
        _refuse_own_content(review, signer)
        _refuse_if_altered(review)
        if decision == Decision.APPROVE:
            _refuse_open_serious_anomalies(review)
        signoff = _append_to_chain(
            SignOff(
                record=record, revision=record.revision, signer=signer,
                signer_name=signer.get_full_name() or signer.get_username(), signed_at=now, meaning=meaning,
                decision=decision, comment=comment, record_hash=review.current_hash,
                document_version=hashing.DOCUMENT_VERSION,
            ),
            now=now,
        )
        if decision == Decision.REJECT:
            set_record_status(record, to_status=Status.REJECTED, reason=f"Rejected by {signoff.signer_name}: {comment}",
                              by=signer, now=now)
        elif len(review.valid_approvers | {signer.pk}) >= review.required_signatures:
            names = [v.signoff.signer_name for v in review.live_signoffs] + [signoff.signer_name]
            set_record_status(record, to_status=Status.SIGNED_OFF, reason="Signed off by " + " and ".join(names),
                              by=signer, now=now)
    return signoff


def _refuse_second_signature(review: selectors.RecordReview, signer) -> None:
    if any(view.signoff.signer_id == signer.pk for view in review.live_signoffs):
        raise SignOffRefused(
            f"{signer.get_full_name() or signer.get_username()} has already signed {review.record.flight.code}: "
            "the second signature must come from a different flight director.",
            code="already_signed",
        )


def content_authors(record: VerificationFlight) -> dict[int, str]:
    """Who entered or last edited each part of the record's hashed content: {user id: what, in words}.
    These author fields are hashed and signed too (document version 2, verification/hashing.py).
    Uses prefetched children (selectors.record_queryset)."""
    authors: dict[int, str] = {}

    def add(user_id, what):
        if user_id is not None:
            authors.setdefault(user_id, what)

    add(record.created_by_id, "entered the record")
    add(record.last_edited_by_id, "last edited the record")
    for rows, name in ((record.occupants.all(), lambda o: f"occupant {o.name}"),
                       (record.objectives.all(), lambda o: f"objective {o.sequence}"),
                       (record.anomalies.all(), lambda a: f"anomaly “{a.title}”")):
        for row in rows:
            add(row.entered_by_id, f"entered {name(row)}")
            add(row.last_edited_by_id, f"last edited {name(row)}")
    for attachment in record.attachments.all():
        add(attachment.uploaded_by_id, f"attached “{attachment.title}”")
    return authors


def signing_refusal(review: selectors.RecordReview, user) -> str:
    """Why this person may not sign this record on separation-of-duties grounds ('' if they may)."""
    what = content_authors(review.record).get(user.pk)
    if what is None:
        return ""
    return (f"{user.get_full_name() or user.get_username()} {what} of {review.record.flight.code}: whoever "
            "entered or last edited a record's content cannot sign it. Another flight director must sign.")


def _refuse_own_content(review: selectors.RecordReview, signer) -> None:
    refusal = signing_refusal(review, signer)
    if refusal:
        raise SignOffRefused(refusal, code="signer_edited_record")


def _refuse_if_altered(review: selectors.RecordReview) -> None:
    for view in review.void_signoffs:
        raise SignOffRefused(
            f"Cannot sign {review.record.flight.code}: the earlier sign-off by {view.signoff.signer_name} is void "
            f"({view.check.problem}). Reopen the record and review it again.",
            code="record_altered",
        )


def _refuse_open_serious_anomalies(review: selectors.RecordReview) -> None:
    for anomaly in review.record.anomalies.all():
        if anomaly.blocks_approval:
            raise SignOffRefused(
                f"Cannot approve {review.record.flight.code}: {anomaly.get_severity_display().lower()} anomaly "
                f"“{anomaly.title}” is open without a flight rationale. Close it, or accept it with a written "
                "flight rationale, before approving (reopen the record to change it).",
                code="open_serious_anomaly",
            )


def _lock_chain_head() -> SignOffChainHead:
    # get_or_create, not a check then a create: the first signature ever inserts the head, and a second one
    # waiting on that insert must not see the first's sign-off meanwhile and take the chain for tampered.
    _, created = SignOffChainHead.objects.get_or_create(pk=1)
    if created and SignOff.objects.exists():
        raise SignOffRefused(
            "The sign-off chain's head row is missing although sign-offs exist: the chain may have been "
            "tampered with. Run `manage.py verify_signoffs` before signing anything.",
            code="chain_broken",
        )
    head = SignOffChainHead.objects.select_for_update().get(pk=1)
    last = SignOff.objects.order_by("-sequence").values_list("sequence", "signoff_hash").first() or (0, GENESIS_HASH)
    if last != (head.last_sequence, head.last_hash):
        raise SignOffRefused(
            f"The sign-off chain's head (#{head.last_sequence}) does not match its last sign-off (#{last[0]}): "
            "the chain may have been tampered with. Run `manage.py verify_signoffs` before signing anything.",
            code="chain_broken",
        )
    problem = signing.head_seal_problem(head) if head.last_sequence else ""
    if problem:  # fail closed: never extend a chain whose end cannot be shown to be ours
        raise SignOffRefused(
            f"Cannot add a signature: {problem}. Run `manage.py verify_signoffs` before signing anything.",
            code="chain_unsealed",
        )
    return head


def _append_to_chain(signoff: SignOff, *, now: dt.datetime) -> SignOff:
    head = _lock_chain_head()
    signoff.sequence = head.last_sequence + 1
    signoff.previous_hash = head.last_hash
    signoff.signoff_hash = hashing.signoff_hash(signoff)
    signing.seal_signoff(signoff)
    signoff.save()
    head.last_sequence, head.last_hash, head.updated_at = signoff.sequence, signoff.signoff_hash, now
    signing.seal_head(head)
    head.save(update_fields=["last_sequence", "last_hash", "updated_at", "key_id", "mac"])
    return signoff


def verification_reopen(*, record: VerificationFlight, by, reason: str, now: dt.datetime | None = None):
    """Unlock a flown record for correction. Its sign-offs are voided and its revision goes up, so it must
    be marked flown, submitted and signed again."""
    require_role(by, (roles.FLIGHT_DIRECTOR,), "reopen verification records")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Give a reason to reopen a verification record.", fields={"reason": ["This field is required."]})
    now = now or timezone.now()
    with transaction.atomic():
        record = lock_record(record)
        require_transition(record, Status.REOPENED, action="reopen")
        old_revision = record.revision
        record.revision += 1
        void_reason = f"record reopened by {by.get_full_name() or by.get_username()} (revision {old_revision} → " \
                      f"{record.revision}): {reason}"
        with lifecycle_write():
            for signoff in record.signoffs.filter(voided_at__isnull=True):
                signoff.voided_at, signoff.voided_by, signoff.void_reason = now, by, void_reason
                signoff.save(update_fields=["voided_at", "voided_by", "void_reason"])
        return set_record_status(
            record, to_status=Status.REOPENED, reason=reason, by=by, now=now, extra_fields=("revision",)
        )


@dataclass
class SealResult:
    key_id: str
    sealed: int = 0
    already: int = 0
    head_sealed: bool = False
    refused: list[str] = field(default_factory=list)


def signoffs_seal_legacy(*, dry_run: bool = False, now: dt.datetime | None = None) -> SealResult:
    """Seal the sign-offs written before the keyed scheme (README, "Legacy sign-offs"), once.

    A legacy row is sealed only if its unkeyed SHA-256 matches its contents, it follows the row before it,
    and, when live, its record still hashes to what was signed: a row already altered is never blessed
    with a seal. The chain head is locked throughout, so nobody signs meanwhile."""
    now = now or timezone.now()
    result = SealResult(key_id=signing.current_key_id())
    with transaction.atomic():
        SignOffChainHead.objects.get_or_create(pk=1)
        head = SignOffChainHead.objects.select_for_update().get(pk=1)
        signoffs = list(SignOff.objects.select_related("record__flight").order_by("sequence"))
        live_ids = {s.record_id for s in signoffs if not s.mac and s.voided_at is None}
        records = {r.pk: r for r in selectors.record_queryset().filter(pk__in=live_ids)}
        previous, last_sealed = GENESIS_HASH, True
        for signoff in signoffs:
            link, previous, last_sealed = previous, signoff.signoff_hash, False
            if signoff.mac:
                result.already += 1
                last_sealed = True
                continue
            label = f"sign-off #{signoff.sequence} ({signoff.record.flight.code}, {signoff.signer_name})"
            if hashing.signoff_hash(signoff) != signoff.signoff_hash:
                result.refused.append(f"{label}: its contents no longer match its SHA-256")
            elif signoff.previous_hash != link:
                result.refused.append(f"{label}: it does not follow the sign-off before it")
            elif signoff.voided_at is None and signoff.record_hash != hashing.record_hash(
                    records[signoff.record_id], version=signoff.document_version):
                result.refused.append(f"{label}: its record no longer matches what was signed")
            else:
                result.sealed += 1
                last_sealed = True
                if not dry_run:
                    signing.seal_signoff(signoff)
                    signoff.sealed_at = now
                    with lifecycle_write():
                        signoff.save(update_fields=["key_id", "mac", "sealed_at"])
        last = (signoffs[-1].sequence, signoffs[-1].signoff_hash) if signoffs else (0, GENESIS_HASH)
        if (head.last_sequence, head.last_hash) != last:
            result.refused.append(f"chain head: says #{head.last_sequence} but the last sign-off is #{last[0]}")
        elif head.last_sequence and head.mac and signing.head_seal_problem(head):
            result.refused.append(f"chain head: {signing.head_seal_problem(head)}")
        elif head.last_sequence and not head.mac and last_sealed:  # never vouch for a refused last row
            result.head_sealed = True
            if not dry_run:
                signing.seal_head(head)
                head.save(update_fields=["key_id", "mac"])
    return result
