"""Retention and hold outputs: the contract's plan and run-report shapes, a customer's retention
status, and a placed hold. Timestamps arrive already rendered (RFC 3339) and are dumped as is."""

from __future__ import annotations

from marshmallow import Schema, fields

from bridge.schemas.common import day, stamp

REFERENCE = "the hold's reference: in clear for dpo, \"[redacted]\" below, \"[shredded]\" after a purge"


class HoldOutSchema(Schema):
    hold_id = fields.String(required=True)
    client_id = fields.Integer(required=True)
    reason = fields.String(required=True)
    auto = fields.Boolean(required=True)
    placed_at = stamp(required=True)
    released_at = stamp(required=True, allow_none=True)


class PlacedHoldOutSchema(HoldOutSchema):
    reference = fields.String(required=True)
    note = fields.String(required=True, allow_none=True)
    placed_by = fields.String(required=True)


class RetentionStatusOutSchema(Schema):
    closed_at = stamp(required=True, allow_none=True)
    purge_due_at = stamp(required=True, allow_none=True)
    status = fields.String(required=True, metadata={"enum": [
        "not_closed", "scheduled", "due", "held", "purging", "reactivated", "purged", "deleted", "deleted_held"]})
    holds = fields.List(fields.Nested(HoldOutSchema), required=True)


class DueOutSchema(Schema):
    client_id = fields.Integer(required=True)
    closed_at = stamp(required=True, allow_none=True)
    purge_due_at = stamp(required=True, allow_none=True)


class HeldOutSchema(Schema):
    client_id = fields.Integer(required=True)
    hold_id = fields.String(required=True, allow_none=True)
    reason = fields.String(required=True)
    reference = fields.Raw(required=True, allow_none=True, metadata={"description": REFERENCE})


class ReactivatedOutSchema(Schema):
    client_id = fields.Integer(required=True)
    reactivated_at = stamp(required=True, allow_none=True)


class ScheduledOutSchema(Schema):
    client_id = fields.Integer(required=True)
    purge_due_at = stamp(required=True, allow_none=True)


class RetentionPlanOutSchema(Schema):
    as_of = day(required=True)
    due = fields.List(fields.Nested(DueOutSchema), required=True)
    held = fields.List(fields.Nested(HeldOutSchema), required=True)
    reactivated = fields.List(fields.Nested(ReactivatedOutSchema), required=True)
    scheduled = fields.List(fields.Nested(ScheduledOutSchema), required=True)
    next_after = fields.Integer(allow_none=True)  # with `limit` only: the next page's `after`, or null


class PurgedOutSchema(Schema):
    client_id = fields.Integer(required=True)
    strategy = fields.String(required=True)


class RunErrorOutSchema(Schema):
    client_id = fields.Integer(required=True)
    detail = fields.String(required=True)


class RetentionRunOutSchema(Schema):
    as_of = day(required=True)
    dry_run = fields.Boolean(required=True)
    purged = fields.List(fields.Nested(PurgedOutSchema), required=True)
    held = fields.List(fields.Nested(HeldOutSchema), required=True)
    errors = fields.List(fields.Nested(RunErrorOutSchema), required=True)
    remaining = fields.Integer(required=True)
