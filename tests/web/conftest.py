import pytest

from bridge.web.app import create_app
from tests.support.web import Signer


@pytest.fixture
def app(services):
    app = create_app(services=services)
    app.testing = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def signer(base_env, clock):
    return Signer(base_env["BRIDGE_WEBHOOK_SECRET"], clock)


@pytest.fixture
def token_for(services):
    """token_for("dpo") -> a bearer header for a fresh token of that role."""
    made = {}

    def make(role: str) -> dict[str, str]:
        if role not in made:
            made[role] = services.tokens.create(name=f"t-{role}", role=role)
        return {"Authorization": f"Bearer {made[role]}"}

    return make
