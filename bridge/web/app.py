"""The application factory. Nothing is created at import time."""

from __future__ import annotations

import logging
import os
import time

from flask import Flask, g, request

from bridge.logs import info_fields
from bridge.services import Services, build_services
from bridge.settings import Settings, load_settings

MAX_BODY = 1024 * 1024
log = logging.getLogger("bridge.web")


def create_app(settings: Settings | None = None, *, services: Services | None = None) -> Flask:
    """Build the app from explicit settings/services, or load settings from the environment."""
    if services is None:
        settings = settings or load_settings()
        settings.require("webhook_secret", "master_key")
        services = build_services(settings)
    app = Flask("bridge")
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.json.sort_keys = False
    app.extensions["bridge"] = services
    from bridge.web.health import whmcs_probe

    app.extensions["bridge_whmcs_probe"] = whmcs_probe(services)
    _register(app)
    return app


def _register(app: Flask) -> None:
    from bridge.web import health, hooks, metrics, problems
    from bridge.web.staff import clients, disclosures, ledger, policies, verifications

    problems.init_app(app)
    metrics.init_app(app)
    for blueprint in (hooks.bp, health.bp, ledger.bp, verifications.bp, disclosures.bp, clients.bp, policies.bp):
        app.register_blueprint(blueprint)
    from bridge.web.staff import holds, retention

    for blueprint in (holds.bp, retention.bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(__import__("bridge.web.panels", fromlist=["bp"]).bp)
    app.register_blueprint(__import__("bridge.web.module", fromlist=["bp"]).bp)
    app.register_blueprint(__import__("bridge.web.openapi", fromlist=["bp"]).bp)
    app.before_request(_start_request)
    app.after_request(_finish_request)


def _start_request() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    context = g._get_current_object()  # one proxy look-up for both
    context.request_id = incoming if incoming.isalnum() and len(incoming) <= 64 else os.urandom(16).hex()
    context.started = time.perf_counter()


def _finish_request(response):  # noqa: ANN001
    context, current = g._get_current_object(), request._get_current_object()  # one proxy look-up each
    request_id = getattr(context, "request_id", None)
    response.headers["X-Request-ID"] = request_id or "-"
    duration = (time.perf_counter() - getattr(context, "started", time.perf_counter())) * 1000
    rule = current.url_rule
    info_fields(log, "request", {"request_id": request_id, "method": current.method,
                                 "path": rule.rule if rule else "-", "status": response.status_code,
                                 "duration_ms": round(duration, 2), **getattr(context, "log_extra", {})})
    return response
