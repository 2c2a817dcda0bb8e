"""CDM import into events and updates, tiers, alerts through the outbox, decisions, closing, export."""

from __future__ import annotations

import datetime as dt

import pytest

from flights.models import Notification
from flights.traffic import services, tiers
from flights.traffic.exceptions import (
    CdmRefused,
    DomainError,
    DuplicateMessage,
    ExportRefused,
    InvalidInput,
    NotAllowed,
)
from flights.traffic.models import ConjunctionDecision, ConjunctionEvent, ConjunctionUpdate
from tests.orbits.data import requires_data
from tests.traffic.conftest import GREEN_HBR, RED_HBR, TERRA_TCA, YELLOW_HBR, cdm_text

pytestmark = [requires_data, pytest.mark.django_db]


def imported(hbr, message_id, now, **kwargs):
    return services.cdm_import(text=cdm_text(message_id=message_id), hbr_m=hbr, now=now, **kwargs)


def test_a_cdm_becomes_an_event_with_its_figures_and_one_update(protected, before_tca, operations):
    result = services.cdm_import(text=cdm_text(), now=before_tca, received_by=operations)
    event = result.event
    assert result.created
    assert event.protected == protected
    assert event.other_designator == "26132" and event.other_name == "CZ-4 DEB"
    assert event.tca == TERRA_TCA
    assert event.miss_distance_m == 25.0
    assert event.relative_speed_m_s == 4489.0
    assert event.hbr_m == 15.0  # the message's COMMENT HBR
    assert event.pc == pytest.approx(1.213e-3, rel=0.01)
    assert event.pc_method == "FOSTER-1992"
    assert event.tier == tiers.RED
    assert event.source == "cdm" and event.covariance == "given"
    # Miss parts in our vehicle's RTN frame: the message states R 24.4, T -2.5, N -1.4 m.
    assert (event.miss_r_m, event.miss_t_m, event.miss_n_m) == pytest.approx((24.4, -2.5, -1.4), abs=1.0)
    update = result.update
    assert update.stated_pc == 1.213e-3 and update.received_by == operations
    assert len(update.plane_miss_m) == 2 and len(update.plane_covariance_m2) == 3


def test_updates_of_the_same_pair_and_tca_keep_their_history(protected, before_tca):
    first = imported(GREEN_HBR, "A-1", before_tca)
    second = imported(YELLOW_HBR, "A-2", before_tca + dt.timedelta(hours=6))
    assert not second.created and second.event.pk == first.event.pk
    assert ConjunctionEvent.objects.count() == 1
    assert list(second.event.updates.values_list("tier", flat=True)) == ["green", "yellow"]
    assert second.event.tier == tiers.YELLOW


def test_a_tca_more_than_the_window_apart_is_another_event(protected, before_tca, settings):
    settings.TRAFFIC_SAME_EVENT_MINUTES = 5
    imported(RED_HBR, "B-1", before_tca)
    text = cdm_text(message_id="B-2").replace("TCA                                         = 2022-02-24T10:03:07.749",
                                              "TCA = 2022-02-24T10:13:07.749")
    assert services.cdm_import(text=text, now=before_tca).created
    assert ConjunctionEvent.objects.count() == 2


def test_the_same_message_twice_is_refused_and_nothing_is_added(protected, before_tca):
    imported(RED_HBR, "C-1", before_tca)
    with pytest.raises(DuplicateMessage, match="already imported"):
        imported(RED_HBR, "C-1", before_tca)
    assert ConjunctionUpdate.objects.count() == 1


def test_a_malformed_cdm_is_refused_with_its_line_and_nothing_is_half_imported(protected, before_tca):
    text = cdm_text().replace("X_DOT                                       = -4.709108856611668337e+00 [km/s]",
                              "X_DOT = fast [km/s]")
    with pytest.raises(CdmRefused, match=r"line \d+, X_DOT: 'fast' is not a number") as caught:
        services.cdm_import(text=text, now=before_tca)
    assert caught.value.fields["field"] == ["X_DOT"]
    assert ConjunctionEvent.objects.count() == 0 and ConjunctionUpdate.objects.count() == 0


