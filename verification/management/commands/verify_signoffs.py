from django.core.management.base import BaseCommand, CommandError

from verification.integrity import verify_all


class Command(BaseCommand):
    help = (
        "Recompute the hash of every sign-off, chain link, signed record and attachment file. Prints one line "
        "per record or sign-off that no longer matches and exits 1 if there is any, 0 otherwise."
    )

    def add_arguments(self, parser):
        parser.add_argument("--skip-files", action="store_true", help="Do not re-read attachment files.")

    def handle(self, *args, skip_files: bool = False, **options):
        report = verify_all(check_files=not skip_files)
        for problem in report.problems:
            self.stdout.write(problem)
        if report.problems:
            raise CommandError(f"{len(report.problems)} integrity problem(s) found.", returncode=1)
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
