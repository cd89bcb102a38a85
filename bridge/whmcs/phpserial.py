"""PHP's `serialize` format for the values the WHMCS API takes serialized (SendEmail `customvars`,
UpdateClient `customfields`: base64 of a serialized array), and the reverse for the emulator.

Covers str, int, bool, None, list and dict (keys str or int), as PHP writes them: string lengths
count UTF-8 bytes, a list is an array with keys 0..n-1, a dict key that is a decimal integer
string becomes an integer key (PHP arrays do that to such keys).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from typing import Any

_INT_KEY = re.compile(r"^(0|-?[1-9][0-9]*)$")


class UnserializeError(ValueError):
    """The bytes are not a serialized value of the supported kinds."""


def serialize(value: Any) -> bytes:
    if value is None:
        return b"N;"
    if isinstance(value, bool):
        return b"b:1;" if value else b"b:0;"
    if isinstance(value, int):
        return b"i:%d;" % value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return b's:%d:"%s";' % (len(raw), raw)
    if isinstance(value, Mapping):
        return _array(value.items())
    if isinstance(value, list | tuple):
        return _array(enumerate(value))
    raise TypeError(f"cannot serialize a {type(value).__name__} for PHP")


def _array(items: Any) -> bytes:
    pairs = [(_key(key), item) for key, item in items]
    body = b"".join(serialize(key) + serialize(item) for key, item in pairs)
    return b"a:%d:{%s}" % (len(pairs), body)


def _key(key: object) -> int | str:
    if isinstance(key, bool) or not isinstance(key, int | str):
        raise TypeError("PHP array keys are strings or integers")
    if isinstance(key, str) and _INT_KEY.match(key):
        return int(key)
    return key


def encode_array(values: Mapping[str, Any]) -> str:
    """base64 of the serialized array: the form WHMCS documents for `customvars`."""
    return base64.b64encode(serialize(dict(values))).decode("ascii")


def decode_array(text: str) -> dict[Any, Any]:
    """The reverse of `encode_array`; raises UnserializeError for anything but an array."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise UnserializeError("not base64") from None
    value = unserialize(raw)
    if not isinstance(value, dict):
        raise UnserializeError("not an array")
    return value


def unserialize(raw: bytes) -> Any:
    value, end = _read(raw, 0)
    if end != len(raw):
        raise UnserializeError("trailing bytes")
    return value


def _read(raw: bytes, at: int) -> tuple[Any, int]:
    kind = raw[at:at + 2]
    if kind == b"N;":
        return None, at + 2
    if kind in (b"b:", b"i:"):
        end = _find(raw, b";", at)
        number = _number(raw[at + 2:end])
        return (bool(number) if kind == b"b:" else number), end + 1
    if kind == b"s:":
        return _string(raw, at)
    if kind == b"a:":
        return _read_array(raw, at)
    raise UnserializeError("unsupported value")


def _string(raw: bytes, at: int) -> tuple[str, int]:
    colon = _find(raw, b":", at + 2)
    length = _number(raw[at + 2:colon])
    start, end = colon + 2, colon + 2 + length
    if raw[colon + 1:start] != b'"' or raw[end:end + 2] != b'";':
        raise UnserializeError("bad string")
    try:
        return raw[start:end].decode("utf-8"), end + 2
    except UnicodeDecodeError:
        raise UnserializeError("string is not UTF-8") from None


def _read_array(raw: bytes, at: int) -> tuple[dict[Any, Any], int]:
    colon = _find(raw, b":", at + 2)
    count = _number(raw[at + 2:colon])
    if raw[colon + 1:colon + 2] != b"{":
        raise UnserializeError("bad array")
    result: dict[Any, Any] = {}
    position = colon + 2
    for _ in range(count):
        key, position = _read(raw, position)
        if not isinstance(key, int | str) or isinstance(key, bool):
            raise UnserializeError("bad array key")
        result[key], position = _read(raw, position)
    if raw[position:position + 1] != b"}":
        raise UnserializeError("bad array end")
    return result, position + 1


def _find(raw: bytes, token: bytes, at: int) -> int:
    found = raw.find(token, at)
    if found < 0:
        raise UnserializeError("truncated")
    return found


def _number(text: bytes) -> int:
    try:
        return int(text)
    except ValueError:
        raise UnserializeError("bad number") from None