def test_a_cdm_for_objects_that_are_not_ours_is_refused(in_orbit, before_tca):
    with pytest.raises(CdmRefused, match="Neither object of the CDM .25994, 26132. is a protected object"):
        services.cdm_import(text=cdm_text(), now=before_tca)


def test_a_red_event_alerts_the_director_and_operations_once_and_a_same_tier_update_does_not(
    protected, before_tca, operations, director
):
    imported(RED_HBR, "D-1", before_tca)
    sent = list(Notification.objects.order_by("recipient"))
    assert [n.recipient for n in sent] == [director.email, operations.email]
    body = sent[0].body
    assert "RED conjunction" in sent[0].subject
    assert "2022-02-24 10:03:07 UTC (48 h 00 min before TCA)" in body
    assert "1.22e-03" in body and "Miss distance: 25 m" in body
    imported(RED_HBR, "D-2", before_tca + dt.timedelta(hours=1))
    assert Notification.objects.count() == 2


def test_green_does_not_alert_then_a_climb_to_yellow_and_red_alerts_each_once(protected, before_tca, director):
    imported(GREEN_HBR, "E-1", before_tca)
    assert Notification.objects.count() == 0
    imported(YELLOW_HBR, "E-2", before_tca + dt.timedelta(hours=1))
    assert list(Notification.objects.values_list("subject", flat=True)) == [
        "YELLOW conjunction: Capsule ORB-1 and CZ-4 DEB"
    ]
    imported(GREEN_HBR, "E-3", before_tca + dt.timedelta(hours=2))
    imported(YELLOW_HBR, "E-4", before_tca + dt.timedelta(hours=3))  # back to yellow: alerted before
    assert Notification.objects.count() == 1
    imported(RED_HBR, "E-5", before_tca + dt.timedelta(hours=4))
    assert Notification.objects.filter(subject__startswith="RED").count() == 1


def test_no_covariance_inside_the_screening_volume_is_yellow_outside_green(protected, before_tca, settings):
    from flights.orbits.conjunction.cdm import COVARIANCE_KEYS

    lines = [line for line in cdm_text(message_id="F-1").splitlines()
             if line.split("=")[0].strip() not in COVARIANCE_KEYS]
    result = services.cdm_import(text="\n".join(lines), now=before_tca)
    assert result.event.pc is None and result.event.covariance == "none"
    assert result.event.tier == tiers.YELLOW  # 25 m miss: inside the pizza box
    settings.TRAFFIC_SCREENING_VOLUME_KM = (0.01, 0.01, 0.01)  # 10 m half-sizes: 24 m radial is outside
    assert tiers.tier_of(pc=None, miss_rtn_m=(24.4, -2.5, -1.4),
                         thresholds=tiers.thresholds_for("Crew capsule")) == tiers.GREEN


def test_thresholds_are_settings_per_vehicle_model(protected, before_tca, settings):
    settings.TRAFFIC_MODEL_THRESHOLDS = {"Crew capsule": {"red_pc": 1e-2, "yellow_pc": 1e-3}}
    assert imported(RED_HBR, "G-1", before_tca).event.tier == tiers.YELLOW


def decide(event, signer, password, kind="shelter", **kwargs):
    values = {"reason": "Covariance is small and stable.", "meaning": "I order this action.", "now": kwargs.pop(
        "now", TERRA_TCA - dt.timedelta(hours=12))}
    if kind == "shelter":
        values["shelter_at"] = TERRA_TCA - dt.timedelta(minutes=30)
    if kind == "manoeuvre":
        values.update(manoeuvre_at=TERRA_TCA - dt.timedelta(hours=2), delta_v_m_s=0.5)
    values.update(kwargs)
    return services.decision_record(event=event, signer=signer, password=password, kind=kind, **values)


def test_a_decision_is_signed_by_the_flights_director_with_the_password(
    protected, before_tca, director, other_director, operations, password
):
    event = imported(RED_HBR, "H-1", before_tca).event
    with pytest.raises(InvalidInput, match="password is not correct"):
        decide(event, director, "wrong")
    with pytest.raises(NotAllowed, match="this flight's director"):
        decide(event, other_director, password)
    with pytest.raises(NotAllowed, match="Only a flight director"):
        decide(event, operations, password)
    with pytest.raises(InvalidInput, match="meaning of your signature"):
        decide(event, director, password, meaning=" ")
    with pytest.raises(InvalidInput, match="delta-v"):
        decide(event, director, password, kind="manoeuvre", delta_v_m_s=0)
    with pytest.raises(InvalidInput, match="before the TCA"):
        decide(event, director, password, shelter_at=TERRA_TCA + dt.timedelta(minutes=1))
    assert ConjunctionDecision.objects.count() == 0
    decision = decide(event, director, password)
    assert decision.signer_name == "Dana Tester" and decision.tier == "red" and decision.meaning == "I order this action."
    assert services.current_decision(event) == decision
    assert not services.decision_needed(event)


