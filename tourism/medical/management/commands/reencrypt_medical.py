from django.core.management.base import BaseCommand

from tourism.medical.rotation import reencrypt_all


class Command(BaseCommand):
    help = (
        "Re-encrypt all medical answers, notes, examinations, document names and document files with the newest "
        "key of MEDICAL_ENCRYPTION_KEYS (the first). Put a new key first, run this, then drop the old keys."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=200)

    def handle(self, *args, batch_size: int, **options):
        counts = reencrypt_all(batch_size=batch_size)
        for label, count in counts.items():
            self.stdout.write(f"  {label}: {count}")
        self.stdout.write(self.style.SUCCESS("Medical records re-encrypted with the newest key."))
