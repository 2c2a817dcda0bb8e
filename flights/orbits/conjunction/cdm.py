"""CCSDS Conjunction Data Messages (CDM, CCSDS 508.0-B-1), KVN form: a strict reader and a writer.

Why our own reader: the one Python library that reads every NDM type (`ccsds-ndm`) is
GPL-3.0-or-later, which this closed product cannot ship, and Orekit's parser brings a JVM into a
web process. A CDM in KVN is one `KEY = VALUE [unit]` per line in three sections (header and
relative metadata, then `OBJECT = OBJECT1`, then `OBJECT = OBJECT2`), so a reader that checks
what we rely on is short. It refuses anything it cannot be sure of, naming the line and field:

- required: the header (CCSDS_CDM_VERS, CREATION_DATE, ORIGINATOR, MESSAGE_ID), TCA,
  MISS_DISTANCE, and for both objects OBJECT_DESIGNATOR and the state X..Z_DOT at TCA;
- the covariance (the 21 terms CR_R..CNDOT_NDOT of the object's RTN frame) may be missing
  altogether: the message then has no covariance and gets no Pc; a covariance with some of its
  terms missing is refused;
- numbers must be finite, units (when given) must be the standard's, a key may not repeat in a
  section, dates are `YYYY-MM-DDThh:mm:ss[.d]` or `YYYY-DDDThh:mm:ss[.d]` (day of year) in UTC.

Keys we do not use are kept verbatim (`extra`), and `COMMENT HBR = 15 [m]` (CARA's way of stating
its hard-body radius) is read into `hbr_m`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flights.orbits.conjunction.errors import CdmError

__all__ = [
    "COVARIANCE_KEYS",
    "CdmObject",
    "ConjunctionMessage",
    "format_cdm_time",
    "parse_cdm",
    "parse_cdm_time",
    "write_cdm",
]

# Lower triangle of the 6x6 RTN covariance, row by row (CCSDS 508.0-B-1 table 3-5).
_AXES = ("R", "T", "N", "RDOT", "TDOT", "NDOT")
COVARIANCE_KEYS: tuple[str, ...] = tuple(
    f"C{_AXES[row]}_{_AXES[column]}" for row in range(6) for column in range(row + 1)
)
_STATE_KEYS = ("X", "Y", "Z", "X_DOT", "Y_DOT", "Z_DOT")
_HEADER_REQUIRED = ("CCSDS_CDM_VERS", "CREATION_DATE", "ORIGINATOR", "MESSAGE_ID")
_RELATIVE_REQUIRED = ("TCA", "MISS_DISTANCE")
_INERTIAL_FRAMES = {"EME2000", "GCRF", "TEME"}
# Metadata the standard requires of each object; the writer fills what is unknown as it allows.
_OBJECT_METADATA = (
    "CATALOG_NAME",
    "OBJECT_NAME",
    "INTERNATIONAL_DESIGNATOR",
    "EPHEMERIS_NAME",
    "COVARIANCE_METHOD",
    "MANEUVERABLE",
    "REF_FRAME",
)


def _unit_for(key: str) -> str | None:
    if key in ("X", "Y", "Z"):
        return "km"
    if key in ("X_DOT", "Y_DOT", "Z_DOT"):
        return "km/s"
    if key in ("MISS_DISTANCE",) or key.startswith("RELATIVE_POSITION_"):
        return "m"
    if key == "RELATIVE_SPEED" or key.startswith("RELATIVE_VELOCITY_"):
        return "m/s"
    if key in COVARIANCE_KEYS:
        row, column = key[1:].split("_")
        dots = row.endswith("DOT") + column.endswith("DOT")
        return ("m**2", "m**2/s", "m**2/s**2")[dots]
    return None


_LINE = re.compile(r"^([A-Z0-9_]+)\s*=\s*(.*?)\s*$")
_VALUE_UNIT = re.compile(r"^(.*?)\s*\[([^\]]*)\]$")
_HBR = re.compile(r"^HBR\s*=?\s*([-+0-9.eE]+)\s*(?:\[\s*(m|km)\s*\])?\s*$", re.IGNORECASE)
_TIME = re.compile(r"^(\d{4})-(?:(\d{2})-(\d{2})|(\d{3}))T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?Z?$")


@dataclass(frozen=True)
class CdmObject:
    """One object of a conjunction: who it is and its state (and covariance) at TCA."""

    designator: str
    position_km: tuple[float, float, float]
    velocity_km_s: tuple[float, float, float]
    # 6x6 RTN covariance (m, m/s) or None when the message carries none.
    covariance_rtn: tuple[tuple[float, ...], ...] | None = None
    name: str = "UNKNOWN"
    international_designator: str = "UNKNOWN"
    catalog_name: str = "SATCAT"
    ephemeris_name: str = "NONE"
    covariance_method: str = "CALCULATED"
    maneuverable: str = "N/A"
    ref_frame: str = "EME2000"
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def position_covariance_rtn_m2(self) -> tuple[tuple[float, ...], ...] | None:
        if self.covariance_rtn is None:
            return None
        return tuple(tuple(self.covariance_rtn[row][:3]) for row in range(3))


@dataclass(frozen=True)
class ConjunctionMessage:
    """A Conjunction Data Message as read (or to be written)."""

    message_id: str
    creation_date: datetime
    originator: str
    tca: datetime
    miss_distance_m: float
    object1: CdmObject
    object2: CdmObject
    version: str = "1.0"
    message_for: str | None = None
    relative_speed_m_s: float | None = None
    relative_position_rtn_m: tuple[float, float, float] | None = None
    relative_velocity_rtn_m_s: tuple[float, float, float] | None = None
    collision_probability: float | None = None
    collision_probability_method: str | None = None
    hbr_m: float | None = None
    comments: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def has_covariance(self) -> bool:
        return self.object1.covariance_rtn is not None and self.object2.covariance_rtn is not None


@dataclass
class _Entry:
    value: str
    unit: str | None
    line: int


def parse_cdm_time(text: str, *, line: int | None = None, field_name: str | None = None) -> datetime:
    """A CCSDS time (calendar or day-of-year form, UTC) as an aware datetime (microseconds)."""
    match = _TIME.match(text.strip())
    if not match:
        raise CdmError(
            f"{text!r} is not a CCSDS time (YYYY-MM-DDThh:mm:ss[.d] or YYYY-DDDThh:mm:ss[.d])",
            line=line,
            field=field_name,
        )
    year, month, day, doy, hour, minute, second, fraction = match.groups()
    try:
        if doy is not None:
            if not 1 <= int(doy) <= 366:
                raise ValueError("day of year out of range")
            base = datetime(int(year), 1, 1, tzinfo=UTC) + timedelta(days=int(doy) - 1)
            if base.year != int(year):
                raise ValueError("day of year out of range")
            month, day = base.month, base.day
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=UTC)
    except ValueError as error:
        raise CdmError(f"{text!r} is not a valid date ({error})", line=line, field=field_name) from None
    if fraction:
        moment += timedelta(microseconds=round(float("0." + fraction) * 1e6))
    return moment


def format_cdm_time(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


def parse_cdm(text: str) -> ConjunctionMessage:
    """Read one KVN CDM; raise `CdmError` (line, field) on anything malformed."""
    if not isinstance(text, str) or not text.strip():
        raise CdmError("the message is empty")
    if text.lstrip().startswith("<"):
        raise CdmError("XML CDMs are not read: send the KVN form (KEY = VALUE lines)", line=1)
    sections: list[dict[str, _Entry]] = [{}]
    section_lines = [1]
    comments: list[str] = []
    hbr_m: float | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("COMMENT"):
            body = line[len("COMMENT") :].strip()
            comments.append(body)
            hbr = _HBR.match(body)
            if hbr and hbr_m is None:
                value = _number(hbr.group(1), line=number, field_name="COMMENT HBR")
                hbr_m = value * (1000.0 if (hbr.group(2) or "m").lower() == "km" else 1.0)
                if not hbr_m > 0:
                    raise CdmError("the hard-body radius must be positive", line=number, field="COMMENT HBR")
            continue
        match = _LINE.match(line)
        if not match:
            raise CdmError(f"not a KEY = VALUE line: {line[:60]!r}", line=number)
        key, rest = match.groups()
        unit = None
        unit_match = _VALUE_UNIT.match(rest)
        if unit_match:
            rest, unit = unit_match.group(1).strip(), unit_match.group(2).strip()
        if not rest:
            raise CdmError("has no value", line=number, field=key)
        if key == "OBJECT":
            expected = f"OBJECT{len(sections)}"
            if rest != expected:
                raise CdmError(f"expected {expected}, got {rest!r}", line=number, field=key)
            if len(sections) == 3:
                raise CdmError("a CDM has only two objects", line=number, field=key)
            sections.append({})
            section_lines.append(number)
            continue
        expected_unit = _unit_for(key)
        if unit is not None and expected_unit is not None and unit.lower() != expected_unit:
            raise CdmError(f"unit [{unit}] where the standard says [{expected_unit}]", line=number, field=key)
        current = sections[-1]
        if key in current:
            raise CdmError(f"appears twice (first on line {current[key].line})", line=number, field=key)
        current[key] = _Entry(rest, unit, number)
    if len(sections) != 3:
        missing = "OBJECT1 and OBJECT2" if len(sections) == 1 else "OBJECT2"
        raise CdmError(f"the message has no {missing} section", field="OBJECT")
    header = sections[0]
    last_line = section_lines[1]
    for key in (*_HEADER_REQUIRED, *_RELATIVE_REQUIRED):
        if key not in header:
            raise CdmError("is required and missing", line=last_line, field=key)
    objects = [_object(sections[index], section_lines[index], index) for index in (1, 2)]
    used = set(_HEADER_REQUIRED) | set(_RELATIVE_REQUIRED)
    miss = _float(header, "MISS_DISTANCE")
    if miss < 0:
        raise CdmError("must not be negative", line=header["MISS_DISTANCE"].line, field="MISS_DISTANCE")
    message = ConjunctionMessage(
        version=header["CCSDS_CDM_VERS"].value,
        creation_date=_time(header, "CREATION_DATE"),
        originator=header["ORIGINATOR"].value,
        message_id=header["MESSAGE_ID"].value,
        tca=_time(header, "TCA"),
        miss_distance_m=miss,
        message_for=_optional(header, "MESSAGE_FOR", used),
        relative_speed_m_s=_optional_float(header, "RELATIVE_SPEED", used),
        relative_position_rtn_m=_optional_vector(header, "RELATIVE_POSITION_", used),
        relative_velocity_rtn_m_s=_optional_vector(header, "RELATIVE_VELOCITY_", used),
        collision_probability=_optional_float(header, "COLLISION_PROBABILITY", used),
        collision_probability_method=_optional(header, "COLLISION_PROBABILITY_METHOD", used),
        hbr_m=hbr_m,
        comments=tuple(comments),
        extra={key: entry.value for key, entry in header.items() if key not in used},
        object1=objects[0],
        object2=objects[1],
    )
    if message.collision_probability is not None and not 0 <= message.collision_probability <= 1:
        raise CdmError(
            "must be between 0 and 1",
            line=header["COLLISION_PROBABILITY"].line,
            field="COLLISION_PROBABILITY",
        )
    return message


def _object(entries: dict[str, _Entry], start_line: int, index: int) -> CdmObject:
    where = f"OBJECT{index}"
    for key in ("OBJECT_DESIGNATOR", *_STATE_KEYS):
        if key not in entries:
            raise CdmError(f"is required and missing in {where}", line=start_line, field=key)
    state = [_float(entries, key) for key in _STATE_KEYS]
    if math.dist(state[:3], (0.0, 0.0, 0.0)) < 6000.0:
        raise CdmError(f"{where} position is inside the Earth", line=entries["X"].line, field="X")
    ref_frame = entries["REF_FRAME"].value if "REF_FRAME" in entries else "EME2000"
    if ref_frame not in _INERTIAL_FRAMES:
        raise CdmError(
            f"{ref_frame!r}: states must be in an inertial frame ({', '.join(sorted(_INERTIAL_FRAMES))})",
            line=entries["REF_FRAME"].line,
            field="REF_FRAME",
        )
    present = [key for key in COVARIANCE_KEYS if key in entries]
    covariance = None
    if present:
        missing = [key for key in COVARIANCE_KEYS if key not in entries]
        if missing:
            raise CdmError(
                f"{where} covariance is incomplete ({len(missing)} of 21 terms missing)",
                line=entries[present[-1]].line,
                field=missing[0],
            )
        values = {key: _float(entries, key) for key in COVARIANCE_KEYS}
        for axis in _AXES:
            key = f"C{axis}_{axis}"
            if values[key] < 0:
                raise CdmError("a variance cannot be negative", line=entries[key].line, field=key)
        matrix = [[0.0] * 6 for _ in range(6)]
        for row in range(6):
            for column in range(row + 1):
                value = values[f"C{_AXES[row]}_{_AXES[column]}"]
                matrix[row][column] = matrix[column][row] = value
        covariance = tuple(tuple(row) for row in matrix)
    used = {"OBJECT_DESIGNATOR", *_STATE_KEYS, *COVARIANCE_KEYS, *_OBJECT_METADATA}
    metadata = {key.lower(): entries[key].value for key in _OBJECT_METADATA if key in entries and key != "REF_FRAME"}
    return CdmObject(
        designator=entries["OBJECT_DESIGNATOR"].value,
        position_km=tuple(state[:3]),
        velocity_km_s=tuple(state[3:]),
        covariance_rtn=covariance,
        name=metadata.get("object_name", "UNKNOWN"),
        international_designator=metadata.get("international_designator", "UNKNOWN"),
        catalog_name=metadata.get("catalog_name", "SATCAT"),
        ephemeris_name=metadata.get("ephemeris_name", "NONE"),
        covariance_method=metadata.get("covariance_method", "CALCULATED"),
        maneuverable=metadata.get("maneuverable", "N/A"),
        ref_frame=ref_frame,
        extra={key: entry.value for key, entry in entries.items() if key not in used},
    )


def _number(text: str, *, line: int, field_name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise CdmError(f"{text!r} is not a number", line=line, field=field_name) from None
    if not math.isfinite(value):
        raise CdmError(f"{text!r} is not a finite number", line=line, field=field_name)
    return value


def _float(entries: dict[str, _Entry], key: str) -> float:
    entry = entries[key]
    return _number(entry.value, line=entry.line, field_name=key)


def _time(entries: dict[str, _Entry], key: str) -> datetime:
    entry = entries[key]
    return parse_cdm_time(entry.value, line=entry.line, field_name=key)


def _optional(entries: dict[str, _Entry], key: str, used: set[str]) -> str | None:
    used.add(key)
    return entries[key].value if key in entries else None


def _optional_float(entries: dict[str, _Entry], key: str, used: set[str]) -> float | None:
    used.add(key)
    return _float(entries, key) if key in entries else None


def _optional_vector(entries: dict[str, _Entry], prefix: str, used: set[str]):
    keys = [prefix + axis for axis in "RTN"]
    used.update(keys)
    present = [key for key in keys if key in entries]
    if not present:
        return None
    if len(present) != 3:
        missing = next(key for key in keys if key not in entries)
        raise CdmError("is missing while its other components are given", line=entries[present[0]].line, field=missing)
    return tuple(_float(entries, key) for key in keys)


# --- writer -------------------------------------------------------------------------------------


def _kvn(key: str, value, unit: str | None = None) -> str:
    text = f"{value:.16e}" if isinstance(value, float) else str(value)
    return f"{key:<36}= {text}" + (f" [{unit}]" if unit else "")


def write_cdm(message: ConjunctionMessage) -> str:
    """The message as a standard KVN CDM (CCSDS 508.0-B-1).

    The standard makes both objects' covariances mandatory: a message without them is refused
    (`CdmError`) rather than written with an invented covariance.
    """
    for index, item in ((1, message.object1), (2, message.object2)):
        if item.covariance_rtn is None:
            raise CdmError(
                f"OBJECT{index} has no covariance (catalog-only screening): CCSDS 508.0-B-1 requires "
                "one for each object, and we do not invent one",
                field="covariance",
            )
    lines = [
        _kvn("CCSDS_CDM_VERS", message.version),
        *(f"COMMENT {text}" for text in message.comments if not _HBR.match(text)),
        _kvn("CREATION_DATE", format_cdm_time(message.creation_date)),
        _kvn("ORIGINATOR", message.originator),
    ]
    if message.message_for:
        lines.append(_kvn("MESSAGE_FOR", message.message_for))
    lines += [
        _kvn("MESSAGE_ID", message.message_id),
        _kvn("TCA", format_cdm_time(message.tca)),
        _kvn("MISS_DISTANCE", float(message.miss_distance_m), "m"),
    ]
    if message.relative_speed_m_s is not None:
        lines.append(_kvn("RELATIVE_SPEED", float(message.relative_speed_m_s), "m/s"))
    for prefix, vector, unit in (
        ("RELATIVE_POSITION_", message.relative_position_rtn_m, "m"),
        ("RELATIVE_VELOCITY_", message.relative_velocity_rtn_m_s, "m/s"),
    ):
        if vector is not None:
            lines += [_kvn(prefix + axis, float(value), unit) for axis, value in zip("RTN", vector, strict=True)]
    if message.collision_probability is not None:
        lines.append(_kvn("COLLISION_PROBABILITY", float(message.collision_probability)))
        lines.append(_kvn("COLLISION_PROBABILITY_METHOD", message.collision_probability_method or "FOSTER-1992"))
    if message.hbr_m is not None:
        lines.append(f"COMMENT HBR = {message.hbr_m:g} [m]")
    for index, item in ((1, message.object1), (2, message.object2)):
        lines += [
            _kvn("OBJECT", f"OBJECT{index}"),
            _kvn("OBJECT_DESIGNATOR", item.designator),
            _kvn("CATALOG_NAME", item.catalog_name),
            _kvn("OBJECT_NAME", item.name),
            _kvn("INTERNATIONAL_DESIGNATOR", item.international_designator),
            _kvn("EPHEMERIS_NAME", item.ephemeris_name),
            _kvn("COVARIANCE_METHOD", item.covariance_method),
            _kvn("MANEUVERABLE", item.maneuverable),
            _kvn("REF_FRAME", item.ref_frame),
        ]
        for key, value in zip(_STATE_KEYS, (*item.position_km, *item.velocity_km_s), strict=True):
            lines.append(_kvn(key, float(value), _unit_for(key)))
        for row in range(6):
            for column in range(row + 1):
                key = f"C{_AXES[row]}_{_AXES[column]}"
                lines.append(_kvn(key, float(item.covariance_rtn[row][column]), _unit_for(key)))
    return "\n".join(lines) + "\n"
