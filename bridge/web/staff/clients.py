"""A customer's privacy summary."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from bridge.privacy import privacy_summary
from bridge.web.auth import require_role
from bridge.web.staff.common import checked_id

bp = Blueprint("staff_clients", __name__)


@bp.get("/v1/clients/<int:client_id>/privacy")
@require_role("agent")
def client_privacy(client_id: int):
    return jsonify(privacy_summary(current_app.extensions["bridge"], checked_id(client_id)))


@bp.get("/v1/clients/<int:client_id>/export")
@require_role("dpo")
def client_export(client_id: int):
    from bridge.export import export_client
    from bridge.web.staff.common import staff_actor

    return jsonify(export_client(current_app.extensions["bridge"], checked_id(client_id), actor=staff_actor()))
