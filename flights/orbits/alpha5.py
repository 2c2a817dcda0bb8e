"""Alpha-5 catalog numbers: how a five-column TLE field carries numbers above 99,999.

The first character is a letter worth 10..33 (A=10 ... Z=33, skipping I and O so they are not read
as 1 and 0), followed by four digits: "A0404" = 10 * 10000 + 404 = 100404. Plain five-digit
numbers are unchanged.
"""

from __future__ import annotations

from flights.orbits.errors import ElementParseError

__all__ = ["alpha5_to_int", "int_to_alpha5"]

_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I, no O
_LETTER_VALUE = {letter: 10 + index for index, letter in enumerate(_LETTERS)}
_MAX_ALPHA5 = 33 * 10000 + 9999  # "Z9999"


def alpha5_to_int(text: str) -> int:
    """Decode a catalog number field: "A0404" -> 100404, "25544" -> 25544, " 5" -> 5."""
    field_text = text.strip()
    if not field_text:
        raise ElementParseError("empty catalog number")
    head, tail = field_text[0], field_text[1:]
    if head.isdigit():
        if not field_text.isdigit():
            raise ElementParseError(f"catalog number {text!r} is not a number")
        return int(field_text)
    value = _LETTER_VALUE.get(head.upper())
    if value is None or len(tail) != 4 or not tail.isdigit():
        raise ElementParseError(
            f"catalog number {text!r} is neither digits nor Alpha-5 (letter, not I or O, then 4 digits)"
        )
    return value * 10000 + int(tail)


def int_to_alpha5(number: int) -> str:
    """Encode a catalog number for a TLE: 100404 -> "A0404", 25544 -> "25544"."""
    if number < 0 or number > _MAX_ALPHA5:
        raise ElementParseError(f"catalog number {number} cannot be written in Alpha-5 (0..{_MAX_ALPHA5})")
    if number <= 99999:
        return f"{number:05d}"
    return _LETTERS[number // 10000 - 10] + f"{number % 10000:04d}"
