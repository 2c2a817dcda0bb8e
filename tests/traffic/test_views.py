"""Portal board and event page, CDM upload (portal, admin, command), the signed decision form."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from flights.traffic.models import ConjunctionDecision, ConjunctionEvent, ConjunctionUpdate, ScreeningRun
from tests.conftest import PASSWORD
from tests.orbits.data import requires_data
from tests.querycounts import assert_flat_queries
from tests.traffic.conftest import CDM_DIR, TERRA, cdm_text, screened_on_orbit
from tests.traffic.factories import make_event
from tests.twofactor import log_in

pytestmark = [requires_data, pytest.mark.django_db]
BOARD = "/conjunctions/"


def test_board_lists_open_events_red_first_with_countdowns(client, protected, operations):
    later_red = make_event(protected, tier="red", pc=2e-4, other="1", tca=dt.datetime.now(dt.UTC) + dt.timedelta(days=3))
    sooner_yellow = make_event(protected, tier="yellow", other="2")
    log_in(client, operations)
    page = client.get(BOARD).content.decode()
    assert page.index("DEB 1") < page.index("DEB 2")
    assert page.count('class="countdown"') == 2
    assert later_red.get_absolute_url() in page and sooner_yellow.get_absolute_url() in page


def test_board_and_event_pages_are_for_directors_and_operations(client, protected, passenger):
    event = make_event(protected)
    log_in(client, passenger)
    assert client.get(BOARD).status_code == 403
    assert client.get(event.get_absolute_url()).status_code == 403


def test_board_query_count_is_flat(client, protected, operations):
    log_in(client, operations)

    def add(n):
        for _ in range(n):
            make_event(protected, other=str(70000 + ConjunctionEvent.objects.count()))

    assert_flat_queries(lambda: client.get(BOARD), add, expected=7)


def test_event_page_draws_the_pc_trend_and_the_encounter_plane(client, protected, director):
    event = make_event(protected, tier="red", pc=3e-4)
    log_in(client, director)
    page = client.get(event.get_absolute_url()).content.decode()
    assert page.count('<svg class="pc-trend"') == 1 and page.count("<circle class=\"mark tier-red") == 2
    assert '<svg class="encounter-plane"' in page and 'class="hard-body"' in page and "<ellipse" in page
    assert 'id="decision-needed"' in page and 'id="decision-form"' in page


def test_portal_upload_refuses_a_bad_file_with_its_line_and_imports_a_good_one(client, protected, operations):
    log_in(client, operations)
    bad = cdm_text().replace("MISS_DISTANCE                               = 25 [m]", "MISS_DISTANCE = [m]")
    response = client.post("/conjunctions/upload/", {"cdm_file": SimpleUploadedFile("bad.cdm", bad.encode())},
                           follow=True)
    assert "line 8, MISS_DISTANCE: has no value" in response.content.decode()
    assert ConjunctionEvent.objects.count() == 0
    response = client.post("/conjunctions/upload/", {"cdm_file": SimpleUploadedFile("ok.cdm", cdm_text().encode())})
    event = ConjunctionEvent.objects.get()
    assert response.status_code == 302 and response["Location"] == event.get_absolute_url()
    assert event.updates.get().received_by == operations


def test_the_decision_form_signs_with_the_password(client, protected, director):
    event = make_event(protected, tier="red", pc=3e-4)
    log_in(client, director)
    tca = event.tca
    form = {"kind": "manoeuvre", "reason": "Above red.", "meaning": "I order the burn.", "password": "nope",
            "manoeuvre_at": (tca - dt.timedelta(hours=3)).strftime("%Y-%m-%d %H:%M"), "delta_v_m_s": "0.4"}
    page = client.post(f"{event.get_absolute_url()}decide/", form, follow=True).content.decode()
    assert "password is not correct" in page and ConjunctionDecision.objects.count() == 0
    page = client.post(f"{event.get_absolute_url()}decide/", {**form, "password": PASSWORD}, follow=True).content.decode()
    assert "Decision signed: Debris avoidance manoeuvre" in page
    decision = ConjunctionDecision.objects.get()
    assert decision.delta_v_m_s == 0.4 and decision.signer == director


def test_admin_upload_imports_and_refuses_with_the_line(client, protected, operations):
    from flights.roles import ensure_roles

    ensure_roles()  # Operations' admin permissions (synced after migrate)
    log_in(client, operations)
    url = "/admin/traffic/conjunctionevent/upload-cdm/"
    bad = cdm_text().replace("OBJECT_DESIGNATOR                           = 000026132", "OBJECT_DESIGNATOR =")
    page = client.post(url, {"cdm_file": SimpleUploadedFile("bad.cdm", bad.encode())}).content.decode()
    assert "OBJECT_DESIGNATOR: has no value" in page and ConjunctionUpdate.objects.count() == 0
    response = client.post(url, {"cdm_file": SimpleUploadedFile("ok.cdm", cdm_text().encode())})
    assert response.status_code == 302 and ConjunctionEvent.objects.count() == 1


def test_import_command_is_all_or_nothing(protected, tmp_path):
    bad = tmp_path / "bad.cdm"
    bad.write_text(cdm_text(message_id="CMD-2").replace("TCA                                         =", "TCA = x"))
    with pytest.raises(CommandError, match=r"bad.cdm: The CDM was refused: line 7, TCA") as caught:
        call_command("import_cdm", str(CDM_DIR / TERRA), str(bad))
    assert caught.value.returncode == 2
    assert ConjunctionEvent.objects.count() == 0
    out = io.StringIO()
    call_command("import_cdm", str(CDM_DIR / TERRA), stdout=out)
    assert "new event" in out.getvalue() and ConjunctionEvent.objects.count() == 1


def test_board_shows_the_last_on_orbit_screening_or_its_progress(client, protected, operations):
    log_in(client, operations)
    ScreeningRun.objects.all().delete()
    assert "on-orbit screening has not run yet" in client.get(BOARD).content.decode()
    run = screened_on_orbit(protected, at=dt.datetime(2026, 12, 3, 8, 0, tzinfo=dt.UTC))
    ScreeningRun.objects.filter(pk=run.pk).update(objects_screened=1, approaches_found=2, events_created=1)
    page = client.get(BOARD).content.decode()
    assert ("Last on-orbit screening: 2026-12-03 08:00 UTC, 1 protected object screened 7 days ahead, "
            "2 approaches inside the volume (1 new event).") in " ".join(page.split())
    ScreeningRun.objects.create(status="running", progress_percent=40, stage="Screening ISS (1 of 2)")
    page = client.get(BOARD).content.decode()
    assert "On-orbit screening running:" in page and "40%" in page and "Screening ISS (1 of 2)" in page
    ScreeningRun.objects.filter(status="running").update(
        status="failed", finished_at=dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC), error="The catalog is empty."
    )
    page = client.get(BOARD).content.decode()
    assert "Last on-orbit screening failed" in page and "The catalog is empty." in page


def test_admin_lists_screening_runs_with_progress_and_screens_now(client, protected, operations):
    from flights.roles import ensure_roles

    ensure_roles()
    log_in(client, operations)
    ScreeningRun.objects.create(status="running", progress_percent=40, stage="Screening ISS")
    page = client.get("/admin/traffic/screeningrun/").content.decode()
    assert '<progress max="100" value="40">' in page and "Screen now" in page
    response = client.post("/admin/traffic/screeningrun/screen-now/", follow=True)
    assert "already running (40%)" in response.content.decode()
    ScreeningRun.objects.update(status="done", finished_at=dt.datetime.now(dt.UTC))
    response = client.post("/admin/traffic/screeningrun/screen-now/", follow=True)
    assert "On-orbit screening queued" in response.content.decode()
    assert ScreeningRun.objects.count() == 3
