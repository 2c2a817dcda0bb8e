"""Server-side SVG pictures of a conjunction (no scripts, readable when printed), like flights/timeline.py.

- `pc_trend_svg`: Pc of each update against the time it was received, on a log scale, with the red
  and yellow thresholds as lines; an update without covariance is a hollow mark on the floor;
- `encounter_plane_svg`: the encounter plane (normal to the relative velocity) centred on our object:
  the combined covariance's 1, 2 and 3 sigma ellipses around the other object's position, the
  hard-body circle at the origin and the miss vector.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

W, H, LEFT, RIGHT, TOP, BOTTOM = 480, 240, 56, 12, 14, 34


def pc_trend_svg(updates: Sequence, *, red_pc: float, yellow_pc: float) -> SafeString:
    """`updates`: rows with received_at, pc (None = no covariance) and tier, oldest first."""
    values = [u.pc for u in updates if u.pc]
    floor = math.floor(math.log10(min([*values, yellow_pc]))) - 1
    ceiling = max(0, math.ceil(math.log10(max([*values, red_pc]))))
    floor = max(floor, ceiling - 30) if values else floor
    times = [u.received_at for u in updates]
    start, end = (min(times), max(times)) if times else (None, None)
    span = (end - start).total_seconds() if times and end > start else 1.0

    def x(moment) -> float:
        fraction = (moment - start).total_seconds() / span if len(times) > 1 else 0.5
        return LEFT + fraction * (W - LEFT - RIGHT)

    def y(pc: float | None) -> float:
        level = floor if not pc else max(floor, min(ceiling, math.log10(pc)))
        return TOP + (ceiling - level) / (ceiling - floor) * (H - TOP - BOTTOM)

    parts = [
        f'<svg class="pc-trend" viewBox="0 0 {W} {H}" role="img" xmlns="http://www.w3.org/2000/svg" '
        f'aria-label="Probability of collision across {len(updates)} updates">',
        f'<rect class="plot" x="{LEFT}" y="{TOP}" width="{W - LEFT - RIGHT}" height="{H - TOP - BOTTOM}"/>',
    ]
    step = max(1, (ceiling - floor) // 6)
    for level in range(floor, ceiling + 1, step):
        parts.append(f'<text class="tick" x="{LEFT - 4}" y="{y(10.0**level) + 4:.1f}" text-anchor="end">1e{level}</text>')
    for name, value in (("red", red_pc), ("yellow", yellow_pc)):
        parts.append(
            f'<line class="threshold {name}" x1="{LEFT}" x2="{W - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}">'
            f"<title>{name} threshold Pc {value:.0e}</title></line>"
        )
    points = [(x(u.received_at), y(u.pc)) for u in updates if u.pc]
    if len(points) > 1:
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        parts.append(f'<polyline class="trend" points="{path}"/>')
    for update in updates:
        label = "no covariance" if update.pc is None else f"Pc {update.pc:.2e}"
        css = f"mark tier-{escape(update.tier)}" + (" hollow" if update.pc is None else "")
        parts.append(
            f'<circle class="{css}" cx="{x(update.received_at):.1f}" cy="{y(update.pc):.1f}" r="4">'
            f"<title>{update.received_at:%Y-%m-%d %H:%M} UTC: {label} ({escape(update.tier)})</title></circle>"
        )
    if times:
        parts.append(f'<text class="tick" x="{LEFT}" y="{H - 10}">{start:%d %b %H:%M} UTC</text>')
        parts.append(f'<text class="tick" x="{W - RIGHT}" y="{H - 10}" text-anchor="end">{end:%d %b %H:%M} UTC</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every interpolated text is escaped or numeric)


def encounter_plane_svg(*, miss_m: Sequence[float], covariance_m2: Sequence[float], hbr_m: float) -> SafeString:
    """`miss_m` (x, y) and `covariance_m2` (xx, xy, yy) on the encounter plane, metres."""
    size = 320
    miss = np.asarray(miss_m, dtype=float) if len(miss_m) == 2 else None
    if miss is None or len(covariance_m2) != 3:
        return mark_safe(
            f'<svg class="encounter-plane" viewBox="0 0 {size} {size}" role="img" xmlns="http://www.w3.org/2000/svg" '
            'aria-label="No covariance: no encounter-plane picture"><text x="20" y="160">No covariance: the event is '
            "judged by the screening volume.</text></svg>"
        )
    xx, xy, yy = covariance_m2
    eigenvalues, eigenvectors = np.linalg.eigh(np.array([[xx, xy], [xy, yy]]))
    sigmas = np.sqrt(np.maximum(eigenvalues, 0.0))
    extent = max(float(np.linalg.norm(miss)) + 3.0 * float(sigmas.max()), 4.0 * hbr_m)
    scale = (size / 2 - 16) / extent
    centre = size / 2

    def px(point) -> tuple[float, float]:
        return centre + point[0] * scale, centre - point[1] * scale

    angle = -math.degrees(math.atan2(eigenvectors[1, 1], eigenvectors[0, 1]))
    other_x, other_y = px(miss)
    parts = [
        f'<svg class="encounter-plane" viewBox="0 0 {size} {size}" role="img" xmlns="http://www.w3.org/2000/svg" '
        f'aria-label="Encounter plane: miss {np.linalg.norm(miss):.0f} m, hard-body radius {hbr_m:g} m">',
        f'<line class="axis" x1="0" x2="{size}" y1="{centre}" y2="{centre}"/>',
        f'<line class="axis" x1="{centre}" x2="{centre}" y1="0" y2="{size}"/>',
    ]
    for k in (3, 2, 1):
        parts.append(
            f'<ellipse class="covariance sigma-{k}" cx="{other_x:.1f}" cy="{other_y:.1f}" '
            f'rx="{max(k * sigmas[1] * scale, 0.5):.1f}" ry="{max(k * sigmas[0] * scale, 0.5):.1f}" '
            f'transform="rotate({angle:.2f} {other_x:.1f} {other_y:.1f})">'
            f"<title>{k} sigma of the combined covariance ({sigmas[1]:.0f} m x {sigmas[0]:.0f} m at 1 sigma)</title>"
            "</ellipse>"
        )
    parts.append(
        f'<circle class="hard-body" cx="{centre}" cy="{centre}" r="{max(hbr_m * scale, 2.0):.1f}">'
        f"<title>Hard-body radius {hbr_m:g} m</title></circle>"
    )
    parts.append(
        f'<line class="miss" x1="{centre}" y1="{centre}" x2="{other_x:.1f}" y2="{other_y:.1f}">'
        f"<title>Miss vector {np.linalg.norm(miss):.0f} m</title></line>"
    )
    parts.append(f'<text class="tick" x="6" y="{size - 6}">scale: {extent:.0f} m to the edge</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (numeric only)
