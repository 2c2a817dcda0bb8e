"""The flight profile a seat buyer looks at, drawn on the server as SVG (no script, prints, has a text alternative).

Altitude over time comes from the same nominal trajectory that collision screening uses
(`flights.orbits.trajectory.nominal_trajectory`, from the vehicle model's ascent figures and the itinerary's
apogee), so the picture and the screening agree.

- Suborbital hops: altitude over the whole flight, the Kármán line (100 km) marked, and the weightless
  minutes shaded. The trajectory model is a smooth arc, not a physics simulation, so weightlessness is
  taken as free fall (g = 9.81 m/s²) from the end of the climb through `WEIGHTLESS_FROM_KM` to apogee and
  back down to it, centred on the apogee: about three minutes for a 107 km New Shepard hop, as flown.
- Orbital stays: the ascent to insertion over its first minutes, and the target orbit (altitude,
  inclination) with the stay's duration.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from flights.formats import duration_text
from flights.orbits.errors import OrbitError
from flights.orbits.frames import ecef_to_geodetic
from flights.orbits.trajectory import AscentProfile, nominal_trajectory

KARMAN_LINE_KM = 100.0
WEIGHTLESS_FROM_KM = 60.0
G_M_S2 = 9.80665
WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 28, 44


@dataclass(frozen=True)
class FlightProfile:
    svg: SafeString
    summary: str  # the text alternative, also shown under the picture
    weightless_s: float | None = None
    apogee_km: float | None = None


def _ascent_profile(flight) -> AscentProfile:
    from flights.launch_windows import _ascent_profile as ascent

    return ascent(flight, None)


def _altitudes_km(profile: AscentProfile, flight, duration_s: float, step_s: float) -> tuple[np.ndarray, np.ndarray]:
    spaceport = flight.spaceport
    trajectory = nominal_trajectory(profile, spaceport.latitude_deg, spaceport.longitude_deg,
                                    spaceport.altitude_m / 1000, duration_s=duration_s, step_s=step_s)
    _, _, altitude = ecef_to_geodetic(trajectory)
    times = np.arange(0.0, duration_s + step_s / 2.0, step_s)[: len(altitude)]
    return times, np.asarray(altitude, dtype=float)


def weightless_seconds(apogee_km: float) -> float:
    """Free fall from WEIGHTLESS_FROM_KM up to apogee and back down to it."""
    drop_m = max(0.0, (apogee_km - WEIGHTLESS_FROM_KM) * 1000.0)
    return 2.0 * math.sqrt(2.0 * drop_m / G_M_S2)


def _scale(values, lo, hi, out_lo, out_hi):
    span = (hi - lo) or 1.0
    return out_lo + (np.asarray(values, dtype=float) - lo) / span * (out_hi - out_lo)


def _open_svg(title: str, desc: str, ident: str) -> list[str]:
    return [
        f'<svg class="flight-profile" viewBox="0 0 {WIDTH} {HEIGHT}" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{escape(title)}</title><desc id="{ident}-desc">{escape(desc)}</desc>',
    ]


def _axes(parts: list[str], *, max_alt: float, duration_s: float, tick_km: int, width: int = WIDTH) -> None:
    x0, x1, y0, y1 = LEFT, width - RIGHT, HEIGHT - BOTTOM, TOP
    for km in range(0, int(max_alt) + 1, tick_km):
        y = float(_scale(km, 0, max_alt, y0, y1))
        parts.append(f'<line class="grid" x1="{x0}" y1="{y:.1f}" x2="{x1}" y2="{y:.1f}"/>')
        parts.append(f'<text x="{x0 - 6}" y="{y + 4:.1f}" text-anchor="end">{km}</text>')
    parts.append(f'<text x="8" y="{TOP - 10}">km</text>')
    minutes = max(1, int(duration_s // 60))
    step = 1 if minutes <= 12 else 2 if minutes <= 24 else 5
    for minute in range(0, minutes + 1, step):
        x = float(_scale(minute * 60, 0, duration_s, x0, x1))
        parts.append(f'<text x="{x:.1f}" y="{y0 + 18}" text-anchor="middle">{minute}</text>')
    parts.append(f'<text x="{(x0 + x1) / 2:.0f}" y="{HEIGHT - 6}" text-anchor="middle">minutes after liftoff</text>')
    parts.append(f'<line class="ground" x1="{x0}" y1="{y0}" x2="{x1}" y2="{y0}"/>')


def _path(times, altitudes, *, max_alt: float, duration_s: float, width: int = WIDTH) -> str:
    xs = _scale(times, 0, duration_s, LEFT, width - RIGHT)
    ys = _scale(altitudes, 0, max_alt, HEIGHT - BOTTOM, TOP)
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
    return f'<polyline class="path" points="{points}"/>'


def suborbital_profile(flight, *, ident: str = "flight-profile") -> FlightProfile:
    profile = _ascent_profile(flight)
    duration = float(profile.flight_duration_s)
    times, altitudes = _altitudes_km(profile, flight, duration, step_s=max(1.0, duration / 240))
    apogee = float(altitudes.max())
    weightless = weightless_seconds(apogee)
    apogee_t = float(times[int(altitudes.argmax())])
    max_alt = max(KARMAN_LINE_KM, apogee) * 1.15
    above = times[altitudes >= KARMAN_LINE_KM]
    above_s = float(above[-1] - above[0]) if len(above) > 1 else 0.0
    summary = (
        f"Altitude over the {duration_text(duration)} flight: up to {apogee:.0f} km, "
        + (f"above the Kármán line (100 km) for about {duration_text(round(above_s, -1))}, " if above_s else
           "below the Kármán line (100 km), ")
        + f"weightless for about {duration_text(round(weightless, -1))}."
    )
    parts = _open_svg(f"Flight profile of {flight.code}", summary, ident)
    _axes(parts, max_alt=max_alt, duration_s=duration, tick_km=20)
    w0 = float(_scale(max(0.0, apogee_t - weightless / 2), 0, duration, LEFT, WIDTH - RIGHT))
    w1 = float(_scale(min(duration, apogee_t + weightless / 2), 0, duration, LEFT, WIDTH - RIGHT))
    parts.append(f'<rect class="weightless" x="{w0:.1f}" y="{TOP}" width="{w1 - w0:.1f}" height="{HEIGHT - BOTTOM - TOP}">'
                 f'<title>Weightless for about {duration_text(round(weightless, -1))}</title></rect>')
    parts.append(f'<text class="label-strong" x="{(w0 + w1) / 2:.1f}" y="{HEIGHT - BOTTOM - 8}" text-anchor="middle">'
                 f'weightless ≈ {escape(duration_text(round(weightless, -1)))}</text>')
    karman_y = float(_scale(KARMAN_LINE_KM, 0, max_alt, HEIGHT - BOTTOM, TOP))
    parts.append(f'<line class="karman" x1="{LEFT}" y1="{karman_y:.1f}" x2="{WIDTH - RIGHT}" y2="{karman_y:.1f}"/>')
    parts.append(f'<text x="{WIDTH - RIGHT - 4}" y="{karman_y - 6:.1f}" text-anchor="end">Kármán line, 100 km</text>')
    parts.append(_path(times, altitudes, max_alt=max_alt, duration_s=duration))
    apogee_x = float(_scale(apogee_t, 0, duration, LEFT, WIDTH - RIGHT))
    apogee_y = float(_scale(apogee, 0, max_alt, HEIGHT - BOTTOM, TOP))
    parts.append(f'<text class="label-strong" x="{apogee_x:.1f}" y="{apogee_y - 8:.1f}" text-anchor="middle">'
                 f'apogee {apogee:.0f} km</text>')
    parts.append("</svg>")
    return FlightProfile(mark_safe("".join(parts)), summary, weightless_s=weightless, apogee_km=apogee)


def orbital_profile(flight, *, ident: str = "flight-profile") -> FlightProfile:
    profile = _ascent_profile(flight)
    itinerary = flight.itinerary
    ascent_s = float(profile.insertion_time_s) * 1.25
    times, altitudes = _altitudes_km(profile, flight, ascent_s, step_s=max(1.0, ascent_s / 200))
    target_km = float(itinerary.target_altitude_km if itinerary and itinerary.target_altitude_km else
                      profile.insertion_altitude_km)
    inclination = itinerary.target_inclination_deg if itinerary else None
    stay = itinerary.duration if itinerary else None
    period_s = 2 * math.pi * math.sqrt((6378.137 + target_km) ** 3 / 398600.4418)
    summary = (
        f"Ascent to a {profile.insertion_altitude_km:.0f} km insertion orbit in {duration_text(profile.insertion_time_s)}, "
        f"then the target orbit at {target_km:.0f} km"
        + (f", inclined {inclination:.1f}°" if inclination is not None else "")
        + f", one orbit every {duration_text(round(period_s, -1))}"
        + (f"; {duration_text(stay)} in orbit, about {int(stay.total_seconds() // period_s)} orbits." if stay else ".")
    )
    parts = _open_svg(f"Flight profile of {flight.code}", summary, ident)
    # Left: the ascent, altitude over time, in the left 60 % of the picture.
    full_width, width = WIDTH, int(WIDTH * 0.6)
    max_alt = max(target_km, float(altitudes.max())) * 1.1
    _axes(parts, max_alt=max_alt, duration_s=ascent_s, tick_km=100, width=width)
    karman_y = float(_scale(KARMAN_LINE_KM, 0, max_alt, HEIGHT - BOTTOM, TOP))
    parts.append(f'<line class="karman" x1="{LEFT}" y1="{karman_y:.1f}" x2="{width - RIGHT}" y2="{karman_y:.1f}"/>')
    parts.append(f'<text x="{width - RIGHT - 4}" y="{karman_y - 6:.1f}" text-anchor="end">Kármán line</text>')
    parts.append(_path(times, altitudes, max_alt=max_alt, duration_s=ascent_s, width=width))
    parts.append(f'<text class="label-strong" x="{LEFT + 8}" y="{TOP + 4}">ascent</text>')
    # Right: the Earth and the orbit (altitude exaggerated so it can be seen).
    cx, cy, earth_r = int(full_width * 0.8), HEIGHT // 2 - 6, 78
    orbit_r = earth_r + max(14.0, target_km / 6378.137 * earth_r * 4)
    parts.append(f'<circle class="earth" cx="{cx}" cy="{cy}" r="{earth_r}"/>')
    parts.append(f'<ellipse class="orbit" cx="{cx}" cy="{cy}" rx="{orbit_r:.1f}" ry="{orbit_r * 0.42:.1f}" '
                 f'transform="rotate({-(inclination or 0) / 2:.1f} {cx} {cy})"/>')
    parts.append(f'<text class="label-strong" x="{cx}" y="{HEIGHT - 30}" text-anchor="middle">{target_km:.0f} km orbit'
                 + (f", {inclination:.1f}°" if inclination is not None else "") + "</text>")
    if stay:
        parts.append(f'<text x="{cx}" y="{HEIGHT - 12}" text-anchor="middle">{escape(duration_text(stay))} in orbit</text>')
    parts.append("</svg>")
    return FlightProfile(mark_safe("".join(parts)), summary, apogee_km=target_km)


def flight_profile(flight) -> FlightProfile | None:
    """The profile of `flight` (loaded with vehicle model, itinerary and spaceport), or None if it cannot be drawn."""
    regime = flight.itinerary.regime if flight.itinerary_id else flight.vehicle.model.regime
    try:
        return orbital_profile(flight) if regime == "orbital" else suborbital_profile(flight)
    except (OrbitError, ValueError, ZeroDivisionError):
        return None
