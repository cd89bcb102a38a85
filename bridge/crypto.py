"""AES-GCM envelope encryption for personal values.

A master key wraps random per-subject data keys (never derived from the master key, so destroying a
wrapped data key really destroys the data). Each value is sealed with a fresh 96-bit nonce and the
entry id + field name as associated data; each wrapped key is bound to its subject and master-key id.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bridge.errors import BridgeError

NONCE_BYTES = 12


class KeyUnavailable(BridgeError):
    """A data key is shredded or cannot be unwrapped by any configured master key."""

    slug = "key-unavailable"


@dataclass(frozen=True)
class WrappedKey:
    kid: str
    subject: str
    master_kid: str
    wrapped: bytes


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def _wrap_aad(subject: str, master_kid: str) -> bytes:
    return f"bridge-dk|{subject}|{master_kid}".encode()


def wrap_key(data_key: bytes, *, kid: str, subject: str, master_kid: str, master: bytes) -> WrappedKey:
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(master).encrypt(nonce, data_key, _wrap_aad(subject, master_kid))
    return WrappedKey(kid=kid, subject=subject, master_kid=master_kid, wrapped=nonce + sealed)


def unwrap_key(wrapped: WrappedKey, masters: Sequence[tuple[str, bytes]]) -> bytes:
    """Unwrap with the master key whose id the wrapped key names; KeyUnavailable otherwise."""
    for master_kid, master in masters:
        if master_kid != wrapped.master_kid:
            continue
        nonce, sealed = wrapped.wrapped[:NONCE_BYTES], wrapped.wrapped[NONCE_BYTES:]
        try:
            return AESGCM(master).decrypt(nonce, sealed, _wrap_aad(wrapped.subject, master_kid))
        except InvalidTag:
            raise KeyUnavailable("a data key failed authentication") from None
    raise KeyUnavailable("no configured master key wraps this data key")


def _value_aad(entry_id: str, field: str) -> bytes:
    return f"bridge-v|{entry_id}|{field}".encode()


def seal_value(value: Any, *, data_key: bytes, kid: str, entry_id: str, field: str) -> dict[str, str]:
    """{"ct": base64url(nonce + ciphertext + tag), "kid": data key id}, the hashed stored form."""
    plain = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
    nonce = os.urandom(NONCE_BYTES)
    return {"ct": b64url(nonce + AESGCM(data_key).encrypt(nonce, plain, _value_aad(entry_id, field))), "kid": kid}


def open_value(sealed: dict[str, str], *, data_key: bytes, entry_id: str, field: str) -> Any:
    raw = unb64url(sealed["ct"])
    try:
        plain = AESGCM(data_key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _value_aad(entry_id, field))
    except InvalidTag:
        raise KeyUnavailable("a sealed value failed authentication") from None
    return json.loads(plain)


def is_sealed(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"ct", "kid"}
