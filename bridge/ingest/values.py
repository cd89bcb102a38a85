"""How two values of one WHMCS field compare: the one rule for the validate check, the diff of an
edit event, a revert and a sync (contract section 10: a change that normalises to the stored
value is not a change anywhere).

Trimmed; "" and None are both "no value"; emails ignore case; phone numbers compare by their
digits; `paymentmethod=none` (the client-area form's "use the default gateway") is the empty
default gateway WHMCS stores.
"""

from __future__ import annotations

from typing import Any

DEFAULT_GATEWAY_WORD = "none"


def normalize(field: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    text = str(value).strip()
    if field == "email":
        return text.casefold()
    if field == "phonenumber":
        return "".join(ch for ch in text if ch.isdigit())
    if field == "paymentmethod" and text.casefold() == DEFAULT_GATEWAY_WORD:
        return ""
    return text


def same(field: str, a: Any, b: Any) -> bool:
    """True when `a` and `b` are the same value of `field` once normalised."""
    return a == b or normalize(field, a) == normalize(field, b)
