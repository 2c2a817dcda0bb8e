"""The public read API of the fleet and schedule, and the one error shape."""

import pytest
from django.urls import reverse

from tests.flights.factories import FlightFactory, scheduled_flight
from tests.querycounts import assert_flat_queries

pytestmark = pytest.mark.django_db


def test_flight_list_shows_scheduled_flights_only(client):
    flight = scheduled_flight(code="NS-41")
    FlightFactory(code="NS-DRAFT")
    body = client.get("/api/v1/flights/").json()
    assert body["count"] == 1
    item = body["results"][0]
    assert item["code"] == "NS-41" and item["status"] == "scheduled"
    assert item["vehicle"] == flight.vehicle.serial and item["seats_total"] == 6
    assert item["launch_at"].endswith("Z")


def test_flight_list_query_count_is_flat(client):
    assert_flat_queries(lambda: client.get("/api/v1/flights/"), lambda n: [scheduled_flight() for _ in range(n)], expected=2)


def test_unknown_flight_gets_the_error_shape(client):
    response = client.get("/api/v1/flights/999999/")
    assert response.status_code == 404
    body = response.json()
    assert set(body) == {"code", "detail", "fields"}
    assert (body["code"], body["fields"]) == ("not_found", {})
    assert body["detail"] == "Not found."


def test_schema_is_served(client):
    response = client.get(reverse("schema"))
    assert response.status_code == 200
    assert b"/api/v1/flights/" in response.content
