"""Small helpers shared by the staff views: loading query/body input through a schema."""

from __future__ import annotations

from flask import g, request
from marshmallow import Schema
from marshmallow import ValidationError as SchemaError

from bridge.errors import NotFound, ValidationFailed
from bridge.ledger.entries import Actor
from bridge.web.body import capped_body

MAX_ID = 2**63 - 1


def load_args(schema: type[Schema]) -> dict:
    return _load(schema(), request.args.to_dict())


def load_json(schema: type[Schema]) -> dict:
    capped_body()  # 413 for a chunked body past the cap, not a silently truncated one
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationFailed("expected a JSON object", errors={"body": ["expected a JSON object"]})
    return _load(schema(), data)


def _load(schema: Schema, data: dict) -> dict:
    try:
        return schema.load(data)
    except SchemaError as exc:
        raise ValidationFailed("invalid input", errors=exc.normalized_messages()) from None


def checked_id(value: int) -> int:
    """Path ids beyond what the database holds are simply not found."""
    if not 0 < value <= MAX_ID:
        raise NotFound("no such client")
    return value


def staff_actor() -> Actor:
    return Actor(type="staff", id=g.staff.name)
