"""WHMCS's loose values made plain: the one place that knows how PHP spells ids, flags and times.

Pure functions. Each raises `Unreadable` with a short generic reason ("boolean", "range" ...),
never the value itself, so a caller can turn it into an error message without leaking data.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import UTC, datetime
from typing import Any

MAX_INT = 2**63 - 1  # ids end up in BIGINT columns
_TRUE = frozenset({"1", "true", "on", "yes"})
_FALSE = frozenset({"", "0", "false", "off", "no"})
_DIGITS = re.compile(r"[0-9]+")
# Event times outside these years are garbage, and near datetime's limits they overflow the UTC
# conversion and the retention arithmetic (and years below 1000 would not render as RFC 3339).
_YEARS = range(1970, 9000)
_RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?"
    r"(?P<zone>[Zz]|[+-][0-9]{2}:[0-9]{2})?"
)


class Unreadable(ValueError):
    """A value that cannot be normalised. `reason` is a fixed word, never the value."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def to_bool(raw: Any) -> bool:
    """true/false, 1/0 and the strings PHP forms use ("1", "on", "yes", "" ...)."""
    if raw is None:
        return False
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        word = raw.strip().lower()
        if word in _TRUE or word in _FALSE:
            return word in _TRUE
    raise Unreadable("boolean")


def to_int(raw: Any, *, minimum: int = 0) -> int | None:
    """An int or a string of ASCII digits, within [minimum, 2**63-1]; "" and None become None."""
    if raw is None:
        return None
    if isinstance(raw, str):
        text = raw.strip()
        if not text:
            return None
        if not _DIGITS.fullmatch(text):
            raise Unreadable("integer")
        if len(text) > 19:  # checked before int() so a megabyte of digits costs nothing
            raise Unreadable("range")
        raw = int(text)
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise Unreadable("integer")
    if not minimum <= raw <= MAX_INT:
        raise Unreadable("range")
    return raw


def to_text(raw: Any) -> str | None:
    """A trimmed string; ints (PHP sends postcodes and phone numbers as numbers) become text."""
    if raw is None:
        return None
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw)
    raise Unreadable("string")


def to_last_four(raw: Any) -> str | None:
    """At most the last four digits. Whatever the hook sent, no more of a card number survives."""
    text = to_text(raw)
    digits = "".join(_DIGITS.findall(text or ""))
    return digits[-4:] or None


def to_ip(raw: Any) -> str | None:
    """A valid IPv4 or IPv6 address in its canonical form; "" (cron, CLI) becomes None."""
    text = to_text(raw)
    if not text:
        return None
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise Unreadable("ip") from None


def to_mapping(raw: Any) -> dict[str, Any]:
    """A JSON object. PHP encodes an empty array as `[]`, so an empty list is an empty object."""
    if isinstance(raw, dict):
        return raw
    if raw == []:
        return {}
    raise Unreadable("mapping")


def to_utc(raw: Any) -> datetime:
    """An RFC 3339 timestamp with a zone, as an aware UTC datetime."""
    match = _RFC3339.fullmatch(raw.strip()) if isinstance(raw, str) else None
    if match is None:
        raise Unreadable("timestamp")
    if match.group("zone") is None:
        raise Unreadable("naive")
    try:
        parsed = datetime.fromisoformat(match.group(0).upper().replace("Z", "+00:00"))
    except ValueError:  # shaped right but impossible, e.g. month 13
        raise Unreadable("timestamp") from None
    if parsed.year not in _YEARS:
        raise Unreadable("timestamp")
    return parsed.astimezone(UTC)
