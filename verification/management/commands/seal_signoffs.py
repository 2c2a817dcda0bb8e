from django.core.management.base import BaseCommand, CommandError

from verification.services import signoffs_seal_legacy


class Command(BaseCommand):
    help = (
        "One-time upgrade: seal sign-offs written before the keyed scheme (no key id, no MAC) with the newest "
        "SIGNOFF_KEYS key, after re-checking each one's unkeyed SHA-256, its chain link and (while live) its "
        "record's hash. A row that fails any check is refused and stays unkeyed (verify_signoffs keeps "
        "reporting it). Run it once after migrating, as an operator who holds the key."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Report what would be sealed; change nothing.")

    def handle(self, *args, dry_run: bool = False, **options):
        result = signoffs_seal_legacy(dry_run=dry_run)
        for line in result.refused:
            self.stdout.write(f"refused: {line}")
        verb = "would seal" if dry_run else "sealed"
        self.stdout.write(
            f"{verb} {result.sealed} legacy sign-off(s) with key {result.key_id}"
            + ("; chain head sealed" if result.head_sealed else "")
            + f"; {len(result.refused)} refused; {result.already} already sealed."
        )
        if result.refused:
            raise CommandError(f"{len(result.refused)} legacy sign-off(s) refused: investigate before trusting them.",
                               returncode=1)
