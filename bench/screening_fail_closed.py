"""Benchmark: what fail-closed screening costs on the shared 2023 catalog at its own epoch (issue 12).

Run with `.venv/bin/python bench/screening_fail_closed.py`. Prints figures; not part of the test suite.

For one day (2023-10-09) of in-plane windows to the ISS from Kennedy, it screens the full catalog twice:
with the default `UncertaintyPolicy` (7-day element age limit, 3 km/day error growth) and with the growth
set to zero (stale objects screened on their published elements, as before). It prints how many objects
fall in each class, how many liftoff seconds each rule closes, and how much of the day's windows the
padding closes on top of plain screening. Unpropagatable objects close in both runs (no padding involved).
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from flights.orbits.elements import parse_tle  # noqa: E402
from flights.orbits.planar import planar_windows_for_elements  # noqa: E402
from flights.orbits.screening import UncertaintyPolicy, classify, screen  # noqa: E402
from flights.orbits.trajectory import AscentProfile, nominal_trajectory  # noqa: E402

DATA = REPO.parent / "shared" / "data"
KENNEDY = {"site_lat_deg": 28.573, "site_lon_deg": -80.649}
DAY = datetime(2023, 10, 9, tzinfo=UTC)


def closed_seconds(result, rules=None) -> set[int]:
    seconds: set[int] = set()
    for closure in result.closures:
        if rules is None or closure.rule in rules:
            first = int((closure.start - result.window_open).total_seconds())
            last = int((closure.end - result.window_open).total_seconds())
            seconds.update(range(first, last + 1))
    return seconds


def main() -> None:
    catalog = parse_tle((DATA / "catalog-2023-10-09.tle").read_text()).raise_if_errors().elements
    objects = [classify(item) for item in catalog]
    iss = next(item for item in catalog if item.norad_id == 25544)
    windows = planar_windows_for_elements(iss, start=DAY, days=1, plane_tolerance_deg=0.5, **KENNEDY)
    default, unpadded = UncertaintyPolicy(), UncertaintyPolicy(in_track_growth_km_per_day=0.0)
    print(f"== {len(catalog)} objects, {len(windows)} ISS-plane windows from Kennedy on {DAY:%Y-%m-%d} ==")
    print(f"policy: element age limit {default.max_element_age_days:g} days, growth {default.in_track_growth_km_per_day:g} km/day")
    totals = {"liftoffs": 0, "padded": 0, "unpadded": 0, "stale_rule": 0, "band_rule": 0}
    for window in windows:
        window_open, window_close = window.open.replace(microsecond=0), window.close.replace(microsecond=0)
        profile = AscentProfile(
            launch_azimuth_deg=window.azimuth_deg, time_to_150km_s=230.0, insertion_time_s=540.0,
            insertion_altitude_km=400.0, downrange_at_insertion_km=1500.0,
        )
        trajectory = nominal_trajectory(profile, KENNEDY["site_lat_deg"], KENNEDY["site_lon_deg"])
        arguments = {"trajectory_ecef_km": trajectory, "objects": objects, "window_open": window_open,
                     "window_close": window_close}
        started = time.perf_counter()
        padded = screen(**arguments, policy=default)
        padded_s = time.perf_counter() - started
        started = time.perf_counter()
        plain = screen(**arguments, policy=unpadded)
        plain_s = time.perf_counter() - started
        liftoffs = int((window_close - window_open).total_seconds()) + 1
        with_padding, without = closed_seconds(padded), closed_seconds(plain)
        stale_rule = closed_seconds(padded, {"stale_elements_padded"})
        band_rule = closed_seconds(padded, {"unpropagatable_band"})
        totals["liftoffs"] += liftoffs
        totals["padded"] += len(with_padding)
        totals["unpadded"] += len(without)
        totals["stale_rule"] += len(stale_rule)
        totals["band_rule"] += len(band_rule)
        print(
            f"\n{window.node} window {window_open:%H:%M:%S}-{window_close:%H:%M:%S} UTC ({liftoffs} liftoff s, "
            f"azimuth {window.azimuth_deg:.1f} deg): screen {padded_s:.1f} s padded, {plain_s:.1f} s unpadded"
        )
        print("  classes: " + ", ".join(f"{name} {count}" for name, count in padded.class_counts.items()))
        closers = sorted({(c.rule, c.norad_id) for c in padded.closures})
        by_rule = {rule: sum(r == rule for r, _ in closers) for rule in ("screened", "stale_elements_padded", "unpropagatable_band")}
        print("  closing objects by rule: " + ", ".join(f"{rule} {count}" for rule, count in by_rule.items()))
        print(
            f"  closed liftoff s: {len(with_padding)} padded vs {len(without)} unpadded "
            f"(stale rule alone {len(stale_rule)}, band rule alone {len(band_rule)}); "
            f"open intervals {len(padded.open_intervals())} ({liftoffs - len(with_padding)} s still open)"
        )
        for item in [u for u in padded.uncertain if u.closes_span][:3]:
            print(f"  e.g. band closure {item.norad_id} {item.name}: {item.message}")
    extra = totals["padded"] - totals["unpadded"]
    print(
        f"\n== day: {totals['liftoffs']} liftoff s; closed {totals['padded']} padded vs {totals['unpadded']} unpadded: "
        f"the padding closes {extra} s more = {100 * extra / max(1, totals['liftoffs']):.1f}% of the day's windows; "
        f"still open {totals['liftoffs'] - totals['padded']} s "
        f"({100 * (totals['liftoffs'] - totals['padded']) / max(1, totals['liftoffs']):.1f}%) =="
    )


if __name__ == "__main__":
    main()
