from django.core.management.base import BaseCommand, CommandError

from verification.integrity import head_position, verify_all


def parse_head(value: str) -> tuple[int | None, str]:
    """`HASH` or `SEQUENCE:HASH` (as the published head line prints it, `#12 abc…` also works)."""
    text = value.strip().lstrip("#").replace(" ", ":")
    sequence, _, last_hash = text.rpartition(":")
    last_hash = last_hash.strip().lower()
    if len(last_hash) != 64 or any(c not in "0123456789abcdef" for c in last_hash):
        raise CommandError(f"--head needs a 64-hex-digit SHA-256 (optionally SEQUENCE:HASH), not {value!r}.")
    if sequence and not sequence.isdigit():
        raise CommandError(f"--head sequence must be a number, not {sequence!r}.")
    return (int(sequence) if sequence else None), last_hash


class Command(BaseCommand):
    help = (
        "Recompute the hash and keyed seal (HMAC-SHA256, SIGNOFF_KEYS) of every sign-off, chain link, signed "
        "record and attachment file. Prints one line per record or sign-off that no longer matches and exits 1 "
        "if there is any, 0 otherwise. With --head, also says whether a chain head published earlier is still "
        "in the chain (exit 1 if not)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--skip-files", action="store_true", help="Do not re-read attachment files.")
        parser.add_argument(
            "--head", action="append", default=[], metavar="[SEQUENCE:]HASH",
            help="A chain head published earlier (daily log line or email); may be given more than once.",
        )

    def handle(self, *args, skip_files: bool = False, head: list[str] = (), **options):
        heads = [parse_head(value) for value in head]
        report = verify_all(check_files=not skip_files)
        problems = list(report.problems)
        for sequence, last_hash in heads:
            position = head_position(last_hash=last_hash, sequence=sequence)
            if position.found:
                self.stdout.write(f"Published {position.message}.")
            else:
                problems.append(f"published {position.message}")
        for problem in problems:
            self.stdout.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} integrity problem(s) found.", returncode=1)
        if report.file_store_error:
            raise CommandError(
                f"The file store did not answer, so attachment files were not verified (try again later): "
                f"{report.file_store_error}", returncode=2,
            )
        sequence, last_hash = report.head
        self.stdout.write(self.style.SUCCESS(
            f"OK: {report.signoffs_checked} sign-offs, {report.records_checked} signed records and "
            f"{report.files_checked} attachment files verified. Chain head #{sequence} {last_hash}"
        ))
