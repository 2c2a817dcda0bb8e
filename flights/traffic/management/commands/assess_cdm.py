"""Assess CDM files offline: `manage.py assess_cdm FILE [FILE ...] [--hbr-m X] --json`.

Needs no database (it reads files and computes): it runs with the database down. Each message's
hard-body radius is `--hbr-m` when given, else the message's `COMMENT HBR`, else the operator's
default (settings.TRAFFIC_DEFAULT_HBR_M). A file that cannot be read or assessed stops the run before
anything is printed: exit status 2 and one line on stderr naming the file, line and field.
"""

from __future__ import annotations

import json as jsonlib
import math
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from flights.orbits.conjunction.assess import assess_message
from flights.orbits.conjunction.cdm import parse_cdm
from flights.orbits.errors import OrbitError


class Command(BaseCommand):
    help = "Recompute miss distance, relative speed and Foster 2D Pc of CDM files (KVN); no database needed."
    requires_system_checks = []  # the checks may reach for the database; this command never does

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="CDM files (KVN).")
        parser.add_argument("--hbr-m", type=float, default=None, help="Combined hard-body radius, metres.")
        parser.add_argument("--json", action="store_true", help="Print a JSON array, one object per message.")

    def handle(self, *args, files, hbr_m, json: bool = False, **options):
        if hbr_m is not None and not (math.isfinite(hbr_m) and hbr_m > 0):
            raise CommandError(f"--hbr-m must be a positive number of metres, got {hbr_m}", returncode=2)
        results = []
        for name in files:
            try:
                text = Path(name).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                raise CommandError(f"{name}: cannot read the file ({error})", returncode=2) from None
            try:
                message = parse_cdm(text)
                radius = hbr_m or message.hbr_m or settings.TRAFFIC_DEFAULT_HBR_M
                results.append(assess_message(message, hbr_m=radius).as_json())
            except OrbitError as error:
                raise CommandError(f"{name}: {error}", returncode=2) from None
        if json:
            self.stdout.write(_json_dumps(results))
            return
        for row in results:
            pc = "no covariance" if row["pc"] is None else f"Pc {row['pc']:.3e}"
            self.stdout.write(
                f"{row['message_id']}: TCA {row['tca']}, miss {row['miss_distance_m']:.1f} m, "
                f"{row['relative_speed_m_s']:.1f} m/s, {pc} (HBR {row['hbr_m']:g} m)"
            )


def _json_dumps(value) -> str:
    return jsonlib.dumps(value, indent=2)
