"""A customer's privacy summary, the subject-access export, and the consent answer."""

from __future__ import annotations

from marshmallow import Schema, fields

from bridge.schemas.common import stamp
from bridge.schemas.disclosures import ThirdPartyDisclosureOutSchema
from bridge.schemas.ledger import HeadOutSchema, LedgerEntryOutSchema
from bridge.schemas.retention_out import RetentionStatusOutSchema


class ShownVerificationOutSchema(Schema):
    document_type = fields.String(required=True)
    issuing_country = fields.String(required=True)
    recorded_at = stamp(required=True)
    expires_at = stamp(required=True)
    recorded_by = fields.String(required=True)
    user_id = fields.Integer(required=True, allow_none=True)


class PendingRequestOutSchema(Schema):
    fields_ = fields.List(fields.String(), required=True, data_key="fields", attribute="fields")
    requested_at = stamp(required=True)


class VerificationStateOutSchema(Schema):
    status = fields.String(required=True, metadata={"enum": ["verified", "unverified", "revoked", "expired"]})
    current = fields.Nested(ShownVerificationOutSchema, required=True, allow_none=True,
                            metadata={"description": "the current verification, else the latest one"})
    pending = fields.Nested(PendingRequestOutSchema, required=True, allow_none=True)


class ConsentStateOutSchema(Schema):
    marketing = fields.Boolean(required=True, allow_none=True, metadata={"description": "null: not known yet"})


class CountsOutSchema(Schema):
    ledger_entries = fields.Integer(required=True)


class JobOutSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    status = fields.String(required=True)
    attempts = fields.Integer(required=True)
    last_error = fields.String(required=True, allow_none=True)
    run_after = stamp(required=True)


class PrivacySummaryOutSchema(Schema):
    client_id = fields.Integer(required=True)
    verification = fields.Nested(VerificationStateOutSchema, required=True)
    retention = fields.Nested(RetentionStatusOutSchema, required=True, allow_none=True)
    consent = fields.Nested(ConsentStateOutSchema, required=True)
    counts = fields.Nested(CountsOutSchema, required=True)
    jobs = fields.List(fields.Nested(JobOutSchema), required=True)


class ExportOutSchema(Schema):
    client_id = fields.Integer(required=True)
    generated_at = stamp(required=True)
    head = fields.Nested(HeadOutSchema, required=True)
    known_values = fields.Dict(keys=fields.String(), values=fields.Dict(keys=fields.String(), values=fields.Raw()),
                               required=True, metadata={"description": "last known values per subject"})
    verification = fields.Nested(VerificationStateOutSchema, required=True)
    consent = fields.Nested(ConsentStateOutSchema, required=True)
    retention = fields.Nested(RetentionStatusOutSchema, required=True, allow_none=True)
    third_party_disclosures = fields.List(fields.Nested(ThirdPartyDisclosureOutSchema), required=True)
    entries = fields.List(fields.Nested(LedgerEntryOutSchema), required=True)


class ConsentOutSchema(Schema):
    client_id = fields.Integer(required=True)
    marketing = fields.Boolean(required=True)
    seq = fields.Integer(required=True)
