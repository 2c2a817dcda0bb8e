"""Planar launch windows from the command line, straight from an element file: no database rows needed.

    python manage.py launch_windows --lat 28.6 --lon -80.6 --elements stations.tle --norad 25544 \
        --start 2026-08-22T00:00:00Z --days 3 --plane-tolerance-deg 0.5 --azimuth-min 35 --azimuth-max 120 --json

Prints one JSON array of windows {"open", "close", "in_plane", "azimuth_deg"} (ISO 8601 UTC with Z).
An unreachable target or azimuth, or bad input, exits 2 with a one-line reason on stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from flights.orbits.alpha5 import alpha5_to_int
from flights.orbits.elements import parse_elements
from flights.orbits.errors import OrbitError
from flights.orbits.planar import planar_windows_for_elements

EXIT_REFUSED = 2


class OneLineParser(CommandParser):
    """Bad arguments end the command with one line on stderr and exit code 2, like every refusal."""

    def error(self, message):
        sys.stderr.write(f"launch_windows: {message}\n")
        sys.exit(EXIT_REFUSED)


def iso_utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_start(text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"--start {text!r} is not an ISO 8601 time") from exc
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"--start {text!r} needs a time zone, e.g. 2026-08-22T00:00:00Z")
    return moment.astimezone(dt.UTC)


def bounded(low: float, high: float, name: str):
    def convert(text: str) -> float:
        try:
            value = float(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"{name} {text!r} is not a number") from exc
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{name} {value:g} is outside {low:g}..{high:g}")
        return value

    return convert


class Command(BaseCommand):
    help = "Print the planar launch windows from a site into a target object's orbital plane, as JSON."
    requires_system_checks: list = []
    requires_migrations_checks = False

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = OneLineParser(
            prog=f"{Path(prog_name).name} {subcommand}",
            description=self.help,
            formatter_class=argparse.RawDescriptionHelpFormatter,
            called_from_command_line=getattr(self, "_called_from_command_line", None),
        )
        parser.add_argument("--traceback", action="store_true", help=argparse.SUPPRESS)
        parser.add_argument("--verbosity", "-v", type=int, default=1, help=argparse.SUPPRESS)
        parser.add_argument("--settings", help=argparse.SUPPRESS)
        parser.add_argument("--pythonpath", help=argparse.SUPPRESS)
        parser.add_argument("--no-color", action="store_true", help=argparse.SUPPRESS)
        parser.add_argument("--force-color", action="store_true", help=argparse.SUPPRESS)
        parser.add_argument("--skip-checks", action="store_true", help=argparse.SUPPRESS)
        self.add_arguments(parser)
        return parser

    def add_arguments(self, parser):
        parser.add_argument("--lat", type=bounded(-90, 90, "--lat"), required=True, help="Site latitude, degrees.")
        parser.add_argument("--lon", type=bounded(-180, 180, "--lon"), required=True, help="Site longitude, degrees.")
        parser.add_argument("--elements", type=Path, required=True, help="TLE/3LE or OMM (CSV/JSON) file.")
        parser.add_argument("--norad", required=True, help="Target catalog number (five digits or Alpha-5).")
        parser.add_argument("--start", type=parse_start, required=True, help="ISO 8601 UTC start.")
        parser.add_argument("--days", type=bounded(0.001, 366, "--days"), required=True)
        parser.add_argument(
            "--plane-tolerance-deg", type=bounded(1e-6, 89.999, "--plane-tolerance-deg"), required=True,
            help="Largest angle between the site's position vector and the target plane.",
        )
        parser.add_argument("--azimuth-min", type=bounded(0, 360, "--azimuth-min"), default=None)
        parser.add_argument("--azimuth-max", type=bounded(0, 360, "--azimuth-max"), default=None)
        parser.add_argument("--json", action="store_true", help="Print JSON (the only output format).")

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except _Refused as refusal:
            sys.stderr.write(f"launch_windows: {refusal}\n")
            sys.exit(EXIT_REFUSED)

    def handle(self, *args, **options):
        try:
            norad_id = alpha5_to_int(options["norad"].strip())
        except (OrbitError, ValueError) as exc:
            raise _Refused(f"--norad {options['norad']!r} is not a catalog number: {exc}") from exc
        if (options["azimuth_min"] is None) != (options["azimuth_max"] is None):
            raise _Refused("give both --azimuth-min and --azimuth-max, or neither")
        path: Path = options["elements"]
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise _Refused(f"cannot read --elements {path}: {exc.strerror or exc}") from exc
        parsed = parse_elements(text)
        target = next((e for e in parsed.elements if e.norad_id == norad_id), None)
        if target is None:
            problem = f" ({len(parsed.errors)} entries could not be read)" if parsed.errors else ""
            raise _Refused(f"object {options['norad']} is not in {path}{problem}")
        try:
            windows = planar_windows_for_elements(
                target,
                site_lat_deg=options["lat"],
                site_lon_deg=options["lon"],
                start=options["start"],
                days=options["days"],
                plane_tolerance_deg=options["plane_tolerance_deg"],
                azimuth_min_deg=options["azimuth_min"],
                azimuth_max_deg=options["azimuth_max"],
            )
        except OrbitError as exc:
            raise _Refused(str(exc).splitlines()[0]) from exc
        payload = [
            {
                "open": iso_utc(w.open),
                "close": iso_utc(w.close),
                "in_plane": iso_utc(w.in_plane),
                "azimuth_deg": round(w.azimuth_deg, 3),
            }
            for w in windows
        ]
        self.stdout.write(json.dumps(payload))


class _Refused(Exception):
    pass
