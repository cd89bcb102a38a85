"""The hook payload fixtures (real envelopes with the reference's documented vars)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hooks"
EVENTS = ("ClientAdd", "ClientEdit", "ClientClose", "PreDeleteClient", "ClientDelete", "ClientChangePassword",
          "UserAdd", "UserEdit", "UserChangePassword", "UserLogin", "ContactAdd", "ContactEdit", "ContactDelete",
          "CCUpdate", "AfterClientMerge", "DailyCronJob")


def hook(name: str, **overrides: Any) -> dict[str, Any]:
    data = json.loads((FIXTURES / f"{name}.json").read_text())
    data = copy.deepcopy(data)
    data.update(overrides)
    return data
