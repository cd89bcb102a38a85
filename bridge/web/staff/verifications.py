"""Identity checks, the pending queue, and billing disclosure."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from bridge.schemas.disclosures import BillingSummaryOutSchema
from bridge.schemas.staff import (
    BillingDisclosureInSchema,
    PendingQueryInSchema,
    VerificationInSchema,
    VerificationOutSchema,
)
from bridge.schemas.verifications import PendingQueueOutSchema
from bridge.verification.service import Attestation
from bridge.web.apidoc import documented
from bridge.web.auth import require_role
from bridge.web.staff.common import checked_id, load_args, load_json, staff_actor

bp = Blueprint("staff_verifications", __name__)


def _services():
    return current_app.extensions["bridge"]


@bp.post("/v1/clients/<int:client_id>/verifications")
@documented("Record an identity check", body=VerificationInSchema, response=VerificationOutSchema, status=201,
            errors=(422,), description="A `document_expires` in the past is 422.")
@require_role("agent")
def record_verification(client_id: int):
    data = load_json(VerificationInSchema)
    verification = _services().verifications.record_verification(
        checked_id(client_id), Attestation(**data), actor=staff_actor())
    return jsonify(VerificationOutSchema().dump(verification)), 201


@bp.delete("/v1/clients/<int:client_id>/verifications/current")
@documented("Revoke the current verification", response=None, status=204)
@require_role("agent")
def revoke_verification(client_id: int):
    _services().verifications.revoke_verification(checked_id(client_id), actor=staff_actor())
    return "", 204


@bp.get("/v1/verifications")
@documented("The queue of customers blocked and waiting", query=PendingQueryInSchema, response=PendingQueueOutSchema)
@require_role("agent")
def pending_queue():
    load_args(PendingQueryInSchema)
    return jsonify(PendingQueueOutSchema().dump({"items": _services().verifications.pending()}))


@bp.post("/v1/clients/<int:client_id>/billing-disclosures")
@documented("Disclose the billing summary to a verified customer (recorded either way)",
            body=BillingDisclosureInSchema, response=BillingSummaryOutSchema, errors=(403, 502, 503),
            description="Without a current verification: 403 verification-required, and the refusal is recorded.")
@require_role("agent")
def disclose_billing(client_id: int):
    data = load_json(BillingDisclosureInSchema)
    summary = _services().disclosures.disclose_billing(
        checked_id(client_id), channel=data["channel"], purpose=data["purpose"], user_id=data["user_id"],
        actor=staff_actor())
    return jsonify(BillingSummaryOutSchema().dump(summary))
