import pytest

from bridge.demo.world import running_world


@pytest.fixture
def world(db_url, clock):
    with running_world(db_url, clock) as world:
        yield world


@pytest.fixture
def tokens(world):
    return {role: world.services.tokens.create(name=f"e2e-{role}", role=role) for role in ("auditor", "agent", "dpo")}
