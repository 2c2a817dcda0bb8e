from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from flights.exceptions import DomainError
from flights.weather import CsvWeatherProvider, weather_import


class Command(BaseCommand):
    help = "Import weather observations and forecasts from a CSV file (columns: see flights/weather.py)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}", returncode=2) from exc
        try:
            result = weather_import(provider=CsvWeatherProvider(text, source=str(file)))
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2) from exc
        self.stdout.write(f"{file}: {result.created} reports stored, {len(result.errors)} rows not used.")
        for error in result.errors:
            self.stderr.write(f"  {error}")
