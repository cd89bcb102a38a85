"""Fixtures for the WHMCS client and emulator unit tests: a client on a real Session whose HTTP is
answered by `responses`, with backoff sleeps recorded instead of slept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import responses

from bridge.clock import FixedClock
from bridge.whmcs.emulator.state import LOOPBACK, EmulatorState
from bridge.whmcs.http import HttpWhmcsClient
from bridge.whmcs.retry import RetryPolicy
from bridge.whmcs.session import build_session

API_URL = "https://whmcs.example.test/includes/api.php"
IDENTIFIER = "bridge-identifier"
SECRET = "bridge-secret-value"
T0 = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)


@pytest.fixture
def mocked():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def make_client(sleeps):
    sessions = []

    def make(**overrides) -> HttpWhmcsClient:
        """Overrides named like a RetryPolicy field (attempts=1) change the policy."""
        session = build_session()
        sessions.append(session)
        numbers = {k: overrides.pop(k) for k in list(overrides) if k in RetryPolicy.__dataclass_fields__}
        options = dict(
            session=session, url=API_URL, identifier=IDENTIFIER, secret=SECRET,
            sleep=sleeps.append, random=lambda: 1.0, policy=RetryPolicy(**{"backoff": 0.5, **numbers}),
        )
        options.update(overrides)
        return HttpWhmcsClient(**options)

    yield make
    for session in sessions:
        session.close()


@pytest.fixture
def whmcs(make_client) -> HttpWhmcsClient:
    return make_client()


@pytest.fixture
def emulator_clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def state(emulator_clock) -> EmulatorState:
    state = EmulatorState(clock=emulator_clock, allowed_ips=LOOPBACK)
    state.add_credential(IDENTIFIER, SECRET)
    return state


@pytest.fixture
def call(state):
    """Call the emulator's state directly (no HTTP): call("GetClients", limitnum="2")."""

    def do(action: str, **params: object):
        form = {"action": action, "identifier": IDENTIFIER, "secret": SECRET,
                "responsetype": "json"}
        form.update({k: str(v) for k, v in params.items()})
        return state.handle(form)

    return do
