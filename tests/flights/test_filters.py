"""The flights app's FilterSets through the API: spaceports, vehicle models, vehicles, itineraries and a
flight's readiness reports. Bad values answer 400 with the error body, never a 500; lists stay flat.

VehicleFilter also serves the certification page: tests/verification/test_filters.py tests it there.
"""

import datetime as dt
import itertools

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from flights.models import ReadinessReport, Vehicle
from tests.flights.factories import (
    FlightFactory,
    ItineraryFactory,
    OrbitalItineraryFactory,
    SpaceportFactory,
    VehicleFactory,
    VehicleModelFactory,
)
from tests.querycounts import assert_flat_queries

pytestmark = pytest.mark.django_db


def codes(response, key="id") -> set:
    assert response.status_code == 200, response.content
    return {row[key] for row in response.json()["results"]}


def assert_bad_filter(response, field: str):
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid" and field in body["fields"] and body["detail"]


def test_spaceports_filter_by_country():
    SpaceportFactory(code="wtx", country="US"), SpaceportFactory(code="jsl", country="CN")
    assert codes(APIClient().get("/api/v1/spaceports/", {"country": "us"}), "code") == {"wtx"}
    assert_bad_filter(APIClient().get("/api/v1/spaceports/", {"country": "USA"}), "country")


def test_vehicle_models_filter_by_regime_and_manufacturer():
    VehicleModelFactory(manufacturer="Blue Origin", name="New Shepard")
    dragon = VehicleModelFactory(manufacturer="SpaceX", name="Crew Dragon", regime="orbital")
    api = APIClient()
    assert codes(api.get("/api/v1/vehicle-models/", {"regime": "orbital"})) == {dragon.pk}
    assert codes(api.get("/api/v1/vehicle-models/", {"manufacturer": "spacex"})) == {dragon.pk}
    assert_bad_filter(api.get("/api/v1/vehicle-models/", {"regime": "lunar"}), "regime")


def test_vehicles_filter_by_status_model_and_spaceport():
    shepard = VehicleFactory(serial="NS-RSS1", home_spaceport=SpaceportFactory(code="wtx"))
    grounded = VehicleFactory(serial="NS-RSS2", model=shepard.model, home_spaceport=shepard.home_spaceport)
    unity = VehicleFactory(serial="VSS-UNITY", home_spaceport=SpaceportFactory(code="spa"))
    Vehicle.objects.filter(pk=grounded.pk).update(status=Vehicle.Status.GROUNDED, status_reason="Mishap on NS-RSS2-V3")
    api = APIClient()
    assert codes(api.get("/api/v1/vehicles/", {"status": "grounded"}), "serial") == {"NS-RSS2"}
    assert codes(api.get("/api/v1/vehicles/", {"model": shepard.model_id}), "serial") == {"NS-RSS1", "NS-RSS2"}
    assert codes(api.get("/api/v1/vehicles/", {"spaceport": "spa"}), "serial") == {unity.serial}
    assert codes(api.get("/api/v1/vehicles/", {"spaceport": "wtx", "status": "active"}), "serial") == {"NS-RSS1"}
    assert_bad_filter(api.get("/api/v1/vehicles/", {"status": "flying"}), "status")
    assert_bad_filter(api.get("/api/v1/vehicles/", {"model": "New Shepard"}), "model")
    assert_bad_filter(api.get("/api/v1/vehicles/", {"spaceport": "moon"}), "spaceport")


def test_vehicle_list_with_filters_is_flat():
    model, spaceport = VehicleModelFactory(), SpaceportFactory(code="wtx")

    def add(n):
        for _ in range(n):
            VehicleFactory(model=model, home_spaceport=spaceport)

    query = {"status": "active", "model": model.pk, "spaceport": "wtx"}
    # The model and spaceport looked up to validate the filter, the count, the page.
    assert_flat_queries(lambda: APIClient().get("/api/v1/vehicles/", query), add, expected=4)


def test_itineraries_filter_by_regime_and_physical_exam():
    hop, stay = ItineraryFactory(), OrbitalItineraryFactory(physical_exam_required=True)
    api = APIClient()
    assert codes(api.get("/api/v1/itineraries/", {"regime": "suborbital"})) == {hop.pk}
    assert codes(api.get("/api/v1/itineraries/", {"physical_exam_required": "true"})) == {stay.pk}
    assert_bad_filter(api.get("/api/v1/itineraries/", {"regime": "lunar"}), "regime")


def test_readiness_reports_filter_by_verdict_and_time(operations):
    flight = FlightFactory()
    now = timezone.now()
    old = ReadinessReport.objects.create(flight=flight, trigger="FRR (L-6 d)", launch_at=flight.launch_at,
                                         created_at=now - dt.timedelta(days=6), all_go=False)
    new = ReadinessReport.objects.create(flight=flight, trigger="LRR (L-2 d)", launch_at=flight.launch_at,
                                         created_at=now - dt.timedelta(days=2), all_go=True)
    api = APIClient()
    api.force_authenticate(operations)
    url = f"/api/v1/flights/{flight.pk}/readiness-reports/"
    assert codes(api.get(url)) == {old.pk, new.pk}
    assert codes(api.get(url, {"all_go": "true"})) == {new.pk}
    assert codes(api.get(url, {"since": (now - dt.timedelta(days=3)).isoformat()})) == {new.pk}
    assert_bad_filter(api.get(url, {"since": "last week"}), "since")
    # The flight's own filters do not leak into its nested lists, nor into the flight itself.
    assert api.get(f"/api/v1/flights/{flight.pk}/readiness/", {"status": "bogus"}).status_code == 200


def test_readiness_reports_with_filters_are_flat(operations):
    flight = FlightFactory()
    hours = itertools.count(1)

    def add(n):
        for _ in range(n):
            ReadinessReport.objects.create(flight=flight, trigger="Countdown", launch_at=flight.launch_at,
                                           created_at=timezone.now() - dt.timedelta(hours=next(hours)), all_go=True)

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=operations).key}")
    url = f"/api/v1/flights/{flight.pk}/readiness-reports/"
    # The token with its user, the flight, the launch-team check (roles), the count, the page.
    assert_flat_queries(lambda: api.get(url, {"all_go": "true"}), add, expected=5)
