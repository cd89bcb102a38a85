"""Hook traffic from WHMCS. Order of checks: size (413), then signature over the raw bytes (401),
and only then is the body parsed (400). The reason a signature failed is logged, never returned."""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta

from flask import Blueprint, Response, current_app, g, request

from bridge.errors import ValidationFailed
from bridge.ingest.envelope import HookEnvelope, not_in_future
from bridge.schemas.hooks import EventEnvelopeInSchema, Kind, ValidateEnvelopeInSchema, load_envelope
from bridge.schemas.replies import HookAcceptedOutSchema, HookDuplicateOutSchema, ValidateOutSchema
from bridge.signing import SignatureInvalid, verify
from bridge.web.apidoc import documented
from bridge.web.body import capped_body
from bridge.web.metrics import event_label
from bridge.web.problems import problem

log = logging.getLogger("bridge.hooks")
bp = Blueprint("hooks", __name__)
# built once: a schema instance per request deep-copies its fields, which shows on the hot path
_ACCEPTED, _DUPLICATE, _VALIDATE = HookAcceptedOutSchema(), HookDuplicateOutSchema(), ValidateOutSchema()
_ENCODE = json.JSONEncoder(separators=(",", ":")).encode


def _json(schema, payload: dict, status: int = 200) -> Response:  # noqa: ANN001 - a reply schema
    """The reply through its schema (the one /openapi.json documents), encoded once, no more."""
    return Response(_ENCODE(schema.dump(payload)), status=status, mimetype="application/json")


# validate's usual answer, through the same schema, encoded once for all requests
_ALLOWED = _ENCODE(_VALIDATE.dump({"allowed": True, "errors": []}))


class _Unsigned(Exception):
    pass


def _services():
    return current_app.extensions["bridge"]


def verified_request(services) -> tuple[str, bytes]:  # noqa: ANN001 - the app's Services
    """(webhook-id, raw body), or _Unsigned. Reading the body enforces MAX_CONTENT_LENGTH (413)."""
    body = capped_body()
    try:
        webhook_id = verify(
            secrets=services.settings.webhook_secret,
            headers=request.headers,
            body=body,
            now=int(services.clock.now().timestamp()),
            tolerance_s=services.settings.webhook_tolerance_s,
        )
    except SignatureInvalid as exc:
        log.warning("webhook rejected", extra={"reason": exc.reason})
        metrics = current_app.extensions.get("bridge_metrics")
        if metrics is not None:
            metrics.signature_failures.labels(reason=exc.reason).inc()
        raise _Unsigned from None
    return webhook_id, body


def parse_json(body: bytes) -> object:
    """JSON with floats kept as their text (the ledger stores no floats); ValidationFailed otherwise."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationFailed("the body is not UTF-8", errors={"body": ["not valid UTF-8"]}) from None
    try:
        return json.loads(text, parse_float=str, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise ValidationFailed("the body is not valid JSON", errors={"body": ["not valid JSON"]}) from None


def load_hook(services, body: bytes, kind: Kind) -> HookEnvelope:  # noqa: ANN001 - the app's Services
    """The parsed envelope, its `occurred_at` never later than the bridge's now + tolerance."""
    envelope = load_envelope(parse_json(body), kind=kind)
    tolerance = timedelta(seconds=services.settings.webhook_tolerance_s)
    return not_in_future(envelope, now=services.clock.now(), tolerance=tolerance)


def _reject_constant(_name: str) -> object:
    raise ValueError("non-standard JSON constant")


def _unsigned_response():
    return problem(401, "unauthorized", "missing or invalid webhook signature")


@bp.post("/v1/hooks/whmcs")
@documented("A WHMCS hook event (at least once, from the outbox)", body=EventEnvelopeInSchema,
            response=HookAcceptedOutSchema, status=202, also={200: HookDuplicateOutSchema}, signed=True,
            description="202 recorded (with the new ledger seqs) or ignored (an event the bridge does not handle); "
                        "200 duplicate when the webhook-id was seen before.")
def events():
    services = _services()
    try:
        webhook_id, body = verified_request(services)
    except _Unsigned:
        return _unsigned_response()
    envelope = load_hook(services, body, "event")
    result = services.ingest.record_event(webhook_id, envelope)
    g.log_extra = {"event": envelope.event, "outcome": result.status}  # on the request's log line
    metrics = current_app.extensions.get("bridge_metrics")
    if metrics is not None:
        metrics.events.labels(event=event_label(envelope.event), outcome=result.status).inc()
    if result.status == "duplicate":
        return _json(_DUPLICATE, {"status": "duplicate"})
    if result.status == "ignored":
        return _json(_ACCEPTED, {"status": "ignored"}, 202)
    return _json(_ACCEPTED, {"status": "recorded", "entries": list(result.seqs)}, 202)


@bp.post("/v1/hooks/whmcs/validate")
@documented("Synchronous validation inside a WHMCS page request", body=ValidateEnvelopeInSchema,
            response=ValidateOutSchema, signed=True)
def validate():
    """Synchronous, inside a WHMCS page request: signed, never de-duplicated, always answers
    `allowed` and `errors` (and `abort` for EmailPreSend)."""
    extensions = current_app.extensions
    services = extensions["bridge"]
    try:
        _webhook_id, body = verified_request(services)
    except _Unsigned:
        return _unsigned_response()
    started = time.perf_counter()
    envelope = load_hook(services, body, "validate")
    try:
        return _validate_answer(services, envelope)
    finally:
        metrics = extensions.get("bridge_metrics")
        if metrics is not None:
            metrics.validate_seconds.labels(event=event_label(envelope.event)).observe(time.perf_counter() - started)


def _validate_answer(services, envelope):  # noqa: ANN001, ANN202
    if envelope.event == "EmailPreSend":
        abort = services.consent.should_abort(envelope)
        return _json(_VALIDATE, {"allowed": not abort, "errors": [], "abort": abort})
    if envelope.event in ("ClientDetailsValidation", "ContactDetailsValidation"):
        answer = services.gate.check_details(envelope)
        if answer.allowed and not answer.errors:
            return Response(_ALLOWED, mimetype="application/json")
        return _json(_VALIDATE, {"allowed": answer.allowed, "errors": answer.errors})
    # a validation hook this bridge does not know
    return Response(_ALLOWED, mimetype="application/json")
