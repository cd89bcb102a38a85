"""The registry: one handler per WHMCS event, turning an envelope into ledger entry drafts.

Handlers are pure: they read the envelope and the field policy, and return drafts. Writing them,
de-duplicating on webhook id and anything that talks to WHMCS happen elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from bridge.ingest import clients, people
from bridge.ingest.clients import Handler
from bridge.ingest.envelope import HookEnvelope
from bridge.ingest.fields import FieldPolicy
from bridge.ledger.entries import EntryDraft
from bridge.vocabulary import HANDLED_EVENTS

# HANDLED_EVENTS and FieldPolicy are re-exported: callers of drafts_for need both.
__all__ = ["HANDLED_EVENTS", "REGISTRY", "FieldPolicy", "UnhandledEvent", "drafts_for"]


class UnhandledEvent(LookupError):
    """drafts_for was given an event outside HANDLED_EVENTS; the caller should have answered
    "ignored" instead. The message is the event name, which is never personal."""


def _daily_cron(envelope: HookEnvelope, fields: FieldPolicy) -> list[EntryDraft]:
    # DailyCronJob only triggers work (anchoring, retention) whose results are entries of their own.
    return []


REGISTRY: Mapping[str, Handler] = MappingProxyType(
    {**clients.HANDLERS, **people.HANDLERS, "DailyCronJob": _daily_cron}
)
if set(REGISTRY) != HANDLED_EVENTS:  # pragma: no cover - a wiring mistake, caught at import
    raise RuntimeError("ingest registry and HANDLED_EVENTS disagree")


def drafts_for(envelope: HookEnvelope, *, fields: FieldPolicy) -> list[EntryDraft]:
    """The drafts one event produces, in append order; [] for an event that writes none.

    Expects an envelope from `load_envelope(kind="event")` (ids present, secrets gone); raises
    UnhandledEvent for an event outside HANDLED_EVENTS."""
    handler = REGISTRY.get(envelope.event)
    if handler is None:
        raise UnhandledEvent(envelope.event)
    return handler(envelope, fields)
