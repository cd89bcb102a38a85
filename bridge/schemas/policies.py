"""Privacy policy versions out."""

from __future__ import annotations

from marshmallow import Schema, fields

from bridge.schemas.common import stamp


class PolicyOutSchema(Schema):
    version = fields.String(required=True)
    published_at = stamp(required=True)
    effective_at = stamp(required=True)
    document_sha256 = fields.String(required=True)
    url = fields.String(required=True, allow_none=True)


class PolicyListOutSchema(Schema):
    items = fields.List(fields.Nested(PolicyOutSchema), required=True)
