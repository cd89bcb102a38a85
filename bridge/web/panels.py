"""POST /v1/hooks/whmcs/panel: the HTML the WHMCS output hooks print as is. Signed like every hook
call but never de-duplicated (a page may be reloaded); a plain read that writes nothing. Every value
reaches the page through an autoescaping template."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template

from bridge.panels.admin import admin_summary
from bridge.panels.client import client_panel
from bridge.panels.privacy_page import privacy_page
from bridge.schemas.hooks import PanelEnvelopeInSchema
from bridge.schemas.replies import PanelOutSchema
from bridge.web.apidoc import documented
from bridge.web.hooks import _Unsigned, _unsigned_response, load_hook, verified_request

bp = Blueprint("panels", __name__, template_folder="templates")
TEMPLATES = {
    "AdminAreaClientSummaryPage": "panel_admin_summary.html",
    "ClientAreaHomepage": "panel_client_home.html",
    "ClientAreaHeaderOutput": "panel_client_details.html",
    "ClientAreaPrivacyPage": "panel_client_privacy.html",
}


@bp.post("/v1/hooks/whmcs/panel")
@documented("The HTML fragment a WHMCS output hook prints", body=PanelEnvelopeInSchema, response=PanelOutSchema,
            signed=True)
def panel():
    services = current_app.extensions["bridge"]
    try:
        _webhook_id, body = verified_request(services)
    except _Unsigned:
        return _unsigned_response()
    envelope = load_hook(services, body, "panel")
    template = TEMPLATES.get(envelope.event)
    if template is None:
        return jsonify(PanelOutSchema().dump({"html": ""}))  # an output hook this bridge does not fill
    client_id = envelope.vars["userid"]
    if envelope.event == "AdminAreaClientSummaryPage":
        model = admin_summary(services.views, client_id, outbox=envelope.vars.get("outbox"))
    elif envelope.event == "ClientAreaPrivacyPage":
        model = privacy_page(services.views, client_id, user_id=envelope.actor.user_id)
    else:
        model = client_panel(services.views, client_id, user_id=envelope.actor.user_id)
    return jsonify(PanelOutSchema().dump({"html": render_template(template, panel=model)}))
