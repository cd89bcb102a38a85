"""Staff API input and output schemas, named by direction. Staff input is strict: unknown fields
are errors. Text is trimmed."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, pre_load, validate

DOCUMENT_TYPES = ("passport", "national_id", "driving_licence", "residence_permit", "other")
CHANNELS = ("phone", "email", "ticket", "chat", "in_person", "post")
CATEGORIES = ("contact", "billing", "consent", "credentials", "usage", "communications")


class StrictInSchema(Schema):
    class Meta:
        unknown = RAISE

    @pre_load
    def _trim(self, data, **kwargs):  # noqa: ANN001, ANN202
        if isinstance(data, dict):
            return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
        return data


class VerificationInSchema(StrictInSchema):
    document_type = fields.String(required=True, validate=validate.OneOf(DOCUMENT_TYPES))
    issuing_country = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{2}$", error="ISO 3166-1 alpha-2"))
    document_last4 = fields.String(load_default=None, allow_none=True,
                                   validate=validate.Regexp(r"^[A-Za-z0-9]{1,4}$", error="at most the last four"))
    document_expires = fields.Date(load_default=None, allow_none=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    user_id = fields.Integer(load_default=None, allow_none=True, strict=True,
                             validate=validate.Range(min=1, max=2**63 - 1))


class VerificationOutSchema(Schema):
    client_id = fields.Integer()
    user_id = fields.Integer(allow_none=True)
    document_type = fields.String()
    issuing_country = fields.String()
    recorded_at = fields.DateTime()
    expires_at = fields.DateTime()
    recorded_by = fields.String()


class PendingQueryInSchema(StrictInSchema):
    status = fields.String(load_default="pending", validate=validate.OneOf(("pending",)))


class BillingDisclosureInSchema(StrictInSchema):
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    purpose = fields.String(required=True, validate=validate.Length(min=1, max=500))
    user_id = fields.Integer(load_default=None, allow_none=True, strict=True,
                             validate=validate.Range(min=1, max=2**63 - 1))


class ThirdPartyDisclosureInSchema(StrictInSchema):
    recipient = fields.String(required=True, validate=validate.Length(min=1, max=200))
    ground = fields.String(required=True)  # checked by the service: anything else is 422, not 400
    reference = fields.String(required=True, validate=validate.Length(min=1, max=200))
    categories = fields.List(fields.String(validate=validate.OneOf(CATEGORIES)), required=True,
                             validate=validate.Length(min=1))


