"""RecordFilter through the API and the sign-off queue page, VehicleFilter through the certification API
and page, and the record rows' FilterSets through the API. Bad values: a 400 with the field named, or a
form error on the page, never a 500; query counts stay flat with filters applied.
"""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from flights.models import Vehicle
from tests.flights.factories import SpaceportFactory, VehicleFactory, VehicleModelFactory
from tests.querycounts import assert_flat_queries
from tests.twofactor import log_in
from tests.verification.factories import planned_record, record_in_review, sign

pytestmark = pytest.mark.django_db
V = "/api/v1/verification"


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def rows(response, key="id") -> set:
    assert response.status_code == 200, response.content
    return {row[key] for row in response.json()["results"]}


def assert_bad_filter(response, field: str):
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"code", "detail", "fields"} and body["code"] == "invalid" and field in body["fields"]


@pytest.fixture
def fleet(operations):
    """An uncrewed record in review on NS-RSS1, a crewed one in review and a planned one on VSS-UNITY."""
    shepard = VehicleFactory(serial="NS-RSS1", name="RSS First Step")
    unity = VehicleFactory(serial="VSS-UNITY", name="VSS Unity")
    return {
        "shepard": record_in_review(by=operations, vehicle=shepard, anomalies=[dict(severity="minor", title="Camera")]),
        "unity_crewed": record_in_review(by=operations, vehicle=unity, crewed=True),
        "unity_planned": planned_record(vehicle=unity, objectives=("pass", "fail")),
    }


def test_api_records_filter_by_vehicle_kind_and_status(director, fleet):
    client = api(director)
    shepard, crewed, planned = (fleet[key].pk for key in ("shepard", "unity_crewed", "unity_planned"))
    assert rows(client.get(f"{V}/records/", {"vehicle": "VSS-UNITY"})) == {crewed, planned}
    assert rows(client.get(f"{V}/records/", {"kind": "crewed"})) == {crewed}
    assert rows(client.get(f"{V}/records/", {"status": "in_review", "vehicle": "VSS-UNITY"})) == {crewed}
    assert rows(client.get(f"{V}/records/", {"vehicle__serial": "NS-RSS1"})) == {shepard}  # the first name, kept
    assert_bad_filter(client.get(f"{V}/records/", {"vehicle": "NS-99"}), "vehicle")
    assert_bad_filter(client.get(f"{V}/records/", {"kind": "robotic"}), "kind")
    assert_bad_filter(client.get(f"{V}/records/", {"status": "approved"}), "status")


def test_api_record_rows_filter(director, operations, fleet):
    client = api(director)
    planned = fleet["unity_planned"]
    assert {row["result"] for row in client.get(f"{V}/objectives/", {"record": planned.pk, "result": "fail"}).json()["results"]} == {"fail"}
    assert rows(client.get(f"{V}/anomalies/", {"severity": "minor"}), "title") == {"Camera"}
    assert rows(client.get(f"{V}/attachments/", {"kind": "photo"})) == set()
    sign(fleet["shepard"], director)
    assert rows(client.get(f"{V}/signoffs/", {"signer": director.username, "decision": "approve"}), "record") == {
        fleet["shepard"].pk
    }
    assert rows(client.get(f"{V}/signoffs/", {"signer__username": "nobody"})) == set()
    assert_bad_filter(client.get(f"{V}/objectives/", {"result": "great"}), "result")
    assert_bad_filter(client.get(f"{V}/anomalies/", {"record": 99999}), "record")
    assert_bad_filter(client.get(f"{V}/attachments/", {"kind": "video"}), "kind")
    assert_bad_filter(client.get(f"{V}/signoffs/", {"decision": "maybe"}), "decision")


def test_api_record_list_with_filters_is_flat(director, operations):
    vehicle = VehicleFactory(serial="NS-RSS1")

    def add(n):
        for _ in range(n):
            record_in_review(by=operations, vehicle=vehicle)

    client = api(director)
    # The vehicle looked up to validate the filter, then as without filters: the same for 1 record or 50.
    assert_flat_queries(lambda: client.get(f"{V}/records/", {"vehicle": "NS-RSS1", "kind": "uncrewed"}), add,
                        expected=10)


