"""Canonical encoding, the hash chain and its streaming verification: pure functions.

hash = lowercase hex SHA-256( bytes.fromhex(prev_hash) || canonical JSON of the entry without
"hash" ). Canonical JSON: sorted keys, no whitespace, UTF-8, no floats.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
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


def _fail(result: VerifyResult, seq: int, reason: str) -> VerifyResult:
    result.ok, result.first_bad_seq, result.reason = False, seq, reason
    return result


def verify_rows(
    rows: Iterable[ChainRow | tuple[int, str, str, bytes]],
    *,
    checkpoints: Mapping[int, str] | None = None,
) -> VerifyResult:
    """Recompute the chain in constant memory; stop at the first bad seq.

    `checkpoints` maps seq -> hash recorded elsewhere (anchors, `--against`): a mismatch is
    `anchor-mismatch`; a checkpoint beyond the last row means the ledger was `truncated`.
    """
    marks = dict(checkpoints or {})
    result = VerifyResult(ok=True, entries=0, head_seq=0, head_hash=ZERO_HASH)
    expected_seq, prev = 1, ZERO_HASH
    prev_bytes, sha256 = bytes(32), hashlib.sha256
    for row in rows:
        seq, row_prev, row_hash, body = row
        if seq != expected_seq:
            return _fail(result, expected_seq, "seq-gap")
        if row_prev != prev:
            return _fail(result, seq, "prev-hash-mismatch")
        digest = sha256(prev_bytes)
        digest.update(body)
        computed = digest.hexdigest()
        if computed != row_hash:
            return _fail(result, seq, "hash-mismatch")
        if marks and seq in marks:
            if marks.pop(seq) != row_hash:
                return _fail(result, seq, "anchor-mismatch")
            result.checked_anchors.append(seq)
        prev, prev_bytes, expected_seq = row_hash, digest.digest(), seq + 1
        result.entries += 1
    result.head_seq, result.head_hash = expected_seq - 1, prev
    if marks:
        return _fail(result, expected_seq, "truncated")
    return result
