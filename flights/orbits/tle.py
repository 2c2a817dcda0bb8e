"""Two-line element sets (TLE), in 2-line form or 3-line form (a `0 NAME` or plain name line first).

Column layout: CelesTrak "NORAD Two-Line Element Set Format" and Spacetrack Report #3. Catalog
numbers may be Alpha-5 (`A0404`). Every line's modulo-10 checksum is verified: a corrupted digit
in an element set would silently move an object, which matters for collision screening.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from flights.orbits.alpha5 import alpha5_to_int
from flights.orbits.element_set import ElementSet
from flights.orbits.errors import ElementParseError
from flights.orbits.parse_result import ParseError, ParseResult

__all__ = ["parse_tle", "tle_checksum"]

TLE_LINE_LENGTH = 69


def tle_checksum(line: str) -> int:
    """Modulo-10 sum of the first 68 columns: digits count their value, a minus sign counts 1."""
    total = 0
    for char in line[:68]:
        if char.isdigit():
            total += int(char)
        elif char == "-":
            total += 1
    return total % 10


def parse_tle(text: str) -> ParseResult:
    """Read every element set in `text`; bad entries become `ParseError`s with their line number."""
    result = ParseResult()
    lines = text.splitlines()
    pending_name: tuple[int, str] | None = None  # (line number, name) waiting for its line 1
    index = 0
    while index < len(lines):
        line_number = index + 1
        line = lines[index].rstrip()
        if not line.strip():
            index += 1
            continue
        if line.startswith("1 ") or line == "1":
            name = pending_name[1] if pending_name else ""
            pending_name = None
            next_line = lines[index + 1].rstrip() if index + 1 < len(lines) else None
            if next_line is None or not next_line.startswith("2 "):
                result.errors.append(ParseError(line_number, "line 1 is not followed by line 2"))
                index += 1
                continue
            errors = _check_line(line, line_number, "1") + _check_line(next_line, line_number + 1, "2")
            if not errors:
                try:
                    result.elements.append(_element_set(name, line, next_line))
                except ElementParseError as exc:
                    errors.append(ParseError(line_number, str(exc)))
            result.errors.extend(errors)
            index += 2
            continue
        if line.startswith("2 "):
            result.errors.append(ParseError(line_number, "line 2 without a line 1 before it"))
            index += 1
            continue
        if pending_name is not None:
            result.errors.append(
                ParseError(pending_name[0], f"name {pending_name[1]!r} is not followed by element lines")
            )
        # 3LE dumps (Space-Track) write the name as "0 NAME"; CelesTrak writes the bare name.
        pending_name = (line_number, line[2:].strip() if line.startswith("0 ") else line.strip())
        index += 1
    if pending_name is not None:
        result.errors.append(ParseError(pending_name[0], f"name {pending_name[1]!r} is not followed by element lines"))
    return result


def _check_line(line: str, line_number: int, expected: str) -> list[ParseError]:
    """Length and checksum of one element line; an empty list means it may be read."""
    if not line.startswith(expected + " "):
        return [ParseError(line_number, f"expected line {expected}, found {line[:20]!r}")]
    if len(line) != TLE_LINE_LENGTH:
        kind = "truncated" if len(line) < TLE_LINE_LENGTH else "overlong"
        return [
            ParseError(
                line_number,
                f"{kind} line {expected} ({len(line)} characters, expected {TLE_LINE_LENGTH})",
            )
        ]
    stated = line[68]
    if not stated.isdigit():
        return [ParseError(line_number, f"checksum {stated!r} is not a digit")]
    computed = tle_checksum(line)
    if int(stated) != computed:
        return [ParseError(line_number, f"checksum {stated} does not match computed {computed}")]
    return []


def _element_set(name: str, line1: str, line2: str) -> ElementSet:
    norad_id = _field(alpha5_to_int, line1[2:7], "catalog number")
    if line2[2:7].strip() != line1[2:7].strip():
        raise ElementParseError(f"catalog number {line2[2:7]!r} on line 2 differs from {line1[2:7]!r} on line 1")
    epoch = _field(_tle_epoch, line1[18:32], "epoch")
    return ElementSet(
        norad_id=norad_id,
        name=name or line1[2:7].strip(),
        epoch=epoch,
        inclination_deg=_field(float, line2[8:16], "inclination"),
        raan_deg=_field(float, line2[17:25], "right ascension of the node"),
        eccentricity=_field(lambda s: float("0." + s.strip()), line2[26:33], "eccentricity"),
        arg_perigee_deg=_field(float, line2[34:42], "argument of perigee"),
        mean_anomaly_deg=_field(float, line2[43:51], "mean anomaly"),
        mean_motion_rev_per_day=_field(float, line2[52:63], "mean motion"),
        bstar=_field(_implied_decimal, line1[53:61], "BSTAR"),
        international_designator=_designator(line1[9:17]),
        line1=line1,
        line2=line2,
        mean_motion_dot=_field(float, line1[33:43], "mean motion derivative"),
        mean_motion_ddot=_field(_implied_decimal, line1[44:52], "mean motion second derivative"),
        classification=line1[7].strip() or "U",
        element_set_number=_field(lambda s: int(s) if s.strip() else 0, line1[64:68], "element set number"),
        rev_at_epoch=_field(lambda s: int(s) if s.strip() else 0, line2[63:68], "revolution number"),
        ephemeris_type=_field(lambda s: int(s) if s.strip() else 0, line1[62], "ephemeris type"),
    )


def _field(convert, text: str, what: str):
    try:
        return convert(text)
    except (ValueError, IndexError, OverflowError) as exc:
        if isinstance(exc, ElementParseError):
            raise
        raise ElementParseError(f"{what} {text!r} is not a number") from None


def _implied_decimal(text: str) -> float:
    """TLE exponent notation with an implied leading decimal point: " 37082-3" -> 0.37082e-3."""
    body = text.strip()
    if not body:
        return 0.0
    sign = -1.0 if body[0] == "-" else 1.0
    if body[0] in "+-":
        body = body[1:]
    mantissa, exponent = body[:-2], body[-2:]
    if not mantissa.strip().isdigit() or exponent[0] not in "+-" or not exponent[1].isdigit():
        raise ValueError(text)
    return sign * float("0." + mantissa.strip()) * 10.0 ** int(exponent)


def _tle_epoch(text: str) -> datetime:
    """ "26234.50053383" -> 2026 day 234.50053383 UTC; two-digit years 57-99 are 1957-1999."""
    year_2 = int(text[:2])
    day_of_year = float(text[2:])
    if not 1.0 <= day_of_year < 367.0 or math.isnan(day_of_year):
        raise ValueError(text)
    year = 1900 + year_2 if year_2 >= 57 else 2000 + year_2
    start = datetime(year, 1, 1, tzinfo=UTC)
    # Round to the microsecond: the 8 decimals of the day are ~0.9 ms, so nothing is lost.
    return start + timedelta(microseconds=round((day_of_year - 1.0) * 86400e6))


def _designator(text: str) -> str:
    """ "98067A  " -> "1998-067A", the form OMM uses for OBJECT_ID."""
    body = text.strip()
    if len(body) < 5 or not body[:5].isdigit():
        return body
    year_2 = int(body[:2])
    year = 1900 + year_2 if year_2 >= 57 else 2000 + year_2
    return f"{year}-{body[2:5]}{body[5:]}"
