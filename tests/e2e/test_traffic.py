"""Space traffic in a real browser: the conjunction board, an event page with its two SVG pictures, a bad
CDM upload refused with its line, and the flight director's signed decision."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in
from tests.orbits.data import requires_data
from tests.traffic.conftest import cdm_text, in_orbit, protected  # noqa: F401, F811 (fixtures)
from tests.traffic.factories import make_event

pytestmark = [requires_data, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_board_event_pictures_bad_upload_and_signed_decision(page, protected, director, tmp_path):  # noqa: F811
    event = make_event(protected, tier="red", pc=4.2e-4, other="31140")
    log_in(page, "dana", PASSWORD)
    page.goto("/conjunctions/")
    board = page.inner_text("#conjunction-board")
    assert "Red" in board and "DEB 31140" in board and "4.20e-04" in board
    assert page.inner_text(".countdown").startswith("T-")  # the script counts down

    bad = tmp_path / "bad.cdm"
    bad.write_text(cdm_text().replace("MISS_DISTANCE                               = 25 [m]", "MISS_DISTANCE = 25 [km]"))
    page.set_input_files("input[name=cdm_file]", str(bad))
    page.click("#upload-cdm")
    assert "line 8, MISS_DISTANCE: unit [km] where the standard says [m]" in page.inner_text("ul.messages")

    page.click(f"a[href='{event.get_absolute_url()}']")
    assert page.locator("#pc-trend svg.pc-trend").count() == 1
    assert page.locator("#encounter-plane svg.encounter-plane ellipse").count() == 3
    assert page.locator("#encounter-plane svg circle.hard-body").count() == 1
    assert page.is_visible("#decision-needed")

    def sign(password):
        page.select_option("select[name=kind]", "shelter")
        page.fill("textarea[name=reason]", "Late tracking data; no time to plan a burn.")
        page.fill("input[name=shelter_at]", (event.tca - dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M"))
        page.fill("textarea[name=meaning]", "I order the crew into the capsule before TCA.")
        page.fill("input[name=password]", password)
        page.click("#sign-decision")

    sign("not-my-password")
    assert "The password is not correct" in page.inner_text("ul.messages")
    sign(PASSWORD)
    main = page.inner_text("main")
    assert "Decision signed: Shelter in place" in main
    assert "by Dana Tester" in main and not page.is_visible("#decision-needed")
