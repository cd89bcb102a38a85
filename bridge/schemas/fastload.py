"""FastLoad: `schema.load` for the hook envelopes, without marshmallow's per-field bookkeeping.

Every hook request loads an envelope whose `vars` carry dozens of WHMCS fields; marshmallow's
schema loop (getters, error stores, per-field closures) cost more than the bridge's own work on
the event. FastLoad walks the same declared fields and calls the same field objects and the same
hooks (pre_load, validates_schema, post_load, in marshmallow's order), so the schemas stay the one
definition of what is valid. It only takes the happy path: at the first error of any kind it hands
the original data to `schema.load`, which then produces marshmallow's own error document. Schemas
using features it does not replay (unknown=RAISE, pass_original, collection hooks) always go
through `schema.load`. A property test checks that both give the same result on any input.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import EXCLUDE, INCLUDE, Schema, ValidationError, fields, missing
from marshmallow.validate import Validator


class _Fallback(Exception):
    """Leave the fast path: marshmallow decides (and words any error)."""


_SUPPORTED_HOOKS = {"pre_load", "post_load", "validates_schema"}
# what a field whose key is absent does, decided once per field: nothing, or Field.deserialize;
# anything else is the field's load_default (called when callable), as Field.deserialize gives it
_SKIP, _DESERIALIZE = object(), object()


class FastLoad:
    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.supported = True
        hooks = getattr(schema, "_hooks", None)
        if (not isinstance(hooks, Mapping) or schema.unknown not in (INCLUDE, EXCLUDE) or schema.many
                or schema.partial):
            self.supported = False
            return
        for tag, entries in hooks.items():
            if not entries:
                continue
            if tag not in _SUPPORTED_HOOKS or any(many or kw.get("pass_original") for _n, many, kw in entries):
                self.supported = False
                return
        self._pre = [getattr(schema, name) for name, _many, _kw in hooks.get("pre_load", ())]
        self._checks = [getattr(schema, name) for name, _many, _kw in hooks.get("validates_schema", ())]
        self._post = [getattr(schema, name) for name, _many, _kw in hooks.get("post_load", ())]
        self._keep_unknown = schema.unknown == INCLUDE
        self._kw = {"many": False, "partial": schema.partial, "unknown": schema.unknown}
        self._fields: list[tuple[str, str, fields.Field, FastLoad | None, Any, Any]] = []
        for name, field in schema.load_fields.items():
            nested, convert = None, _plain_convert(field)
            if isinstance(field, fields.Nested):
                if field.many or field.validators or not isinstance(field.schema, Schema):
                    self.supported = False
                    return
                nested = FastLoad(field.schema)
                if not nested.supported:
                    self.supported = False
                    return
            absent = _DESERIALIZE
            if convert is not None and not field.required:
                absent = _SKIP if field.load_default is missing else field.load_default
            self._fields.append((name, field.data_key or name, field, nested, convert, absent))
        self._declared = frozenset(entry[1] for entry in self._fields)

    def load(self, data: Any) -> Any:
        """What `self.schema.load(data)` returns; raises its ValidationError on invalid data."""
        if self.supported:
            try:
                return self._fast(data)
            except _Fallback:
                pass
        return self.schema.load(data)

    def _fast(self, data: Any) -> Any:
        try:
            for hook in self._pre:
                data = hook(data, **self._kw)
            if not isinstance(data, Mapping):
                raise _Fallback
            out: dict[str, Any] = {}
            get = data.get
            for name, key, field, nested, convert, absent in self._fields:
                value = get(key, missing)
                if value is missing:
                    if absent is _SKIP:
                        continue
                    if absent is not _DESERIALIZE:
                        out[name] = absent() if callable(absent) else absent
                        continue
                elif value is not None:
                    if convert is not None:  # the common case, inlined: a present, non-null loose value
                        out[name] = convert(value)
                        continue
                    if nested is not None:
                        out[name] = nested._fast(value)
                        continue
                loaded = field.deserialize(value, key, data)
                if loaded is not missing:
                    out[name] = loaded
            if self._keep_unknown:
                for key, value in data.items():
                    if key not in self._declared:
                        out[key] = value
            for check in self._checks:
                check(out, **self._kw)
            for hook in self._post:
                out = hook(out, **self._kw)
            return out
        except (ValidationError, ValueError):  # marshmallow loads it again: same error, its wording
            raise _Fallback from None


def _plain_convert(field: fields.Field) -> Any:
    """What loading a present, non-null value means for this field, as one call: its
    `fast_convert(value)` and then its validators, for a field that offers one and keeps
    Field.deserialize (or overrides it only for null, saying so with `only_null_differs`)."""
    convert = getattr(field, "fast_convert", None)
    plain = type(field).deserialize is fields.Field.deserialize or getattr(field, "only_null_differs", False)
    if convert is None or not plain:
        return None
    validators = tuple(field.validators)
    if not validators:
        return convert
    if not all(isinstance(v, Validator) for v in validators):
        return None  # a plain function may signal failure by returning False: marshmallow's job

    def convert_and_check(value: Any) -> Any:  # Field._validate: each Validator raises on failure
        out = convert(value)
        for validator in validators:
            validator(out)
        return out

    return convert_and_check


__all__ = ["FastLoad"]
