from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from flights.catalog import catalog_import_text
from flights.exceptions import DomainError


class Command(BaseCommand):
    help = "Import tracked objects from a TLE/3LE or OMM (CSV/JSON) file into the catalog."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}", returncode=2) from exc
        try:
            record = catalog_import_text(text=text, source=str(file))
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2) from exc
        self.stdout.write(
            f"{file}: {record.created} new, {record.updated} updated, {record.unchanged} unchanged, "
            f"{len(record.errors)} entries not read."
        )
        for error in record.errors[:50]:
            self.stderr.write(f"  line {error['line']}: {error['message']}")
        if len(record.errors) > 50:
            self.stderr.write(f"  ... and {len(record.errors) - 50} more (see the import record in admin)")
