"""`load_demo` shows everything: the orbital flight's windows compute against demo station elements built at
load time, and every role's home has something to do."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from flights.models import Flight, LaunchWindow, TrackedObject, WindowComputation
from tests.twofactor import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo")
    from django.contrib.auth import get_user_model

    return {user.username: user for user in get_user_model().objects.all()}


def test_orbital_demo_windows_compute_against_labelled_demo_station(demo):
    station = TrackedObject.objects.get(norad_id=25544)
    assert "DEMO" in station.name and station.inhabitable
    assert 400 < station.perigee_km < 440
    flight = Flight.objects.get(code="AX-9")
    computation = flight.window_computations.first()
    assert computation.status == WindowComputation.Status.DONE, computation.error
    assert LaunchWindow.objects.filter(flight=flight, kind=LaunchWindow.Kind.PLANAR).exists()


def test_load_demo_again_refreshes_the_demo_station_but_never_a_real_one(demo):
    TrackedObject.objects.filter(norad_id=25544).update(name="ISS (ZARYA)")
    call_command("load_demo")
    assert TrackedObject.objects.get(norad_id=25544).name == "ISS (ZARYA)"


def test_every_role_home_has_something_to_do(client, demo):
    client.force_login(demo["passenger"])
    page = client.get(reverse("portal:passenger-home")).content.decode()
    assert 'class="task-list"' in page and "to do" in page
    for username, url, marker in (
        ("surgeon", "portal:surgeon-home", 'id="surgeon-queue"'),
        ("director", "portal:director-home", "verification/records/"),
        ("ops", "portal:operations-home", 'href="/admin/tourism/booking/'),
    ):
        client.logout()
        log_in(client, demo[username])
        page = client.get(reverse(url)).content.decode()
        assert marker in page, (username, page[page.find("<main"):][:3000])
    assert "Lapses" in page or "lapses" in page