def test_an_update_that_changes_the_tier_asks_for_a_new_decision(protected, before_tca, director, password):
    event = imported(YELLOW_HBR, "I-1", before_tca).event
    decide(event, director, password, kind="monitor", now=before_tca + dt.timedelta(minutes=5))
    assert not services.decision_needed(event)
    event = imported(YELLOW_HBR, "I-2", before_tca + dt.timedelta(hours=1)).event  # same tier: still answered
    assert not services.decision_needed(event)
    event = imported(RED_HBR, "I-3", before_tca + dt.timedelta(hours=2)).event
    assert services.decision_needed(event)


def test_a_green_or_closed_event_takes_no_decision(protected, before_tca, director, password, operations):
    event = imported(GREEN_HBR, "J-1", before_tca).event
    with pytest.raises(DomainError, match="green: no decision"):
        decide(event, director, password)
    with pytest.raises(DomainError, match="only after its TCA"):
        services.event_close(event=event, outcome="Passed.", by=operations, now=before_tca)
    with pytest.raises(InvalidInput, match="what happened"):
        services.event_close(event=event, outcome="", by=operations, now=TERRA_TCA + dt.timedelta(hours=1))
    closed = services.event_close(event=event, outcome="Passed at 25 m; no debris reported.", by=operations,
                                  now=TERRA_TCA + dt.timedelta(hours=1))
    assert closed.status == "closed" and closed.outcome.startswith("Passed")
    with pytest.raises(DomainError, match="closed"):
        imported(RED_HBR, "J-2", TERRA_TCA + dt.timedelta(hours=2))


def test_export_writes_a_standard_cdm_with_our_pc_and_refuses_without_covariance(protected, before_tca):
    from flights.orbits.conjunction.cdm import COVARIANCE_KEYS, parse_cdm

    event = imported(YELLOW_HBR, "K-1", before_tca).event
    text = services.event_export_cdm(event=event, now=before_tca)
    again = parse_cdm(text)
    assert again.originator == "SPACELINE" and again.hbr_m == YELLOW_HBR
    assert again.collision_probability == pytest.approx(event.pc)
    assert again.object2.covariance_rtn is not None and again.tca == TERRA_TCA
    lines = [line for line in cdm_text(message_id="K-2").splitlines() if line.split("=")[0].strip() not in COVARIANCE_KEYS]
    text = "\n".join(lines).replace("= 2022-02-24T10:03:07.749", "= 2022-02-25T10:03:07.749")
    bare = services.cdm_import(text=text, now=before_tca).event
    with pytest.raises(ExportRefused, match="no covariance"):
        services.event_export_cdm(event=bare, now=before_tca)


def test_an_approach_still_ahead_of_a_closed_event_opens_a_new_event_rather_than_being_lost(
    protected, before_tca, operations, settings
):
    """Closed at its TCA, then newer data moves the same pair's TCA minutes later: still ahead, so unanswered."""
    settings.TRAFFIC_SAME_EVENT_MINUTES = 5
    first = imported(RED_HBR, "K-1", before_tca).event
    services.event_close(event=first, outcome="Passed, by the data we had.", by=operations, now=TERRA_TCA)
    later = cdm_text(message_id="K-2").replace("TCA                                         = 2022-02-24T10:03:07.749",
                                                "TCA = 2022-02-24T10:06:07.749")
    result = services.cdm_import(text=later, hbr_m=RED_HBR, now=TERRA_TCA + dt.timedelta(seconds=30))
    assert result.created and result.event.pk != first.pk
    assert result.event.status == "open" and result.event.tier == tiers.RED
    assert ConjunctionEvent.objects.get(pk=first.pk).status == "closed"  # its record stays as it was
