"""Element sets and their readers, in one place for callers: TLE, OMM CSV and OMM JSON.

`parse_elements` sniffs the format. The value type is in `element_set.py`, each reader in its own
module (`tle.py`, `omm.py`); this module is the door other code uses.
"""

from __future__ import annotations

from flights.orbits.alpha5 import alpha5_to_int, int_to_alpha5
from flights.orbits.element_set import ElementSet
from flights.orbits.omm import parse_omm_csv, parse_omm_json
from flights.orbits.parse_result import ParseError, ParseResult
from flights.orbits.tle import parse_tle, tle_checksum

__all__ = [
    "ElementSet",
    "ParseError",
    "ParseResult",
    "alpha5_to_int",
    "int_to_alpha5",
    "parse_elements",
    "parse_omm_csv",
    "parse_omm_json",
    "parse_tle",
    "tle_checksum",
]


def parse_elements(text: str) -> ParseResult:
    """Read TLE (2- or 3-line), OMM CSV or OMM JSON, whichever `text` is."""
    head = text.lstrip()
    if head.startswith(("[", "{")):
        return parse_omm_json(text)
    first_line = head.split("\n", 1)[0]
    if "," in first_line and ("OBJECT_NAME" in first_line or "NORAD_CAT_ID" in first_line):
        return parse_omm_csv(text)
    return parse_tle(text)
