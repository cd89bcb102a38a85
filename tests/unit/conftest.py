import copy
import json
from pathlib import Path

import pytest

HOOK_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hooks"


@pytest.fixture(scope="session")
def _hook_fixture_cache():
    return {path.stem: json.loads(path.read_text()) for path in HOOK_FIXTURES.glob("*.json")}


@pytest.fixture
def hook_data(_hook_fixture_cache):
    """hook_data("ClientEdit") -> a fresh, freely mutable copy of that fixture envelope."""

    def load(event):
        return copy.deepcopy(_hook_fixture_cache[event])

    return load

