"""The Traffic position in orbit: red NO-GO until a manoeuvre or shelter, yellow waivable by the decision."""

from __future__ import annotations

import datetime as dt

import pytest

from flights.models import Position, Verdict
from flights.readiness import flight_findings
from flights.traffic import services
from tests.orbits.data import requires_data
from tests.traffic.conftest import RED_HBR, TERRA_TCA, YELLOW_HBR, cdm_text
from tests.traffic.test_services import decide

pytestmark = [requires_data, pytest.mark.django_db]
BEFORE = TERRA_TCA - dt.timedelta(hours=6)  # a return milestone six hours before the TCA


def traffic(flight, now=BEFORE):
    return [f for f in flight_findings(flight, now=now) if f.position == Position.TRAFFIC]


def imported(hbr, message_id, now=TERRA_TCA - dt.timedelta(days=1)):
    return services.cdm_import(text=cdm_text(message_id=message_id), hbr_m=hbr, now=now).event


def test_a_flight_in_orbit_without_a_registered_catalog_number_is_no_go(in_orbit):
    [finding] = traffic(in_orbit)
    assert finding.verdict == Verdict.NO_GO and "no catalog number" in finding.message


def test_no_open_event_is_go(protected, in_orbit):
    [finding] = traffic(in_orbit)
    assert finding.verdict == Verdict.GO


def test_red_is_no_go_before_tca_monitor_does_not_clear_it_shelter_does(protected, in_orbit, director, password):
    event = imported(RED_HBR, "R-1")
    [finding] = traffic(in_orbit)
    assert finding.verdict == Verdict.NO_GO and "no decision is recorded" in finding.message
    decide(event, director, password, kind="monitor", now=BEFORE - dt.timedelta(hours=1))
    [finding] = traffic(in_orbit)
    assert finding.verdict == Verdict.NO_GO and "only a monitor decision" in finding.message
    decide(event, director, password, kind="shelter", now=BEFORE - dt.timedelta(minutes=30))
    [finding] = traffic(in_orbit)
    assert finding.verdict == Verdict.GO and "shelter in place" in finding.message


def test_red_is_go_again_after_a_manoeuvre_decision(protected, in_orbit, director, password):
    event = imported(RED_HBR, "R-2")
    decide(event, director, password, kind="manoeuvre", now=BEFORE - dt.timedelta(hours=1))
    assert [f.verdict for f in traffic(in_orbit)] == [Verdict.GO]


def test_red_does_not_hold_a_milestone_after_its_tca(protected, in_orbit):
    imported(RED_HBR, "R-3")
    assert [f.verdict for f in traffic(in_orbit, now=TERRA_TCA + dt.timedelta(minutes=1))] == [Verdict.GO]


def test_yellow_is_waivable_and_the_directors_decision_is_the_waiver(protected, in_orbit, director, password):
    event = imported(YELLOW_HBR, "Y-1")
    [finding] = traffic(in_orbit)
    assert finding.verdict == Verdict.WAIVABLE
    decide(event, director, password, kind="monitor", now=BEFORE - dt.timedelta(hours=1))
    [finding] = traffic(in_orbit)
    assert finding.verdict == Verdict.GO
    assert finding.waived_by == "Dana Tester" and finding.waiver_reason.startswith("Keep monitoring")


def test_a_climb_after_the_decision_asks_again(protected, in_orbit, director, password):
    event = imported(YELLOW_HBR, "Y-2")
    decide(event, director, password, kind="monitor", now=BEFORE - dt.timedelta(hours=3))
    imported(RED_HBR, "Y-3", now=BEFORE - dt.timedelta(hours=2))
    [finding] = traffic(in_orbit)
    assert finding.verdict == Verdict.NO_GO
