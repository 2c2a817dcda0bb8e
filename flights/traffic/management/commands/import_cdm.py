"""Import CDM files into conjunction events: `manage.py import_cdm FILE [FILE ...] [--hbr-m X]`.

All files or none: the run is one transaction, so a bad file (named with its line and field, exit
status 2) leaves no event or update behind from the files before it.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from flights.exceptions import DomainError
from flights.traffic import services


class Command(BaseCommand):
    help = "Import CCSDS CDMs (KVN) as conjunction events and updates (all files or none)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+")
        parser.add_argument("--hbr-m", type=float, default=None, help="Hard-body radius (m) for every message.")

    def handle(self, *args, files, hbr_m, **options):
        results = []
        with transaction.atomic():
            for name in files:
                try:
                    text = Path(name).read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as error:
                    raise CommandError(f"{name}: cannot read the file ({error})", returncode=2) from None
                try:
                    results.append((name, services.cdm_import(text=text, hbr_m=hbr_m)))
                except DomainError as error:
                    raise CommandError(f"{name}: {error.message} Nothing was imported.", returncode=2) from None
        for name, result in results:
            verb = "new event" if result.created else "update of event"
            self.stdout.write(f"{name}: {verb} {result.event.pk}, {result.event.tier}, "
                              f"Pc {'none' if result.event.pc is None else f'{result.event.pc:.2e}'}")
