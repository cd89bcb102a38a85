"""Signed hook traffic as the PHP hook file sends it, for the demo (and benchmarks)."""

from __future__ import annotations

import itertools
import json
import uuid
from datetime import datetime
from typing import Any

from bridge.clock import rfc3339
from bridge.signing import signed_headers

WHMCS_INFO = {"version": "8.13.1", "system_url": "https://billing.example.com/"}
_outbox_ids = itertools.count(1)


def envelope(event: str, vars_: dict[str, Any], *, actor: dict[str, Any], at: datetime,
             outbox: bool = True) -> dict[str, Any]:
    body = {"event": event, "occurred_at": rfc3339(at), "whmcs": WHMCS_INFO, "actor": actor, "vars": vars_}
    if outbox:
        body["outbox_id"] = next(_outbox_ids)
    return body


def signed(body: dict[str, Any], *, secret: bytes, timestamp: int,
           webhook_id: str | None = None) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body, separators=(",", ":")).encode()
    msg_id = webhook_id or f"msg_{uuid.uuid4().hex}"
    return raw, {**signed_headers(secret, msg_id=msg_id, timestamp=timestamp, body=raw),
                 "Content-Type": "application/json"}
