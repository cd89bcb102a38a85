"""From a verified, parsed WHMCS hook envelope to ledger entry drafts.

Pure domain code: no Flask, no database, no HTTP, no marshmallow (that lives in bridge.schemas).
"""

from bridge.ingest.envelope import HookEnvelope, WhmcsInfo
from bridge.ingest.events import HANDLED_EVENTS, PANEL_EVENTS, VALIDATE_EVENTS
from bridge.ingest.fields import FieldPolicy
from bridge.ingest.handlers import UnhandledEvent, drafts_for

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
