"""From a verified, parsed WHMCS hook envelope to ledger entry drafts.

Pure domain code: no Flask, no database, no HTTP, no marshmallow (that lives in bridge.schemas).
"""

from bridge.ingest.envelope import HookEnvelope, WhmcsInfo
from bridge.ingest.fields import FieldPolicy
from bridge.ingest.handlers import UnhandledEvent, drafts_for
from bridge.vocabulary import HANDLED_EVENTS, PANEL_EVENTS, VALIDATE_EVENTS

__all__ = [
    "HANDLED_EVENTS",
    "PANEL_EVENTS",
    "VALIDATE_EVENTS",
    "FieldPolicy",
    "HookEnvelope",
    "UnhandledEvent",
    "WhmcsInfo",
    "drafts_for",
]
