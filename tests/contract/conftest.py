"""The conformance suite's fixtures: the emulator, seeded with the demo data, served over real HTTP
on a free port, and the real HttpWhmcsClient pointed at it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests

from bridge.clock import FixedClock
from bridge.whmcs.emulator.seed import DEMO_IDENTIFIER, DEMO_SECRET, seed_demo
from bridge.whmcs.emulator.server import api_url, running_emulator
from bridge.whmcs.emulator.state import LOOPBACK, EmulatorState
from bridge.whmcs.http import HttpWhmcsClient
from bridge.whmcs.retry import RetryPolicy
from bridge.whmcs.session import build_session

T0 = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)


@pytest.fixture
def hook_events() -> list[tuple]:
    return []


@pytest.fixture
def seeded(hook_events) -> tuple[EmulatorState, dict[str, int]]:
    state = EmulatorState(clock=FixedClock(T0), hook_sink=lambda *e: hook_events.append(e),
                          allowed_ips=LOOPBACK)
    return state, seed_demo(state)


@pytest.fixture
def emulator(seeded) -> EmulatorState:
    return seeded[0]


@pytest.fixture
def ids(seeded) -> dict[str, int]:
    """Demo client ids by role: active, inactive, closed_paid, closed_collections, overdue,
    closed_cancelled_unpaid."""
    return seeded[1]


@pytest.fixture
def emulator_url(emulator):
    with running_emulator(emulator) as base:
        yield api_url(base)


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def connect(emulator_url, sleeps):
    """connect(**overrides) -> HttpWhmcsClient on a real Session against the emulator."""
    sessions = []

    def make(**overrides) -> HttpWhmcsClient:
        """Overrides named like a RetryPolicy field (read_timeout=0.2) change the policy."""
        session = build_session()
        sessions.append(session)
        numbers = {"backoff": 0.01, "connect_timeout": 2.0, "read_timeout": 2.0}
        numbers.update({k: overrides.pop(k) for k in list(overrides) if k in RetryPolicy.__dataclass_fields__})
        options = dict(session=session, url=emulator_url, identifier=DEMO_IDENTIFIER,
                       secret=DEMO_SECRET, page_size=2, sleep=sleeps.append, policy=RetryPolicy(**numbers))
        options.update(overrides)
        return HttpWhmcsClient(**options)

    yield make
    for session in sessions:
        session.close()


@pytest.fixture
def whmcs(connect) -> HttpWhmcsClient:
    return connect()


@pytest.fixture
def raw(emulator_url):
    """raw(action, **params) -> (HTTP status, decoded JSON) straight from the emulator."""
    with requests.Session() as session:

        def post(action: str, **params: object):
            form = {"action": action, "identifier": DEMO_IDENTIFIER, "secret": DEMO_SECRET,
                    "responsetype": "json", **{k: str(v) for k, v in params.items()}}
            response = session.post(emulator_url, data=form, timeout=5)
            return response.status_code, response.json()

        yield post
