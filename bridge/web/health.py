"""Liveness and readiness. /readyz is 503 only when the database is unreachable or not migrated."""

from __future__ import annotations

import time

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bridge.db import migrate
from bridge.schemas.replies import HealthOutSchema, ReadyOutSchema
from bridge.web.apidoc import documented

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@documented("Liveness", response=HealthOutSchema)
def healthz():
    return jsonify(HealthOutSchema().dump({"status": "ok"}))


def _database_check(engine) -> str:  # noqa: ANN001
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return "ok" if migrate.is_current(engine) else "not migrated"
    except SQLAlchemyError:
        return "unreachable"


class CachedProbe:
    """WHMCS is asked at most once per `ttl` seconds per worker: probes may come every second."""

    def __init__(self, probe, ttl: float = 30.0) -> None:  # noqa: ANN001
        self.probe, self.ttl, self._at, self._last = probe, ttl, 0.0, None

    def __call__(self) -> dict:
        now = time.monotonic()
        if self._last is None or now - self._at > self.ttl:
            self._last, self._at = self.probe(), now
        return self._last


def whmcs_probe(services) -> CachedProbe | None:  # noqa: ANN001
    if services.whmcs is None:
        return None
    from bridge.whmcs.api import check_whmcs

    return CachedProbe(lambda: check_whmcs(services.whmcs))


@bp.get("/readyz")
@documented("Readiness: the database is reachable and migrated", response=ReadyOutSchema,
            also={503: ReadyOutSchema}, description="WHMCS is reported but does not make the bridge unready.")
def readyz():
    """503 only when the database is unreachable or not migrated: the bridge keeps ingesting while
    WHMCS is down, so WHMCS is reported but does not make the bridge unready."""
    services = current_app.extensions["bridge"]
    checks: dict = {"database": _database_check(services.engine)}
    probe = current_app.extensions.get("bridge_whmcs_probe")
    checks["whmcs"] = probe() if probe else {"ok": False, "detail": "not configured"}
    ready = checks["database"] == "ok"
    body = ReadyOutSchema().dump({"status": "ready" if ready else "unavailable", "checks": checks})
    return jsonify(body), 200 if ready else 503
