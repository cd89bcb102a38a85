"""Ledger reads out. Keys are declared in the order the stored canonical entry has them (sorted,
`hash` last), so dumping an entry through these schemas changes nothing on the wire."""

from __future__ import annotations

from marshmallow import Schema, fields

from bridge.schemas.common import stamp

PERSONAL = "the value for dpo; \"[redacted]\" below dpo; \"[shredded]\" after a purge"


class ActorOutSchema(Schema):
    id = fields.String(required=True, allow_none=True)
    ip = fields.Raw(required=True, allow_none=True, metadata={"description": PERSONAL})
    masquerading = fields.Boolean(required=True)
    type = fields.String(required=True)
    user_id = fields.Integer(required=True, allow_none=True)


class ChangeOutSchema(Schema):
    category = fields.String(required=True)
    field = fields.String(required=True)
    new = fields.Raw(required=True, allow_none=True, metadata={"description": PERSONAL})
    old = fields.Raw(required=True, allow_none=True, metadata={"description": PERSONAL})


class SubjectOutSchema(Schema):
    id = fields.String(required=True)
    type = fields.String(required=True)


class LedgerEntryOutSchema(Schema):
    actor = fields.Nested(ActorOutSchema, required=True)
    changes = fields.List(fields.Nested(ChangeOutSchema), required=True)
    details = fields.Dict(keys=fields.String(), values=fields.Raw(), required=True, metadata={
        "description": "what the event type needs besides changes; free text as " + PERSONAL})
    event_type = fields.String(required=True)
    id = fields.String(required=True, metadata={"format": "uuid"})
    occurred_at = stamp(required=True)
    policy_version = fields.String(required=True, allow_none=True)
    prev_hash = fields.String(required=True)
    recorded_at = stamp(required=True)
    seq = fields.Integer(required=True)
    subject = fields.Nested(SubjectOutSchema, required=True)
    hash = fields.String(required=True)


class LedgerPageOutSchema(Schema):
    entries = fields.List(fields.Nested(LedgerEntryOutSchema), required=True)
    next_after = fields.Integer(required=True, allow_none=True)


class HeadOutSchema(Schema):
    seq = fields.Integer(required=True)
    hash = fields.String(required=True)


class LedgerVerifyOutSchema(Schema):
    ok = fields.Boolean(required=True)
    entries = fields.Integer(required=True)
    head = fields.Nested(HeadOutSchema, required=True)
    first_bad_seq = fields.Integer(allow_none=True, metadata={"description": "only when not ok"})
    reason = fields.String(allow_none=True, metadata={"description": "only when not ok"})


class AnchorOutSchema(Schema):
    seq = fields.Integer(required=True)
    hash = fields.String(required=True)
    anchored_at = fields.String(required=True, metadata={"description": "RFC 3339 UTC"})
    whmcs = fields.Boolean(allow_none=True, metadata={"description": "also in WHMCS's activity log; null: unknown"})


class LastVerifyOutSchema(Schema):
    ok = fields.Boolean(required=True)
    entries = fields.Integer(required=True)
    head = fields.String(required=True, metadata={"description": "the head hash verified"})
    first_bad_seq = fields.Integer(allow_none=True)
    reason = fields.String(allow_none=True)
    at = fields.String(required=True, metadata={"description": "RFC 3339 UTC"})


class LedgerStatusOutSchema(Schema):
    head = fields.Nested(HeadOutSchema, required=True)
    anchors = fields.List(fields.Nested(AnchorOutSchema), required=True, metadata={"description": "newest first, 20"})
    last_verify = fields.Nested(LastVerifyOutSchema, allow_none=True, required=True)
