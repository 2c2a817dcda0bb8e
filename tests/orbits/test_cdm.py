"""CDM (KVN) reader and writer: what is required, what may be missing, what is refused (line, field)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flights.orbits.conjunction.cdm import COVARIANCE_KEYS, parse_cdm, write_cdm
from flights.orbits.conjunction.errors import CdmError
from tests.orbits.data import DATA_DIR, requires_data

CDM_DIR = DATA_DIR / "cdm"
TERRA = "000025994_conj_000026132_20220224_100307_20220221_225515.cdm"
NON_PD = "OmitronTestCase_Test07_NonPDCovariance.cdm"


def text(name: str = TERRA) -> str:
    return (CDM_DIR / name).read_text()


def line_of(source: str, key: str, occurrence: int = 1) -> int:
    seen = 0
    for number, line in enumerate(source.splitlines(), start=1):
        if line.split("=")[0].strip() == key:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(key)


def without(source: str, key: str, occurrence: int = 1) -> str:
    number = line_of(source, key, occurrence)
    return "\n".join(line for index, line in enumerate(source.splitlines(), start=1) if index != number)


def replaced(source: str, key: str, value: str, occurrence: int = 1) -> str:
    number = line_of(source, key, occurrence)
    lines = source.splitlines()
    lines[number - 1] = f"{key} = {value}"
    return "\n".join(lines)


@requires_data
def test_reads_header_tca_miss_objects_and_covariance():
    cdm = parse_cdm(text())
    assert cdm.message_id == "000025994_conj_000026132_20220224_100307_20220221_225515"
    assert cdm.originator == "CARA"
    assert cdm.tca == datetime(2022, 2, 24, 10, 3, 7, 749000, tzinfo=UTC)
    assert cdm.miss_distance_m == 25.0
    assert cdm.relative_speed_m_s == 4489.0
    assert cdm.relative_position_rtn_m == (24.4, -2.5, -1.4)
    assert cdm.hbr_m == 15.0
    assert cdm.object1.designator == "000025994" and cdm.object1.name == "TERRA"
    assert cdm.object2.designator == "000026132" and cdm.object2.name == "CZ-4 DEB"
    assert cdm.object1.position_km[0] == pytest.approx(-1077.572980813942422)
    assert cdm.object2.covariance_rtn[1][1] == pytest.approx(1.450503849423979875e06)
    assert cdm.object2.covariance_rtn[0][1] == cdm.object2.covariance_rtn[1][0]
    assert cdm.has_covariance


@requires_data
def test_reads_day_of_year_dates_and_an_hbr_without_unit():
    cdm = parse_cdm(text(NON_PD))
    assert cdm.tca == datetime(2017, 2, 2, 23, 14, 54, 330000, tzinfo=UTC)
    assert cdm.creation_date.date().isoformat() == "2017-01-27"
    assert cdm.hbr_m == 52.8
    assert "CDRG_R" in cdm.object1.extra


@requires_data
def test_a_message_without_covariance_is_accepted_as_no_covariance():
    source = text()
    for key in COVARIANCE_KEYS:
        source = without(source, key, 2)
    cdm = parse_cdm(source)
    assert cdm.object1.covariance_rtn is not None
    assert cdm.object2.covariance_rtn is None
    assert not cdm.has_covariance


@requires_data
@pytest.mark.parametrize(
    ("key", "occurrence", "field"),
    [
        ("MESSAGE_ID", 1, "MESSAGE_ID"),
        ("CREATION_DATE", 1, "CREATION_DATE"),
        ("TCA", 1, "TCA"),
        ("MISS_DISTANCE", 1, "MISS_DISTANCE"),
        ("OBJECT_DESIGNATOR", 2, "OBJECT_DESIGNATOR"),
        ("Z_DOT", 1, "Z_DOT"),
        ("CN_T", 2, "CN_T"),  # a partial covariance is refused, not read as none
    ],
)
def test_a_missing_required_field_is_refused_naming_it(key, occurrence, field):
    with pytest.raises(CdmError) as caught:
        parse_cdm(without(text(), key, occurrence))
    assert caught.value.field == field
    assert caught.value.line is not None


@requires_data
@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("TCA", "2022-02-30T10:03:07.749", "not a valid date"),
        ("TCA", "yesterday", "not a CCSDS time"),
        ("MISS_DISTANCE", "twenty [m]", "not a number"),
        ("MISS_DISTANCE", "25 [km]", "unit"),
        ("MISS_DISTANCE", "-3 [m]", "negative"),
        ("X", "nan [km]", "finite"),
        ("CT_T", "-1 [m**2]", "variance"),
        ("REF_FRAME", "ITRF", "inertial"),
        ("COLLISION_PROBABILITY", "1.5", "between 0 and 1"),
    ],
)
def test_a_malformed_value_is_refused_with_its_line_and_field(key, value, message):
    source = replaced(text(), key, value)
    with pytest.raises(CdmError, match=message) as caught:
        parse_cdm(source)
    assert caught.value.field == key
    assert caught.value.line == line_of(source, key)
    assert f"line {caught.value.line}" in str(caught.value)


@requires_data
def test_a_position_inside_the_earth_is_refused():
    with pytest.raises(CdmError, match="OBJECT1 position is inside the Earth"):
        parse_cdm(replaced(text(), "Z", "1.0 [km]"))


@requires_data
def test_a_garbled_line_is_refused_with_its_number():
    lines = text().splitlines()
    lines[9] = "RELATIVE_POSITION_R 24.4 m"
    with pytest.raises(CdmError, match="line 10: not a KEY = VALUE line"):
        parse_cdm("\n".join(lines))


@requires_data
def test_a_repeated_key_and_a_third_object_are_refused():
    lines = text().splitlines()
    with pytest.raises(CdmError, match="appears twice"):
        parse_cdm("\n".join([*lines[:8], lines[7], *lines[8:]]))
    with pytest.raises(CdmError, match="expected OBJECT2"):
        parse_cdm(text().replace("= OBJECT2", "= OBJECT3"))


@pytest.mark.parametrize("source", ["", "   \n", "<cdm/>", "CCSDS_CDM_VERS = 1.0\n"])
def test_empty_xml_and_truncated_messages_are_refused(source):
    with pytest.raises(CdmError):
        parse_cdm(source)


@requires_data
def test_write_then_read_gives_the_same_message():
    original = parse_cdm(text())
    again = parse_cdm(write_cdm(original))
    assert again.message_id == original.message_id
    assert again.tca == original.tca
    assert again.hbr_m == original.hbr_m
    assert again.collision_probability == original.collision_probability
    assert again.object1.position_km == original.object1.position_km
    assert again.object2.covariance_rtn == original.object2.covariance_rtn
    assert again.relative_velocity_rtn_m_s == original.relative_velocity_rtn_m_s


@requires_data
def test_writing_a_message_without_covariance_is_refused_with_the_reason():
    import dataclasses

    original = parse_cdm(text())
    bare = dataclasses.replace(original, object2=dataclasses.replace(original.object2, covariance_rtn=None))
    with pytest.raises(CdmError, match="no covariance"):
        write_cdm(bare)
