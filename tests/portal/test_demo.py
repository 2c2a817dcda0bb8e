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


def test_the_demo_conjunction_board_shows_a_red_undecided_event_and_the_homes_count_it(client, demo):
    from flights.readiness import flight_findings

    log_in(client, demo["director"])
    home = client.get(reverse("portal:director-home")).content.decode()
    section = home.split('id="conjunctions"')[1].split("</section>")[0]
    assert "1 red</span> and" in section and "1 yellow</span> open" in section
    assert "1 waiting for the flight director's decision" in section
    board = client.get(reverse("traffic:board")).content.decode()
    red_row = board.split('<tr class="tier-red">')[1].split("</tr>")[0]
    assert "FENGYUN 1C DEB (DEMO)" in red_row and "AX-8" in red_row and "<strong>needed</strong>" in red_row
    # The flight in orbit is NO-GO for its return until the director decides on the red event.
    traffic = [f for f in flight_findings(Flight.objects.get(code="AX-8")) if f.position == "traffic"]
    assert any(f.verdict == "no_go" and "FENGYUN 1C DEB (DEMO)" in f.message for f in traffic)
