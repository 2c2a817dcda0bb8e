"""Shared test data: the offline element-set snapshots in ../shared/data (tests/shared_data.py finds them; never
copied here).

Plain functions with caches rather than conftest fixtures, so the tests run the same under plain
pytest and under the project's pytest-django configuration.
"""

from __future__ import annotations

from functools import cache, lru_cache

from flights.orbits.elements import ElementSet, ParseResult, parse_elements
from flights.orbits.screening import ScreeningObject, classify
from tests.shared_data import DATA_DIR, requires_data  # noqa: F401 (imported from here by the orbit tests)

# Object counts from the data README.
EXPECTED_COUNTS = {
    "catalog-2023-10-09.tle": 26140,
    "payloads-2026-06-10.tle": 16032,
    "stations-2026-08-22.tle": 2,
    "iss-2026-09-20.omm.csv": 1,
    "alpha5-sample-2026-09-21.tle": 256,
}


def read(name: str) -> str:
    return (DATA_DIR / name).read_text()


@cache
def parsed(name: str) -> ParseResult:
    return parse_elements(read(name))


@lru_cache(maxsize=1)
def catalog() -> tuple[ElementSet, ...]:
    return tuple(parsed("catalog-2023-10-09.tle").raise_if_errors().elements)


@lru_cache(maxsize=1)
def catalog_objects() -> tuple[ScreeningObject, ...]:
    return tuple(classify(elements) for elements in catalog())


def stations() -> dict[int, ElementSet]:
    return {elements.norad_id: elements for elements in parsed("stations-2026-08-22.tle").elements}
