"""Standard Webhooks signatures, verified over the raw request bytes.

`verify` folds every way a request can be wrong (missing or malformed headers, stale or future
timestamp, no matching signature) into one exception type, whose `reason` is for logs and metrics
only and is never sent back to the caller. Comparisons are constant-time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping, Sequence

MAX_SIGNATURE_HEADER = 4096
MAX_ID_LENGTH = 256


class SignatureInvalid(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _mac(secret: bytes, msg_id: str, timestamp: str, body: bytes) -> bytes:
    signed = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    return hmac.new(secret, signed, hashlib.sha256).digest()


def sign(secret: bytes, *, msg_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header value for one secret."""
    return "v1," + base64.b64encode(_mac(secret, msg_id, str(timestamp), body)).decode()


def signed_headers(secret: bytes, *, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, msg_id=msg_id, timestamp=timestamp, body=body),
    }


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if not value:
        raise SignatureInvalid("missing-header")
    return value


def _timestamp(raw: str, *, now: int, tolerance_s: int) -> None:
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        raise SignatureInvalid("bad-timestamp")
    stamp = int(raw)
    if stamp < now - tolerance_s:
        raise SignatureInvalid("stale")
    if stamp > now + tolerance_s:
        raise SignatureInvalid("future")


def _offered(raw: str) -> list[bytes]:
    if len(raw) > MAX_SIGNATURE_HEADER:
        raise SignatureInvalid("malformed-signature")
    found = []
    for part in raw.split(" "):
        version, _, encoded = part.partition(",")
        if version != "v1" or not encoded:
            continue
        try:
            found.append(base64.b64decode(encoded, validate=True))
        except ValueError:
            continue
    if not found:
        raise SignatureInvalid("malformed-signature")
    return found


def verify(
    *,
    secrets: Sequence[bytes],
    headers: Mapping[str, str],
    body: bytes,
    now: int,
    tolerance_s: int,
) -> str:
    """Return the verified `webhook-id`, or raise SignatureInvalid. Any secret may match."""
    msg_id = _header(headers, "webhook-id")
    raw_ts = _header(headers, "webhook-timestamp")
    raw_sig = _header(headers, "webhook-signature")
    if len(msg_id) > MAX_ID_LENGTH or not msg_id.isprintable() or not msg_id.isascii():
        raise SignatureInvalid("bad-id")
    _timestamp(raw_ts, now=now, tolerance_s=tolerance_s)
    offered = _offered(raw_sig)
    matched = False
    for secret in secrets:
        expected = _mac(secret, msg_id, raw_ts, body)
        for candidate in offered:
            # no early exit: every pair is compared, so timing says nothing about which matched
            matched |= hmac.compare_digest(expected, candidate)
    if not matched:
        raise SignatureInvalid("no-match")
    return msg_id
