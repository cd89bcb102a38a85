"""Which `vars` keys are secrets, and removing them at any depth.

WHMCS hands hooks plain passwords, 2FA data, security answers and card numbers. The PHP hook
forwards only an allow-list, but the bridge drops these keys again whatever arrives, so a
misconfigured or older hook still cannot put a secret into the ledger or a log line.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from bridge.vocabulary import CARD_FIELDS

_EXACT = frozenset({"authdata", "remote_token", "mergefields", "token"})
_PREFIXES = ("password", "securityq", "card")
# Masked card data that may be recorded: the card type and its last four digits.
_ALLOWED = frozenset(CARD_FIELDS)
MAX_DEPTH = 32
_SCALARS = frozenset({str, int, bool, float, type(None)})  # nothing inside to walk


class TooDeep(ValueError):
    """Nesting beyond MAX_DEPTH: refused rather than walked (no real hook nests that far)."""


def is_secret_key(key: object) -> bool:
    """True for `password*`, `authdata`, `securityq*`, `card*` (but not cardtype/cardlastfour),
    `remote_token`, `mergefields` and `token`, compared case-insensitively."""
    return _is_secret_name(key if isinstance(key, str) else str(key))


@lru_cache(maxsize=4096)
def _is_secret_name(key: str) -> bool:
    """Cached: hooks send the same few hundred key names over and over."""
    name = key.strip().lower()
    if name in _ALLOWED:
        return False
    return name in _EXACT or name.startswith(_PREFIXES)


def drop_secrets(value: Any, *, depth: int = 0) -> Any:
    """A copy of `value` with every secret key removed from every mapping, lists included.

    Raises TooDeep (whose message names no value) past MAX_DEPTH levels: a scalar is not walked
    into, except at the last allowed level, where whatever it holds is one level too deep."""
    if depth > MAX_DEPTH:
        raise TooDeep("nested too deeply")
    shallow = depth < MAX_DEPTH
    if isinstance(value, dict):
        return {  # str keys (JSON's only kind) straight to the cached check: this runs for every key
            key: item if shallow and type(item) in _SCALARS else drop_secrets(item, depth=depth + 1)
            for key, item in value.items()
            if not (_is_secret_name(key) if type(key) is str else is_secret_key(key))
        }
    if isinstance(value, list):
        return [item if shallow and type(item) in _SCALARS else drop_secrets(item, depth=depth + 1) for item in value]
    return value
