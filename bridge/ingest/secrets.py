"""Which `vars` keys are secrets, and removing them at any depth.

WHMCS hands hooks plain passwords, 2FA data, security answers and card numbers. The PHP hook
forwards only an allow-list, but the bridge drops these keys again whatever arrives, so a
misconfigured or older hook still cannot put a secret into the ledger or a log line.
"""

from __future__ import annotations

from typing import Any

_EXACT = frozenset({"authdata", "remote_token", "mergefields", "token"})
_PREFIXES = ("password", "securityq", "card")
# Masked card data that may be recorded: the card type and its last four digits.
_ALLOWED = frozenset({"cardtype", "cardlastfour"})
MAX_DEPTH = 32


class TooDeep(ValueError):
    """Nesting beyond MAX_DEPTH: refused rather than walked (no real hook nests that far)."""


def is_secret_key(key: object) -> bool:
    """True for `password*`, `authdata`, `securityq*`, `card*` (but not cardtype/cardlastfour),
    `remote_token`, `mergefields` and `token`, compared case-insensitively."""
    name = str(key).strip().lower()
    if name in _ALLOWED:
        return False
    return name in _EXACT or name.startswith(_PREFIXES)


def drop_secrets(value: Any, *, depth: int = 0) -> Any:
    """A copy of `value` with every secret key removed from every mapping, lists included.

    Raises TooDeep (whose message names no value) past MAX_DEPTH levels."""
    if depth > MAX_DEPTH:
        raise TooDeep("nested too deeply")
    if isinstance(value, dict):
        return {
            key: drop_secrets(item, depth=depth + 1)
            for key, item in value.items()
            if not is_secret_key(key)
        }
    if isinstance(value, list):
        return [drop_secrets(item, depth=depth + 1) for item in value]
    return value
