"""Disclosure outputs: third-party disclosures (dpo) and the billing summary (verified only)."""

from __future__ import annotations

from marshmallow import Schema, fields

from bridge.schemas.common import stamp


class RecordedDisclosureOutSchema(Schema):
    seq = fields.Integer(required=True)
    client_id = fields.Integer(required=True)
    recipient = fields.String(required=True)
    ground = fields.String(required=True)
    reference = fields.String(required=True)
    categories = fields.List(fields.String(), required=True)


class ThirdPartyDisclosureOutSchema(Schema):
    seq = fields.Integer(required=True)
    recorded_at = stamp(required=True)
    recipient = fields.Raw(required=True, metadata={"description": "\"[shredded]\" after a purge"})
    ground = fields.String(required=True)
    reference = fields.Raw(required=True, metadata={"description": "\"[shredded]\" after a purge"})
    categories = fields.List(fields.String(), required=True)
    recorded_by = fields.String(required=True, allow_none=True)


class ThirdPartyDisclosureListOutSchema(Schema):
    items = fields.List(fields.Nested(ThirdPartyDisclosureOutSchema), required=True)


class PayMethodOutSchema(Schema):
    type = fields.String(required=True)
    last_four = fields.String(required=True, allow_none=True)
    description = fields.String(required=True)


class OpenInvoiceOutSchema(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True)
    total = fields.String(required=True, metadata={"description": "WHMCS's decimal text"})
    due = fields.String(required=True, allow_none=True, metadata={"format": "date"})


class BillingSummaryOutSchema(Schema):
    client_id = fields.Integer(required=True)
    name = fields.String(required=True)
    address = fields.Dict(keys=fields.String(), values=fields.String(allow_none=True), required=True)
    tax_id = fields.String(required=True, allow_none=True)
    pay_methods = fields.List(fields.Nested(PayMethodOutSchema), required=True)
    open_invoices = fields.List(fields.Nested(OpenInvoiceOutSchema), required=True)
