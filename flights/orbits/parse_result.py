"""What every element reader returns: the sets it could read and, by line, the ones it could not."""

from __future__ import annotations

from dataclasses import dataclass, field

from flights.orbits.element_set import ElementSet
from flights.orbits.errors import ElementParseError

__all__ = ["ParseError", "ParseResult"]


@dataclass(frozen=True)
class ParseError:
    """One unreadable entry: the (1-based) line it starts on and why."""

    line_number: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line_number}: {self.message}"


@dataclass
class ParseResult:
    """Readable element sets plus every error; a bad entry never hides the good ones around it."""

    elements: list[ElementSet] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def raise_if_errors(self) -> ParseResult:
        """Raise `ElementParseError` naming the first error (and how many more); return self if clean."""
        if self.errors:
            more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
            error = ElementParseError(f"{self.errors[0]}{more}")
            error.errors = list(self.errors)
            raise error
        return self
