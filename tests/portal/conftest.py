import pytest


@pytest.fixture(autouse=True)
def _tourism_rules():
    """Portal tests run with the flights and tourism rules (the medical and pre-flight gates included, since
    their modules are tourism's); certification is tested in tests/verification."""
    from tests.conftest import only_rules_of

    with only_rules_of("tourism"):
        yield
