"""Checks run on every portal page the role-day browser tests visit (issue 14):

- axe-core (the npm package pinned in package.json, installed by `make install-dev` with `npm ci`) finds no
  violation of impact "serious" or "critical";
- at a 390 px wide viewport the page does not scroll sideways
  (`document.documentElement.scrollWidth <= window.innerWidth`).

axe is evaluated through Playwright's DevTools channel, so the page's CSP (script-src 'self') still applies
to the page itself and is not relaxed for the test.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
BLOCKING_IMPACTS = ("serious", "critical")


def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make install-dev` (npm ci installs axe-core from package-lock.json)")
    return AXE.read_text()


class PageAudit:
    """Call `audit(page)` after each navigation; it records each path it checked."""

    def __init__(self):
        self.visited: list[str] = []
        self._source = axe_source()

    def __call__(self, page) -> None:
        page.wait_for_load_state("load")
        path = urlparse(page.url).path
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"{path} scrolls sideways at {width[1]} px: content is {width[0]} px wide"
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(self._source)
        result = page.evaluate(
            """async () => {
                const r = await axe.run(document, {resultTypes: ['violations']});
                return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                               nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
            }"""
        )
        blocking = [v for v in result if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"axe on {path}: " + "; ".join(f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes']}"
                                                              for v in blocking)
        self.visited.append(path)
