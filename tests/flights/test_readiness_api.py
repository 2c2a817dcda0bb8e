"""Launch day over the API: who may read and act, the error shape of refusals, the schema."""

import pytest
from rest_framework.test import APIClient

from flights.models import Position, Verdict, WeatherReport
from tests.flights.conftest import LAUNCH, NOW
from tests.querycounts import assert_flat_queries

pytestmark = [pytest.mark.django_db, pytest.mark.launch_guards]


@pytest.fixture
def api():
    return APIClient()


def test_readiness_is_for_the_launch_team(api, launch_day, passenger, crew_of_positions):
    url = f"/api/v1/flights/{launch_day.pk}/readiness/"
    assert api.get(url).status_code == 401
    api.force_authenticate(passenger)
    response = api.get(url)
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    api.force_authenticate(crew_of_positions[Position.WEATHER])
    findings = api.get(url).json()
    assert {f["position"] for f in findings} >= {"vehicle", "range", "weather", "traffic", "flight_director"}
    assert all(set(f) == {"key", "position", "verdict", "message", "waived_by", "waiver_reason"} for f in findings)


def test_poll_over_the_api(api, launch_day, director, crew_of_positions, operations):
    api.force_authenticate(operations)
    refused = api.post(f"/api/v1/flights/{launch_day.pk}/polls/")
    assert refused.status_code == 403 and "Only the flight director opens" in refused.json()["detail"]
    api.force_authenticate(director)
    opened = api.post(f"/api/v1/flights/{launch_day.pk}/polls/")
    assert opened.status_code == 201, opened.json()
    poll_id = opened.json()["id"]
    assert len(opened.json()["board"]) == len(Position.values)
    again = api.post(f"/api/v1/flights/{launch_day.pk}/polls/")
    assert again.status_code == 409 and again.json()["code"] == "poll_already_open"

    api.force_authenticate(crew_of_positions[Position.RANGE])
    wrong = api.post(f"/api/v1/polls/{poll_id}/votes/", {"position": "weather", "vote": "go"}, format="json")
    assert wrong.status_code == 403 and "does not hold the Weather position" in wrong.json()["detail"]
    bad = api.post(f"/api/v1/polls/{poll_id}/votes/", {"position": "range", "vote": "maybe"}, format="json")
    assert bad.status_code == 400 and "vote" in bad.json()["fields"]
    no_reason = api.post(f"/api/v1/polls/{poll_id}/votes/", {"position": "range", "vote": "no_go"}, format="json")
    assert no_reason.status_code == 400 and "Say why" in no_reason.json()["detail"]
    voted = api.post(f"/api/v1/polls/{poll_id}/votes/", {"position": "range", "vote": "go"}, format="json")
    range_row = next(r for r in voted.json()["board"] if r["position"] == "range")
    assert range_row["vote"] == Verdict.GO

    api.force_authenticate(director)
    refused = api.post(f"/api/v1/polls/{poll_id}/declare/")
    assert refused.status_code == 409 and refused.json()["code"] == "launch_refused"
    assert "Weather: has not answered." in refused.json()["detail"]
    scrub = api.post(f"/api/v1/polls/{poll_id}/scrub/", {"reason": ""}, format="json")
    assert scrub.status_code == 400 and "reason" in scrub.json()["fields"]
    scrub = api.post(f"/api/v1/polls/{poll_id}/scrub/", {"reason": "Range fouled by a boat"}, format="json")
    assert scrub.status_code == 200 and scrub.json()["status"] == "scrubbed"


def test_waiver_over_the_api(api, launch_day, director):
    WeatherReport.objects.create(spaceport=launch_day.spaceport, valid_at=NOW, wind_kt=5, gust_kt=45)
    api.force_authenticate(director)
    not_waivable = api.post(f"/api/v1/flights/{launch_day.pk}/waivers/", {"check_key": "nothing", "reason": "x"}, format="json")
    assert not_waivable.status_code == 409 and not_waivable.json()["code"] == "finding_not_found"


def test_reports_and_windows_lists(api, launch_day, director, django_capture_on_commit_callbacks):
    from flights.readiness import readiness_report_create

    api.force_authenticate(director)
    windows = api.get(f"/api/v1/flights/{launch_day.pk}/launch-windows/").json()
    assert len(windows) == 2 and windows[0]["kind"] == "daylight" and windows[0]["closures"] == []

    def add(n):
        for _ in range(n):
            readiness_report_create(flight=launch_day, trigger="manual", now=NOW)

    assert_flat_queries(lambda: api.get(f"/api/v1/flights/{launch_day.pk}/readiness-reports/"), add, expected=3)


def test_compute_windows_over_the_api(api, launch_day, passenger, operations, crew_of_positions):
    api.force_authenticate(crew_of_positions[Position.WEATHER])
    assert api.post(f"/api/v1/flights/{launch_day.pk}/launch-windows/").status_code == 403
    api.force_authenticate(operations)
    response = api.post(f"/api/v1/flights/{launch_day.pk}/launch-windows/")
    assert response.status_code == 202 and response.json()["status"] == "queued"


def test_schema_describes_launch_day(client):
    schema = client.get("/api/schema/").content.decode()
    for path in ("/api/v1/flights/{id}/readiness/", "/api/v1/flights/{id}/readiness-reports/",
                 "/api/v1/flights/{id}/polls/", "/api/v1/polls/{id}/votes/", "/api/v1/polls/{id}/declare/",
                 "/api/v1/polls/{id}/scrub/", "/api/v1/flights/{id}/waivers/", "/api/v1/flights/{id}/launch-windows/"):
        assert path in schema, path
    assert LAUNCH
