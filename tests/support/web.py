"""Building the real app over a test database, and signed hook requests."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

from bridge.services import build_services
from bridge.settings import load_settings
from bridge.signing import signed_headers


class Signer:
    """Builds signed hook requests the way the PHP hook does, at the app clock's time."""

    def __init__(self, secret_setting: str, clock) -> None:  # noqa: ANN001
        self.secret = base64.b64decode(secret_setting.split("whsec_", 1)[1])
        self.clock = clock

    def headers(self, body: bytes, *, webhook_id: str | None = None, timestamp: int | None = None) -> dict[str, str]:
        stamp = int(self.clock.now().timestamp()) if timestamp is None else timestamp
        return {**signed_headers(self.secret, msg_id=webhook_id or f"msg_{uuid.uuid4().hex}", timestamp=stamp,
                                 body=body), "Content-Type": "application/json"}

    def request(self, payload: Any, **kwargs) -> tuple[bytes, dict[str, str]]:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        return body, self.headers(body, **kwargs)


def make_services(env: dict[str, str], clock):  # noqa: ANN001, ANN201
    return build_services(load_settings(environ=env), clock=clock)
