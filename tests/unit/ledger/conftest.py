import pytest

from tests.support.ledger import Tamper, make_ledger


@pytest.fixture
def ledger(engine, clock):
    return make_ledger(engine, clock)


@pytest.fixture
def tamper(engine):
    return Tamper(engine)
