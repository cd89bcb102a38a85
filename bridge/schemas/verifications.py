"""The pending queue out: customers blocked and waiting for an identity check."""

from __future__ import annotations

from marshmallow import Schema, fields


class PendingItemOutSchema(Schema):
    client_id = fields.Integer(required=True)
    requested_at = fields.DateTime(required=True)
    # `fields` is also the marshmallow module's name, hence the attribute spelled apart
    fields_ = fields.List(fields.String(), required=True, data_key="fields", attribute="fields")
    actor = fields.Dict(keys=fields.String(), values=fields.Raw(), required=True)


class PendingQueueOutSchema(Schema):
    items = fields.List(fields.Nested(PendingItemOutSchema), required=True)
