"""What a customer looks like to the bridge, read from WHMCS, and how it differs from what the
bridge last knew. Pure functions over the WHMCS client's typed results."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from bridge.ledger.entries import Change
from bridge.verification.policy import normalize
from bridge.vocabulary import BILLING_FIELDS, CONSENT_STATE, PAYMETHODS


def masked_paymethods(methods: Iterable[Any]) -> list[str]:
    """Pay methods as the ledger may hold them: type and a card's last four or a bank account's
    bank name (WHMCS gives bank accounts no last four), never more."""
    return sorted(m.masked for m in methods)


def client_values(details: Any, paymethods: Iterable[Any]) -> dict[str, Any]:
    values: dict[str, Any] = dict(details.fields())
    values["status"] = details.status
    for flag in CONSENT_STATE:
        values[flag] = bool(details.flags.get(flag, False))
    values[PAYMETHODS] = masked_paymethods(paymethods)
    return values


def category(field: str) -> str:
    if field in CONSENT_STATE:
        return "consent"
    if field == "status":
        return "account"
    return "billing" if field in BILLING_FIELDS else "contact"


def _same(field: str, old: Any, new: Any) -> bool:
    if isinstance(old, list) or isinstance(new, list):
        return sorted(old or []) == sorted(new or [])
    if isinstance(old, bool) or isinstance(new, bool):
        return bool(old) == bool(new)
    return normalize(field, old) == normalize(field, new)


def diff(known: Mapping[str, Any] | None, current: Mapping[str, Any]) -> tuple[Change, ...]:
    """Field changes from `known` (None: never seen, every field is new) to `current`."""
    base = known or {}

    def changed(name: str, value: Any) -> bool:
        if known is None:
            return value not in ("", None, [])
        return not _same(name, base.get(name), value)

    return tuple(Change(name, category(name), base.get(name), value)
                 for name, value in sorted(current.items()) if changed(name, value))
