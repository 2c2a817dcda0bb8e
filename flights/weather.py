"""Weather at the spaceports: observations and forecasts come in through a small provider interface.

A provider yields `WeatherRow`s; `weather_import` validates each against the model and stores it, and
reports every row it could not use with its line number. The shipped provider reads CSV files (as a
range's weather office exports them); a live feed is another provider with the same method.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from django.core.exceptions import ValidationError
from django.db import transaction

from flights.exceptions import InvalidInput
from flights.models import Spaceport, WeatherReport

COLUMNS = (
    "spaceport", "kind", "valid_at", "wind_kt", "gust_kt", "ceiling_ft", "visibility_mi", "lightning_distance_nmi",
    "lightning_age_min", "anvil_distance_nmi", "thick_cloud_layer", "field_mill_v_m",
)
REQUIRED = ("spaceport", "kind", "valid_at", "wind_kt")


@dataclass(frozen=True)
class WeatherRow:
    line_number: int
    values: dict[str, str]


class WeatherProvider(Protocol):
    source: str

    def rows(self) -> Iterator[WeatherRow]: ...


class CsvWeatherProvider:
    """Rows from CSV text with a header naming the columns in COLUMNS (empty cells = not reported)."""

    def __init__(self, text: str, *, source: str):
        self.text = text
        self.source = source

    def rows(self) -> Iterator[WeatherRow]:
        reader = csv.DictReader(io.StringIO(self.text))
        header = [name.strip() for name in reader.fieldnames or []]
        unknown = sorted(set(header) - set(COLUMNS))
        missing = [name for name in REQUIRED if name not in header]
        if unknown or missing:
            problems = []
            if unknown:
                problems.append("unknown column(s) " + ", ".join(unknown))
            if missing:
                problems.append("missing column(s) " + ", ".join(missing))
            raise InvalidInput(f"{self.source}: line 1: " + "; ".join(problems) + ".", code="weather_unreadable")
        for record in reader:
            values = {key.strip(): (value or "").strip() for key, value in record.items() if key}
            yield WeatherRow(line_number=reader.line_num, values=values)


@dataclass
class WeatherImport:
    created: int = 0
    errors: list[str] = field(default_factory=list)


def _number(values: dict, name: str, convert=float):
    text = values.get(name, "")
    if text == "":
        return None
    try:
        return convert(text)
    except ValueError as exc:
        raise ValueError(f"{name} {text!r} is not a number") from exc


def _report(values: dict, ports: dict[str, Spaceport], source: str) -> WeatherReport:
    port = ports.get(values["spaceport"].lower())
    if port is None:
        raise ValueError(f"unknown spaceport {values['spaceport']!r}")
    try:
        valid_at = dt.datetime.fromisoformat(values["valid_at"].replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"valid_at {values['valid_at']!r} is not an ISO 8601 time") from exc
    if valid_at.tzinfo is None:
        raise ValueError(f"valid_at {values['valid_at']!r} needs a time zone (e.g. Z)")
    thick = values.get("thick_cloud_layer", "").lower()
    if thick not in ("", "0", "1", "true", "false", "yes", "no"):
        raise ValueError(f"thick_cloud_layer {values['thick_cloud_layer']!r} is not yes/no")
    report = WeatherReport(
        spaceport=port, kind=values["kind"].lower(), valid_at=valid_at.astimezone(dt.UTC), source=source[:120],
        wind_kt=_number(values, "wind_kt", int), gust_kt=_number(values, "gust_kt", int) or 0,
        ceiling_ft=_number(values, "ceiling_ft", int), visibility_mi=_number(values, "visibility_mi"),
        lightning_distance_nmi=_number(values, "lightning_distance_nmi"),
        lightning_age_min=_number(values, "lightning_age_min", int),
        anvil_distance_nmi=_number(values, "anvil_distance_nmi"),
        thick_cloud_layer=thick in ("1", "true", "yes"),
        field_mill_v_m=_number(values, "field_mill_v_m", int) or 0,
    )
    report.full_clean()
    return report


def weather_import(*, provider: WeatherProvider) -> WeatherImport:
    """Store every usable row; report each unusable one with its line number and reason."""
    ports = {p.code.lower(): p for p in Spaceport.objects.all()}
    result = WeatherImport()
    reports = []
    for row in provider.rows():
        try:
            reports.append(_report(row.values, ports, provider.source))
        except ValidationError as exc:
            details = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items())
            result.errors.append(f"line {row.line_number}: {details}")
        except (ValueError, TypeError) as exc:
            result.errors.append(f"line {row.line_number}: {exc}")
    with transaction.atomic():
        WeatherReport.objects.bulk_create(reports)
    result.created = len(reports)
    return result
