import pytest

from tests.support.web import make_services


@pytest.fixture
def services(base_env, clock):
    services = make_services(base_env, clock)
    yield services
    services.dispose()
