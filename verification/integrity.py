"""Re-verify every sign-off and every signed record from scratch (`manage.py verify_signoffs`).

One problem line per sign-off whose contents, keyed seal or chain link no longer match, per record whose
content no longer matches what was signed (or whose stored status claims more signatures than stand, or
whose launch time is not its flight's recorded liftoff), and per attachment whose file no longer matches
its SHA-256. A sign-off edited and re-hashed with database access alone fails its HMAC seal: the key is
not in the database. Reads in chunks, so it scales with the archive.

`head_position` says whether a chain head published earlier (log line, directors' daily email) is still
in the chain: a history rewritten by someone who also holds the key is caught that way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from config.filestore import FileStoreUnreachable, is_unreachable, probe
from verification import hashing, selectors, signing
from verification.models import GENESIS_HASH, Attachment, SignOff, SignOffChainHead, VerificationFlight

CHUNK = 200


@dataclass
class IntegrityReport:
    problems: list[str] = field(default_factory=list)
    signoffs_checked: int = 0
    records_checked: int = 0
    files_checked: int = 0
    head: tuple[int, str] = (0, GENESIS_HASH)
    # The file store did not answer: the files were not checked (retry later), which says nothing of tampering.
    file_store_error: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_all(*, check_files: bool = True) -> IntegrityReport:
    report = IntegrityReport()
    report.problems += list(_chain_problems(report))
    report.problems += list(_record_problems(report))
    if check_files:
        try:
            report.problems += list(_file_problems(report))
        except FileStoreUnreachable as exc:
            report.file_store_error = str(exc)
    return report


def _label(signoff: SignOff) -> str:
    return (f"sign-off #{signoff.sequence} ({signoff.record.flight.code}, {signoff.signer_name}, "
            f"{signoff.signed_at:%Y-%m-%d %H:%M} UTC)")


def _chain_problems(report: IntegrityReport) -> Iterator[str]:
    previous_sequence, previous_hash = 0, GENESIS_HASH
    signoffs = SignOff.objects.select_related("record__flight").order_by("sequence")
    for signoff in signoffs.iterator(chunk_size=CHUNK):
        report.signoffs_checked += 1
        if signoff.sequence != previous_sequence + 1:
            yield (f"sign-off chain: sign-off #{previous_sequence + 1} to #{signoff.sequence - 1} missing before "
                   f"{_label(signoff)}")
        if hashing.signoff_hash(signoff) != signoff.signoff_hash:
            yield f"{_label(signoff)}: its contents no longer match its SHA-256 (the signature was altered)"
        seal = signing.signoff_seal_problem(signoff)
        if seal:
            yield f"{_label(signoff)}: {seal}"
        if signoff.previous_hash != previous_hash:
            yield f"{_label(signoff)}: does not follow the sign-off before it (the chain is broken)"
        previous_sequence, previous_hash = signoff.sequence, signoff.signoff_hash
    head = SignOffChainHead.objects.filter(pk=1).first()
    report.head = (previous_sequence, previous_hash)
    if head is None:
        if previous_sequence:
            yield "sign-off chain head: missing, although sign-offs exist"
    elif (head.last_sequence, head.last_hash) != (previous_sequence, previous_hash):
        yield (f"sign-off chain head: says #{head.last_sequence} but the last sign-off is #{previous_sequence} "
               "(sign-offs removed or added outside the service)")
    elif head.last_sequence and signing.head_seal_problem(head):
        yield f"sign-off chain head: {signing.head_seal_problem(head)}"


def _signed_record_ids() -> list[int]:
    return list(
        VerificationFlight.objects.filter(signoffs__isnull=False).distinct().order_by("pk").values_list("pk", flat=True)
    )


def _record_problems(report: IntegrityReport) -> Iterator[str]:
    ids = _signed_record_ids()
    for start in range(0, len(ids), CHUNK):
        for review in selectors.record_reviews(selectors.record_queryset().filter(pk__in=ids[start:start + CHUNK])):
            report.records_checked += 1
            record = review.record
            altered = [view.signoff for view in review.live_signoffs
                       if view.signoff.record_hash != review.hash_now_for(view.signoff)]
            if altered:
                names = ", ".join(f"#{s.sequence} by {s.signer_name}" for s in altered)
                yield (f"record {record.flight.code} (id {record.pk}, revision {record.revision}): its content no "
                       f"longer matches what was signed ({names}); SHA-256 now {review.hash_now_for(altered[0])}, "
                       f"signed {altered[0].record_hash}")
            elif record.status == VerificationFlight.Status.SIGNED_OFF and review.approvals_needed:
                yield (f"record {record.flight.code} (id {record.pk}): marked signed off, but only "
                       f"{len(review.valid_approvers)} of {review.required_signatures} approvals stand")
            liftoff = record.flight.launched_at
            if liftoff is not None and record.launched_at != liftoff:
                yield (f"record {record.flight.code} (id {record.pk}): its launch time {_utc(record.launched_at)} "
                       f"is not the flight's recorded liftoff {_utc(liftoff)}")


def _utc(value) -> str:
    return f"{value:%Y-%m-%d %H:%M:%S} UTC" if value else "(none)"


@dataclass(frozen=True)
class HeadPosition:
    """Where an earlier published head (sequence and hash) stands in the chain now."""

    found: bool
    message: str


def head_position(*, last_hash: str, sequence: int | None = None) -> HeadPosition:
    """Is the head published earlier (hash, and its sequence if given) still a link of the chain?"""
    last_hash = last_hash.strip().lower()
    at = SignOff.objects.filter(signoff_hash=last_hash).values_list("sequence", flat=True).first()
    total = SignOff.objects.count()
    if last_hash == GENESIS_HASH and sequence in (None, 0):
        return HeadPosition(True, f"the empty chain's head is the start of the chain ({total} sign-offs follow)")
    if at is None:
        detail = ""
        if sequence is not None:
            now = SignOff.objects.filter(sequence=sequence).values_list("signoff_hash", flat=True).first()
            detail = (f"; sign-off #{sequence} now hashes to {now}" if now else
                      f"; there is no sign-off #{sequence} any more")
        return HeadPosition(False, f"head {last_hash} is NOT in the chain: the history was rewritten or cut "
                                   f"since it was published{detail}")
    if sequence is not None and sequence != at:
        return HeadPosition(False, f"head {last_hash} was published as #{sequence} but is #{at} in the chain now: "
                                   "the history was renumbered since it was published")
    return HeadPosition(True, f"head #{at} {last_hash} is still in the chain; {total - at} sign-off(s) follow it")


def _file_problems(report: IntegrityReport) -> Iterator[str]:
    """Raises FileStoreUnreachable, rather than calling files missing, when the store itself does not answer."""
    attachments = Attachment.objects.select_related("record__flight").order_by("pk")
    probed = False
    for attachment in attachments.iterator(chunk_size=CHUNK):
        if not probed:
            probe(attachment.file.storage)  # a store that is down (or a bucket gone) is not every file missing
            probed = True
        report.files_checked += 1
        label = f"attachment #{attachment.pk} “{attachment.title}” of record {attachment.record.flight.code}"
        digest = hashlib.sha256()
        try:
            attachment.file.open("rb")
            try:
                for chunk in attachment.file.chunks():
                    digest.update(chunk)
            finally:
                attachment.file.close()
        except Exception as exc:
            if is_unreachable(exc):
                raise FileStoreUnreachable(f"{label}: {type(exc).__name__}: {exc}") from exc
            if isinstance(exc, (FileNotFoundError, ValueError)):
                yield f"{label}: its file is missing"
                continue
            raise
        if digest.hexdigest() != attachment.sha256:
            yield f"{label}: its file no longer matches its SHA-256"
