"""Ledger reads: a client's entries (values shown per role) and whole-chain verification."""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify
from marshmallow import Schema, fields, validate

from bridge.clock import rfc3339
from bridge.schemas.ledger import LedgerPageOutSchema, LedgerStatusOutSchema, LedgerVerifyOutSchema
from bridge.tokens import role_allows
from bridge.web.apidoc import documented
from bridge.web.auth import require_role
from bridge.web.staff.common import checked_id, load_args

bp = Blueprint("staff_ledger", __name__)


class LedgerPageInSchema(Schema):
    after = fields.Integer(load_default=0, validate=validate.Range(min=0, max=2**63 - 1))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


@bp.get("/v1/clients/<int:client_id>/ledger")
@documented("A client's ledger entries, oldest first", query=LedgerPageInSchema, response=LedgerPageOutSchema,
            description="Personal values in clear for dpo, \"[redacted]\" below, \"[shredded]\" after a purge.")
@require_role("auditor")
def client_ledger(client_id: int):
    args = load_args(LedgerPageInSchema)
    ledger = current_app.extensions["bridge"].ledger
    page = ledger.client_page(checked_id(client_id), after=args["after"], limit=args["limit"],
                              reveal=role_allows(g.staff.role, "dpo"))
    return jsonify(LedgerPageOutSchema().dump({"entries": page.entries, "next_after": page.next_after}))


@bp.get("/v1/ledger/verify")
@documented("Recompute the whole chain", response=LedgerVerifyOutSchema)
@require_role("auditor")
def verify_ledger():
    ledger = current_app.extensions["bridge"].ledger
    result = ledger.verify()
    ledger.remember_verify(result)
    body = {"ok": result.ok, "entries": result.entries,
            "head": {"seq": result.head_seq, "hash": result.head_hash}}
    if not result.ok:
        body["first_bad_seq"] = result.first_bad_seq
        body["reason"] = result.reason
    return jsonify(LedgerVerifyOutSchema().dump(body))


@bp.get("/v1/ledger/status")
@documented("The head, the newest anchors and the last verify result", response=LedgerStatusOutSchema,
            description="What the staff console and its dashboard widget show; reads only.")
@require_role("auditor")
def ledger_status():
    ledger = current_app.extensions["bridge"].ledger
    seq, digest = ledger.head()
    anchors = sorted(ledger.store.anchors(), key=lambda a: a.seq, reverse=True)[:20]
    last = ledger.store.last_verify()
    body = {
        "head": {"seq": seq, "hash": digest},
        "anchors": [{"seq": a.seq, "hash": a.hash, "anchored_at": rfc3339(a.created_at), "whmcs": a.in_whmcs}
                    for a in anchors],
        "last_verify": None if last is None else {
            "ok": last.ok, "entries": last.entries, "head": last.head_hash, "first_bad_seq": last.first_bad_seq,
            "reason": last.reason, "at": rfc3339(last.verified_at)},
    }
    return jsonify(LedgerStatusOutSchema().dump(body))
