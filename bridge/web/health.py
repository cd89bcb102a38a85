"""Liveness and readiness. /readyz is 503 only when the database is unreachable or not migrated."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bridge.db import migrate

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})


def _database_check(engine) -> str:  # noqa: ANN001
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return "ok" if migrate.is_current(engine) else "not migrated"
    except SQLAlchemyError:
        return "unreachable"


@bp.get("/readyz")
def readyz():
    services = current_app.extensions["bridge"]
    checks = {"database": _database_check(services.engine)}
    for name, probe in current_app.extensions.get("bridge_ready_checks", {}).items():
        checks[name] = probe()
    ready = checks["database"] == "ok"
    return jsonify({"status": "ready" if ready else "unavailable", "checks": checks}), 200 if ready else 503
