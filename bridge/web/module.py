"""The addon module's own signed calls (contract section 11): its cron asking for residual-erasure
orders, and the customer's "Download my data". Signed like all hook traffic (413, then 401, then
parse) and never de-duplicated: a cron may ask again, a customer may download twice."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from bridge.errors import ValidationFailed
from bridge.export import export_for_customer
from bridge.schemas.hooks import ExportEnvelopeInSchema, WorkEnvelopeInSchema
from bridge.schemas.privacy import ExportOutSchema
from bridge.schemas.replies import WorkOutSchema
from bridge.web.apidoc import documented
from bridge.web.hooks import _Unsigned, _unsigned_response, load_hook, verified_request

bp = Blueprint("module", __name__)


def _envelope(kind: str, event: str, actor: str):  # noqa: ANN202 - a HookEnvelope, or the 401 response
    services = current_app.extensions["bridge"]
    try:
        _webhook_id, body = verified_request(services)
    except _Unsigned:
        return services, None
    envelope = load_hook(services, body, kind)
    if envelope.event != event or envelope.actor.type != actor:
        raise ValidationFailed("The hook envelope is not valid.",
                               errors={"event": [f"Must be {event} with actor {actor}."]})
    return services, envelope


@bp.post("/v1/hooks/whmcs/work")
@documented("Residual-erasure orders for the addon module's cron", body=WorkEnvelopeInSchema,
            response=WorkOutSchema, signed=True,
            description="event AfterCronJob, actor cron: the open orders, oldest first, at most 50.")
def work():
    services, envelope = _envelope("work", "AfterCronJob", "cron")
    if envelope is None:
        return _unsigned_response()
    return jsonify(WorkOutSchema().dump({"orders": services.residual.open_orders()}))


@bp.post("/v1/hooks/whmcs/export")
@documented("The customer's own subject-access export (recorded)", body=ExportEnvelopeInSchema,
            response=ExportOutSchema, signed=True,
            description="event ClientAreaExport, actor client, vars.userid the logged-in client; sent only "
                        "after WHMCS's ValidateLogin accepted the re-entered password. Recorded as "
                        "export.created with actor client; holds, staff notes and disclosure recipients "
                        "are left out.")
def export():
    services, envelope = _envelope("export", "ClientAreaExport", "client")
    if envelope is None:
        return _unsigned_response()
    client_id = envelope.vars["userid"]
    if envelope.actor.id != str(client_id):
        raise ValidationFailed("The hook envelope is not valid.", errors={"vars.userid": ["Must be the actor."]})
    return jsonify(ExportOutSchema().dump(export_for_customer(services.views, client_id)))
