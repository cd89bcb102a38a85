"""Input schemas of the retention and hold endpoints. Staff input is strict; text is trimmed."""

from __future__ import annotations

from marshmallow import fields, validate

from bridge.schemas.staff import StrictInSchema


class HoldInSchema(StrictInSchema):
    reason = fields.String(required=True)  # checked by the service: an unknown reason is 422, not 400
    reference = fields.String(required=True, validate=validate.Length(min=1, max=200))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))


class PlanQueryInSchema(StrictInSchema):
    as_of = fields.Date(load_default=None)
    # paging (optional; without `limit`, the whole plan): customers by client id above `after`
    limit = fields.Integer(load_default=None, validate=validate.Range(min=1, max=10_000))
    after = fields.Integer(load_default=0, validate=validate.Range(min=0, max=2**63 - 1))


class RunInSchema(StrictInSchema):
    as_of = fields.Date(load_default=None)
    dry_run = fields.Boolean(load_default=False)
    limit = fields.Integer(load_default=100, strict=True, validate=validate.Range(min=1, max=1000))
