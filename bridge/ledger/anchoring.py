"""Anchoring the head outside the ledger's own tables, and recording key rotation."""

from __future__ import annotations

import uuid
from typing import Any

from bridge.jobs.worker import whmcs_failures
from bridge.ledger.entries import SYSTEM, Actor, EntryDraft, EventType
from bridge.ledger.keyring import Rotation
from bridge.ledger.service import Ledger

SYSTEM_ACTOR = Actor(type="system", id="bridge")
ANCHOR_JOB = "ledger_anchor"


def anchor_description(seq: int, digest: str) -> str:
    return f"privacy-ledger head seq={seq} hash={digest}"


def anchor_head(ledger: Ledger, *, whmcs: Any = None) -> tuple[int, str, bool]:
    """Record the current head in the anchors table, log it in WHMCS when a client is given, and
    append `ledger.anchored`. Returns (seq, hash, logged_in_whmcs)."""
    seq, digest = ledger.head()
    logged = False
    if whmcs is not None:
        whmcs.log_activity(description=anchor_description(seq, digest), change_id=str(uuid.uuid4()))
        logged = True
    with ledger.unit():
        ledger.anchor(in_whmcs=logged)
        ledger.append([EntryDraft(
            event_type=EventType.LEDGER_ANCHORED, occurred_at=ledger.clock.now(), subject=SYSTEM,
            actor=SYSTEM_ACTOR, details={"seq": seq, "hash": digest, "whmcs": logged},
        )])
    return seq, digest, logged


def anchor_job(ledger: Ledger, whmcs: Any):  # noqa: ANN201 - the daily anchor's job handler
    def handler(_job: Any) -> None:
        with whmcs_failures():
            anchor_head(ledger, whmcs=whmcs)

    return handler


def record_rotation(ledger: Ledger, rotation: Rotation) -> None:
    """`key.rotated`: the key ids (public fingerprints) and counts, never key material."""
    ledger.append([EntryDraft(
        event_type=EventType.KEY_ROTATED, occurred_at=ledger.clock.now(), subject=SYSTEM,
        actor=SYSTEM_ACTOR, details={"rewrapped": rotation.rewrapped, "master_kid": rotation.master_kid,
                                     "retired": dict(rotation.retired)},
    )])
