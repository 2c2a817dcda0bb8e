"""CCSDS Orbit Mean-Elements Messages as CelesTrak publishes them: CSV rows or a JSON array.

Column names are CelesTrak's GP names. An unknown column is refused rather than ignored: a feed
that changed shape should stop the import, not drift into wrong data.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from flights.orbits.element_set import ElementSet
from flights.orbits.errors import ElementParseError
from flights.orbits.parse_result import ParseError, ParseResult

__all__ = ["OMM_OPTIONAL_COLUMNS", "OMM_REQUIRED_COLUMNS", "parse_omm_csv", "parse_omm_json"]

OMM_REQUIRED_COLUMNS = (
    "OBJECT_NAME",
    "OBJECT_ID",
    "EPOCH",
    "MEAN_MOTION",
    "ECCENTRICITY",
    "INCLINATION",
    "RA_OF_ASC_NODE",
    "ARG_OF_PERICENTER",
    "MEAN_ANOMALY",
    "EPHEMERIS_TYPE",
    "CLASSIFICATION_TYPE",
    "NORAD_CAT_ID",
    "ELEMENT_SET_NO",
    "REV_AT_EPOCH",
    "BSTAR",
    "MEAN_MOTION_DOT",
    "MEAN_MOTION_DDOT",
)
OMM_OPTIONAL_COLUMNS = ("OBJECT_TYPE",)


def parse_omm_csv(text: str) -> ParseResult:
    """Read CelesTrak OMM CSV (header row, then one object a row)."""
    result = ParseResult()
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = [cell.strip() for cell in row]
            column_errors = _column_errors(header)
            if column_errors:
                result.errors.extend(ParseError(reader.line_num, message) for message in column_errors)
                return result
            continue
        if len(row) != len(header):
            result.errors.append(ParseError(reader.line_num, f"{len(row)} values for {len(header)} columns"))
            continue
        _append(result, reader.line_num, dict(zip(header, row, strict=True)))
    if header is None:
        result.errors.append(ParseError(1, "no OMM header row"))
    return result


def parse_omm_json(text: str) -> ParseResult:
    """Read CelesTrak OMM JSON (an array of objects, or one object); errors name the record's line."""
    result = ParseResult()
    try:
        records = list(_json_records(text))
    except ValueError as exc:
        line_number = getattr(exc, "lineno", 1)
        message = getattr(exc, "msg", str(exc))
        result.errors.append(ParseError(line_number, f"not valid JSON: {message}"))
        return result
    for line_number, record in records:
        if not isinstance(record, dict):
            result.errors.append(ParseError(line_number, "OMM record is not a JSON object"))
            continue
        column_errors = _column_errors(list(record))
        if column_errors:
            result.errors.extend(ParseError(line_number, message) for message in column_errors)
            continue
        _append(result, line_number, {key: "" if value is None else str(value) for key, value in record.items()})
    return result


def _json_records(text: str) -> Iterable[tuple[int, object]]:
    """Yield (line number, value) for each element of a top-level array (or the single object)."""
    decoder = json.JSONDecoder()
    position = _skip_space(text, 0)
    if position < len(text) and text[position] != "[":
        value, _ = decoder.raw_decode(text, position)
        yield _line_of(text, position), value
        return
    if position >= len(text):
        raise json.JSONDecodeError("empty document", text, position)
    position = _skip_space(text, position + 1)
    if position < len(text) and text[position] == "]":
        return
    while True:
        value, end = decoder.raw_decode(text, position)
        yield _line_of(text, position), value
        position = _skip_space(text, end)
        if position < len(text) and text[position] == ",":
            position = _skip_space(text, position + 1)
            continue
        if position < len(text) and text[position] == "]":
            return
        raise json.JSONDecodeError("expected ',' or ']'", text, position)


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _line_of(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _column_errors(columns: list[str]) -> list[str]:
    known = set(OMM_REQUIRED_COLUMNS) | set(OMM_OPTIONAL_COLUMNS)
    errors = [f"unknown OMM column {name!r}" for name in columns if name not in known]
    errors += [f"missing required OMM column {name!r}" for name in OMM_REQUIRED_COLUMNS if name not in columns]
    return errors


def _append(result: ParseResult, line_number: int, fields: dict[str, str]) -> None:
    try:
        result.elements.append(_element_set(fields))
    except ElementParseError as exc:
        result.errors.append(ParseError(line_number, str(exc)))


def _element_set(fields: dict[str, str]) -> ElementSet:
    return ElementSet(
        norad_id=_value(fields, "NORAD_CAT_ID", int),
        name=fields["OBJECT_NAME"].strip(),
        epoch=_value(fields, "EPOCH", _omm_epoch),
        inclination_deg=_value(fields, "INCLINATION", float),
        raan_deg=_value(fields, "RA_OF_ASC_NODE", float),
        eccentricity=_value(fields, "ECCENTRICITY", float),
        arg_perigee_deg=_value(fields, "ARG_OF_PERICENTER", float),
        mean_anomaly_deg=_value(fields, "MEAN_ANOMALY", float),
        mean_motion_rev_per_day=_value(fields, "MEAN_MOTION", float),
        bstar=_value(fields, "BSTAR", float),
        international_designator=fields["OBJECT_ID"].strip(),
        mean_motion_dot=_value(fields, "MEAN_MOTION_DOT", float),
        mean_motion_ddot=_value(fields, "MEAN_MOTION_DDOT", float),
        classification=fields["CLASSIFICATION_TYPE"].strip() or "U",
        element_set_number=_value(fields, "ELEMENT_SET_NO", int),
        rev_at_epoch=_value(fields, "REV_AT_EPOCH", int),
        ephemeris_type=_value(fields, "EPHEMERIS_TYPE", int),
        omm_object_type=fields.get("OBJECT_TYPE", "").strip(),
    )


def _value(fields: dict[str, str], column: str, convert: Callable[[str], object]):
    text = fields[column].strip()
    if not text:
        raise ElementParseError(f"missing value for {column}")
    try:
        return convert(text)
    except ValueError:
        raise ElementParseError(f"bad {column} value {text!r}") from None


def _omm_epoch(text: str) -> datetime:
    """ISO 8601 epoch; OMM epochs are UTC, so a bare timestamp is read as UTC."""
    epoch = datetime.fromisoformat(text)
    if epoch.tzinfo is None:
        return epoch.replace(tzinfo=UTC)
    return epoch.astimezone(UTC)
