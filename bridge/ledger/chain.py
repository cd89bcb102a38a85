"""Canonical encoding, the hash chain and its streaming verification: pure functions.

hash = lowercase hex SHA-256( bytes.fromhex(prev_hash) || canonical JSON of the entry without
"hash" ). Canonical JSON: sorted keys, no whitespace, UTF-8, no floats.

Beside the hashed body, a stored row has two columns that reads select by, `client_id` (the body's
`account_id`) and `event_type`; verify compares both with the body, so an edit of either is a
`hash-mismatch` like an edit of the body. They are found where canonical JSON puts them, without
parsing the body: `account_id` is the first key (it sorts before `actor`); `event_type` is the last
key spelled so (only `actor`, `changes` and `details`, which sort before it, hold objects, and a
string value escapes its quotes), followed by `id`. The other stored columns, `entry_id` and
`recorded_at`, are read by nothing (readers take both from the body). Entries written before bodies
carried `account_id` can be compared on `event_type` only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

ZERO_HASH = "0" * 64


def canonical(obj: Mapping[str, Any]) -> bytes:
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def chain_hash(prev_hash: str, body: bytes) -> str:
    return hashlib.sha256(bytes.fromhex(prev_hash) + body).hexdigest()


def seal_entry(entry: Mapping[str, Any], *, seq: int, prev_hash: str) -> tuple[bytes, str]:
    """The stored body (entry + seq + prev_hash) and its hash."""
    body = canonical({**entry, "seq": seq, "prev_hash": prev_hash})
    return body, chain_hash(prev_hash, body)


class ChainRow(NamedTuple):
    seq: int
    prev_hash: str
    hash: str
    body: bytes


class StoredRow(NamedTuple):
    """A row as verify reads it, the last two as UTF-8 bytes: `client_id` as the body spells it
    (digits or `null`) and `event_type`."""

    seq: int
    prev_hash: str
    hash: str
    body: bytes
    client_id: bytes
    event_type: bytes


_EVENT_TYPE = b',"event_type":"'
_ID = b'","id":"'
_ACCOUNT = b'{"account_id":'


@dataclass
class VerifyResult:
    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None = None
    reason: str | None = None
    checked_anchors: list[int] = field(default_factory=list)

    def line(self) -> str:
        if self.ok:
            return f"ok {self.entries} {self.head_hash}"
        return f"FAIL seq={self.first_bad_seq} {self.reason}"


def _fail(result: VerifyResult, seq: int, reason: str, *, verified: int) -> VerifyResult:
    result.ok, result.first_bad_seq, result.reason, result.entries = False, seq, reason, verified
    return result


def verify_pages(
    pages: Iterable[Sequence[StoredRow | tuple]],
    *,
    checkpoints: Mapping[int, str] | None = None,
) -> VerifyResult:
    """Recompute the chain in constant memory (one page of rows at a time); stop at the first bad
    seq. A row whose body or any column was edited is a `hash-mismatch`.

    `checkpoints` maps seq -> hash recorded elsewhere (anchors, `--against`): a mismatch is
    `anchor-mismatch`; a checkpoint beyond the last row means the ledger was `truncated`.
    """
    marks = dict(checkpoints or {})
    result = VerifyResult(ok=True, entries=0, head_seq=0, head_hash=ZERO_HASH)
    expected_seq, prev = 1, ZERO_HASH
    prev_bytes, sha256 = bytes(32), hashlib.sha256
    for page in pages:
        for seq, row_prev, row_hash, body, client_id, event_type in page:
            if seq != expected_seq:
                return _fail(result, expected_seq, "seq-gap", verified=expected_seq - 1)
            if row_prev != prev:
                return _fail(result, seq, "prev-hash-mismatch", verified=expected_seq - 1)
            digest = sha256(prev_bytes)
            digest.update(body)
            prev_bytes = digest.digest()
            # the columns where the (now hash-checked) body has them; inline: this runs per row
            if prev_bytes.hex() != row_hash or not (
                (body.startswith(_ACCOUNT + client_id + b",") or not body.startswith(_ACCOUNT))
                and body.startswith(event_type + _ID, body.rfind(_EVENT_TYPE) + 15)
            ):
                return _fail(result, seq, "hash-mismatch", verified=expected_seq - 1)
            if marks and seq in marks:
                if marks.pop(seq) != row_hash:
                    return _fail(result, seq, "anchor-mismatch", verified=expected_seq - 1)
                result.checked_anchors.append(seq)
            prev, expected_seq = row_hash, seq + 1
    result.entries = result.head_seq = expected_seq - 1
    result.head_hash = prev
    if marks:
        return _fail(result, expected_seq, "truncated", verified=expected_seq - 1)
    return result
