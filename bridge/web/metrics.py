"""Prometheus metrics at /metrics. Under gunicorn with PROMETHEUS_MULTIPROC_DIR set, values are
aggregated across workers (prometheus_client's multiprocess mode)."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from flask import Blueprint, Flask, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from bridge.vocabulary import HANDLED_EVENTS, MODULE_EVENTS, PANEL_EVENTS, VALIDATE_EVENTS
from bridge.web.apidoc import documented

_KNOWN_EVENTS = HANDLED_EVENTS | VALIDATE_EVENTS | PANEL_EVENTS | MODULE_EVENTS


@dataclass
class Metrics:
    registry: CollectorRegistry
    events: Counter
    signature_failures: Counter
    validate_seconds: Histogram


class LedgerCollector:
    """What the whole installation did, read from the database at scrape time (cached briefly):
    exact across gunicorn workers, hosts and the job worker, with no shared memory. Reverts,
    purges, holds and the rest are ledger entries by type; open and failed jobs by kind."""

    TTL = 15.0

    def __init__(self, services) -> None:  # noqa: ANN001
        self.services, self._at, self._families = services, 0.0, []

    def describe(self):  # noqa: ANN201 - no description up front: collect() reads the database
        return []

    def collect(self):  # noqa: ANN201
        now = time.monotonic()
        if now - self._at > self.TTL:
            self._families, self._at = self._read(), now
        return iter(self._families)

    def _read(self) -> list:
        store, queue = self.services.ledger.store, self.services.queue
        entries = CounterMetricFamily("bridge_ledger_entries", "Ledger entries by event type "
                                      "(change.reverted, retention.purged, hold.placed, ...)", labels=["event_type"])
        for event_type, count in sorted(store.counts_by_type().items()):
            entries.add_metric([event_type], count)
        head = GaugeMetricFamily("bridge_ledger_head_seq", "Sequence number of the ledger head")
        head.add_metric([], store.head()[0])
        jobs = GaugeMetricFamily("bridge_jobs", "Durable jobs by kind and status", labels=["kind", "status"])
        for (kind, status), count in sorted(queue.counts_by_kind().items()):
            jobs.add_metric([kind, status], count)
        return [entries, head, jobs]


def event_label(name: str) -> str:
    """A hook's event name as a metric label: one of the names the bridge knows, or "other", so a
    sender inventing names cannot grow the label set (each label value is a time series)."""
    return name if name in _KNOWN_EVENTS else "other"


def _build() -> Metrics:
    registry = CollectorRegistry(auto_describe=True)
    return Metrics(
        registry=registry,
        events=Counter("bridge_hook_events", "Hook events by event name and outcome",
                       ["event", "outcome"], registry=registry),
        signature_failures=Counter("bridge_signature_failures", "Rejected hook signatures by reason",
                                   ["reason"], registry=registry),
        validate_seconds=Histogram("bridge_validate_seconds", "Latency of the synchronous validate endpoint",
                                   ["event"], registry=registry,
                                   buckets=(0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)),
    )


def init_app(app: Flask) -> None:
    metrics = _build()
    app.extensions["bridge_metrics"] = metrics
    database = LedgerCollector(app.extensions["bridge"])
    metrics.registry.register(database)
    bp = Blueprint("metrics", __name__)

    @bp.get("/metrics")
    @documented("Prometheus metrics", response=None, media_type="text/plain")
    def metrics_view():
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            registry.register(database)
        else:
            registry = metrics.registry
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)

    app.register_blueprint(bp)
