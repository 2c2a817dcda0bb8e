import pytest


@pytest.fixture(autouse=True)
def _flights_rules_only(flights_rules_only):
    """Unit tests of the flights app test its own rules; the guards other apps register (a commercial
    flight needs a certified vehicle, ...) are tested in those apps' tests, demo included."""
