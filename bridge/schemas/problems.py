"""The RFC 9457 problem document every error answers with (rendered by bridge.web.problems)."""

from __future__ import annotations

from marshmallow import Schema, fields


class ProblemOutSchema(Schema):
    type = fields.String(required=True, metadata={"example": "/problems/not-found"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    # per-field messages of a validation problem: a list, or a nested object for list items
    errors = fields.Dict(keys=fields.String(), values=fields.Raw())
