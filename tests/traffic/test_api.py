"""The conjunctions API: raw-text CDM import, events, updates, decisions, export; who may; flat lists."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from flights.orbits.conjunction.cdm import parse_cdm
from flights.traffic.models import ConjunctionDecision, ConjunctionEvent, ConjunctionUpdate
from tests.conftest import PASSWORD
from tests.orbits.data import requires_data
from tests.querycounts import assert_flat_queries
from tests.traffic.conftest import RED_HBR, cdm_text
from tests.traffic.factories import make_event

pytestmark = [requires_data, pytest.mark.django_db]
CDMS = "/api/v1/conjunctions/cdms/"
EVENTS = "/api/v1/conjunctions/events/"


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def post_cdm(client, text, **params):
    query = "?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""
    return client.post(CDMS + query, data=text.encode(), content_type="text/plain")


def test_a_raw_text_cdm_makes_an_event_then_an_update(protected, operations):
    client = api(operations)
    response = post_cdm(client, cdm_text(message_id="API-1"))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["created"] is True
    assert body["event"]["tier"] == "red" and body["event"]["decision_needed"] is True
    assert body["event"]["pc"] == pytest.approx(1.213e-3, rel=0.01)
    assert body["update"]["stated_pc"] == 1.213e-3
    again = post_cdm(client, cdm_text(message_id="API-2"), hbr_m="3")
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["event"]["tier"] == "yellow"
    updates = client.get(f"{EVENTS}{body['event']['id']}/updates/").json()["results"]
    assert [u["message_id"] for u in updates] == ["API-1", "API-2"]


def test_a_malformed_cdm_gets_400_with_its_line_and_field(protected, operations):
    text = cdm_text().replace("MISS_DISTANCE                               = 25 [m]", "MISS_DISTANCE = 25 [km]")
    response = post_cdm(api(operations), text)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "cdm_invalid"
    assert body["fields"]["field"] == ["MISS_DISTANCE"] and body["fields"]["line"] == ["8"]
    assert "line 8, MISS_DISTANCE: unit [km]" in body["detail"]
    assert ConjunctionEvent.objects.count() == 0


def test_json_and_duplicates_are_refused(protected, operations):
    client = api(operations)
    assert client.post(CDMS, {"cdm": "x"}, format="json").status_code == 415
    assert post_cdm(client, cdm_text(message_id="DUP")).status_code == 201
    duplicate = post_cdm(client, cdm_text(message_id="DUP"))
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "cdm_duplicate"
    assert post_cdm(client, cdm_text(), hbr_m="wide").status_code == 400


def test_only_directors_and_operations_may(protected, passenger, surgeon):
    assert api().get(EVENTS).status_code in (401, 403)
    for user in (passenger, surgeon):
        assert api(user).get(EVENTS).status_code == 403
        assert post_cdm(api(user), cdm_text()).status_code == 403


def test_the_director_signs_a_decision_with_the_password(protected, director, operations):
    event_id = post_cdm(api(operations), cdm_text(message_id="S-1")).json()["event"]["id"]
    url = f"{EVENTS}{event_id}/decisions/"
    now = dt.datetime.now(dt.UTC)
    # The real TERRA TCA is in 2022: move the event ahead so a decision may still be made.
    ConjunctionEvent.objects.filter(pk=event_id).update(tca=now + dt.timedelta(days=1))
    payload = {"kind": "shelter", "reason": "Late data; no burn possible.", "meaning": "I order shelter.",
               "password": "wrong", "shelter_at": (now + dt.timedelta(hours=20)).isoformat()}
    refused = api(director).post(url, payload, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "signature_refused"
    assert api(operations).post(url, {**payload, "password": PASSWORD}, format="json").status_code == 403
    signed = api(director).post(url, {**payload, "password": PASSWORD}, format="json")
    assert signed.status_code == 201, signed.json()
    assert signed.json()["kind"] == "shelter" and signed.json()["signer_name"] == "Dana Tester"
    assert "password" not in signed.json()
    event = api(operations).get(f"{EVENTS}{event_id}/").json()
    assert event["decision_needed"] is False and event["current_decision"] == signed.json()["id"]
    assert ConjunctionDecision.objects.count() == 1


def test_export_is_a_standard_cdm_and_close_needs_the_tca_passed(protected, operations):
    event_id = post_cdm(api(operations), cdm_text(message_id="X-1"), hbr_m=str(RED_HBR)).json()["event"]["id"]
    response = api(operations).get(f"{EVENTS}{event_id}/cdm/")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    assert parse_cdm(response.content.decode()).originator == "SPACELINE"
    closed = api(operations).post(f"{EVENTS}{event_id}/close/", {"outcome": "Passed at 25 m."}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"  # TERRA's TCA was in 2022


def test_no_delete_or_put(protected, operations):
    event = make_event(protected)
    assert api(operations).delete(f"{EVENTS}{event.pk}/").status_code == 405
    assert api(operations).put(f"{EVENTS}{event.pk}/", {}, format="json").status_code == 405


@pytest.mark.parametrize("suffix", ["", "{id}/updates/", "{id}/decisions/"])
def test_lists_are_query_count_flat(protected, operations, director, suffix):
    first = make_event(protected, other="50000")
    ConjunctionDecision.objects.create(
        event=first, update=first.updates.first(), tier="yellow", kind="monitor", reason="r", signer=director,
        signer_name="Dana", signed_at=dt.datetime.now(dt.UTC), meaning="m",
    )

    def add(n):
        for index in range(n):
            if suffix == "{id}/updates/":
                update = first.updates.first()
                update.pk, update.message_id = None, f"more-{ConjunctionUpdate.objects.count()}"
                update.save()
                continue
            event = make_event(protected, other=str(60000 + ConjunctionEvent.objects.count() + index))
            ConjunctionDecision.objects.create(
                event=first if suffix else event, update=first.updates.first(), tier="yellow", kind="monitor",
                reason="r", signer=director, signer_name="Dana", signed_at=dt.datetime.now(dt.UTC), meaning="m",
            )

    client = api(operations)
    url = EVENTS + suffix.format(id=first.pk)
    assert_flat_queries(lambda: client.get(url), add, expected={"": 5, "{id}/updates/": 6, "{id}/decisions/": 6}[suffix])
