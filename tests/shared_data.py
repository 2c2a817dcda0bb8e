"""Where the tests find the real data files of ../shared/data (read by path, never copied into the repository).

Beside the checkout by default (from `make mutate`'s copy in mutants/, one level further up); a clone elsewhere
names the folder with FLIGHTOPS_SHARED_DATA (`FLIGHTOPS_SHARED_DATA=/work/shared/data make test`). Without it a
test that reads the data skips, and in CI a skip fails the run (tests/conftest.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = Path(
    os.environ.get("FLIGHTOPS_SHARED_DATA")
    or (_ROOT.parent if _ROOT.name == "mutants" else _ROOT).parent / "shared" / "data"
)
STATIONS = DATA_DIR / "stations-2026-08-22.tle"

_MISSING = f"the shared data files are not at {DATA_DIR} (set FLIGHTOPS_SHARED_DATA)"
requires_data = pytest.mark.skipif(not DATA_DIR.is_dir(), reason=_MISSING)


def stations_text() -> str:
    """The two-station element sets the demo's catalog is loaded from; skips the test where they are missing."""
    if not STATIONS.is_file():
        pytest.skip(_MISSING)
    return STATIONS.read_text()