def test_queue_page_filters_through_the_same_filterset(client, director, fleet):
    log_in(client, director)
    url = reverse("verification:queue")
    page = client.get(url).content.decode()
    assert '<select name="vehicle"' in page and '<select name="kind"' in page
    assert fleet["shepard"].flight.code in page and fleet["unity_crewed"].flight.code in page
    page = client.get(url, {"vehicle": "VSS-UNITY"}).content.decode()
    assert fleet["unity_crewed"].flight.code in page and fleet["shepard"].flight.code not in page
    page = client.get(url, {"kind": "uncrewed"}).content.decode()
    assert fleet["shepard"].flight.code in page and fleet["unity_crewed"].flight.code not in page


def test_queue_page_shows_a_bad_filter_as_a_form_error(client, director, fleet):
    log_in(client, director)
    response = client.get(reverse("verification:queue"), {"kind": "robotic", "status": "approved"})
    page = response.content.decode()
    assert response.status_code == 200 and 'class="errorlist"' in page
    assert "Kind: Select a valid choice. robotic is not one of the available choices." in page
    assert "Status: Select a valid choice. approved is not one of the available choices." in page  # not shown, still said
    assert fleet["shepard"].flight.code in page  # the queue, unfiltered


def test_queue_page_with_filters_is_flat(client, director, operations):
    vehicle = VehicleFactory(serial="NS-RSS1")

    def add(n):
        for _ in range(n):
            sign(record_in_review(by=operations, vehicle=vehicle, crewed=True), director)  # one of two: still queued

    log_in(client, director)
    sign(record_in_review(by=operations, vehicle=vehicle), director)  # sign-off #1 needs no chain look-up
    # As without filters (12), plus the vehicle looked up to validate the filter.
    assert_flat_queries(lambda: client.get(reverse("verification:queue"), {"vehicle": "NS-RSS1", "kind": "crewed"}),
                        add, expected=14)


@pytest.fixture
def vehicles():
    wtx, spa = SpaceportFactory(code="wtx"), SpaceportFactory(code="spa")
    shepard = VehicleModelFactory(name="New Shepard")
    active = VehicleFactory(serial="NS-RSS1", name="RSS First Step", model=shepard, home_spaceport=wtx)
    grounded = VehicleFactory(serial="NS-RSS2", name="RSS Kármán Line", model=shepard, home_spaceport=wtx)
    Vehicle.objects.filter(pk=grounded.pk).update(status=Vehicle.Status.GROUNDED, status_reason="Mishap on NS-RSS2-V3")
    unity = VehicleFactory(serial="VSS-UNITY", name="VSS Unity", home_spaceport=spa)
    return {"active": active, "grounded": grounded, "unity": unity, "model": shepard}


def test_api_certifications_filter_with_the_vehicle_filter(director, vehicles):
    client = api(director)
    assert rows(client.get(f"{V}/certifications/", {"status": "grounded"}), "serial") == {"NS-RSS2"}
    assert rows(client.get(f"{V}/certifications/", {"model": vehicles["model"].pk}), "serial") == {"NS-RSS1", "NS-RSS2"}
    assert rows(client.get(f"{V}/certifications/", {"spaceport": "spa"}), "serial") == {"VSS-UNITY"}
    assert_bad_filter(client.get(f"{V}/certifications/", {"spaceport": "moon"}), "spaceport")


def test_certification_page_filters_with_the_vehicle_filter(client, director, vehicles):
    log_in(client, director)
    url = reverse("verification:vehicle-list")
    page = client.get(url).content.decode()
    assert '<select name="status"' in page and '<select name="model"' in page and '<select name="spaceport"' in page
    page = client.get(url, {"spaceport": "wtx", "status": "grounded"}).content.decode()
    assert "RSS Kármán Line" in page and "RSS First Step" not in page and "VSS Unity" not in page
    response = client.get(url, {"status": "flying"})
    assert response.status_code == 200 and "Status: Select a valid choice." in response.content.decode()


def test_certification_page_with_filters_is_flat(client, director, operations):
    model, wtx = VehicleModelFactory(), SpaceportFactory(code="wtx")

    def add(n):
        for _ in range(n):
            sign(record_in_review(by=operations, vehicle=VehicleFactory(model=model, home_spaceport=wtx)), director)

    log_in(client, director)
    sign(record_in_review(by=operations, vehicle=VehicleFactory(model=model, home_spaceport=wtx)), director)  # sign-off #1
    # As without filters (14), plus the model and the spaceport looked up to validate the filter.
    assert_flat_queries(lambda: client.get(reverse("verification:vehicle-list"), {"model": model.pk, "spaceport": "wtx"}),
                        add, expected=17)
