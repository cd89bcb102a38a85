"""Prometheus metrics at /metrics. Under gunicorn with PROMETHEUS_MULTIPROC_DIR set, values are
aggregated across workers (prometheus_client's multiprocess mode)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from flask import Blueprint, Flask, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest, multiprocess


@dataclass
class Metrics:
    registry: CollectorRegistry
    events: Counter
    signature_failures: Counter


def _build() -> Metrics:
    registry = CollectorRegistry(auto_describe=True)
    return Metrics(
        registry=registry,
        events=Counter("bridge_hook_events", "Hook events by event name and outcome",
                       ["event", "outcome"], registry=registry),
        signature_failures=Counter("bridge_signature_failures", "Rejected hook signatures by reason",
                                   ["reason"], registry=registry),
    )


def init_app(app: Flask) -> None:
    metrics = _build()
    app.extensions["bridge_metrics"] = metrics
    bp = Blueprint("metrics", __name__)

    @bp.get("/metrics")
    def metrics_view():
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
        else:
            registry = metrics.registry
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)

    app.register_blueprint(bp)
