"""What the hook, health and metadata endpoints answer."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class HookAcceptedOutSchema(Schema):
    """202: recorded (with the new ledger seqs) or ignored (an event the bridge does not handle)."""

    status = fields.String(required=True, validate=validate.OneOf(("recorded", "ignored")))
    entries = fields.List(fields.Integer())


class HookDuplicateOutSchema(Schema):
    """200: this webhook-id was seen before; nothing was written."""

    status = fields.String(required=True, validate=validate.OneOf(("duplicate",)))


class ValidateOutSchema(Schema):
    allowed = fields.Boolean(required=True)
    errors = fields.List(fields.String(), required=True)
    abort = fields.Boolean(metadata={"description": "EmailPreSend only"})


class PanelOutSchema(Schema):
    html = fields.String(required=True, metadata={"description": "an escaped HTML fragment"})


class HealthOutSchema(Schema):
    status = fields.String(required=True)


class ReadyChecksOutSchema(Schema):
    database = fields.String(required=True)
    whmcs = fields.Dict(keys=fields.String(), values=fields.Raw(), required=True)


class ReadyOutSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(("ready", "unavailable")))
    checks = fields.Nested(ReadyChecksOutSchema, required=True)


class ResidualOrderOutSchema(Schema):
    order_id = fields.String(required=True)
    client_id = fields.Integer(required=True)
    emails = fields.List(fields.String(), required=True,
                         metadata={"description": "the customer's known addresses, read before the purge"})
    strategy = fields.String(required=True, validate=validate.OneOf(("anonymize", "delete")))


class WorkOutSchema(Schema):
    """The open residual-erasure orders, oldest first, at most 50; a cron may be given one again."""

    orders = fields.List(fields.Nested(ResidualOrderOutSchema), required=True)
