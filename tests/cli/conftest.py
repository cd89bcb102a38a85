import pytest
from click.testing import CliRunner

from bridge.cli import main


@pytest.fixture
def run(base_env, tmp_path, monkeypatch):
    """Invoke `bridge ...` with the test database and secrets in the environment."""
    monkeypatch.chdir(tmp_path)  # no stray config/bridge.toml is picked up
    for name in list(__import__("os").environ):
        if name.startswith("BRIDGE_") and name not in ("BRIDGE_TEST_POSTGRES_URL",):
            monkeypatch.delenv(name)

    def invoke(*args: str, env: dict | None = None):
        return CliRunner().invoke(main, list(args), env={**base_env, **(env or {})}, catch_exceptions=False)

    return invoke
