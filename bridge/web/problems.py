"""Every error becomes an RFC 9457 problem document; the one place that knows HTTP statuses.

A 500 says only "internal error" and the request id; under TESTING it re-raises so no test can
pass over one."""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, jsonify
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from bridge.errors import BridgeError, StorageUnavailable

log = logging.getLogger("bridge.web")

STATUS_BY_SLUG = {
    "validation": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "verification-required": 403,
    "not-found": 404,
    "conflict": 409,
    "invalid-ground": 422,
    "unprocessable": 422,
    "payload-too-large": 413,
    "storage-unavailable": 503,
    "key-unavailable": 503,
    "whmcs-unavailable": 503,
    "whmcs-not-configured": 503,
    "whmcs-rejected": 502,
    "whmcs-auth": 502,
    "whmcs-ip-refused": 502,
    "whmcs-permission-denied": 502,
    "whmcs-not-found": 404,
    "configuration": 500,
}
_UPSTREAM = {"storage-unavailable", "key-unavailable", "whmcs-unavailable", "whmcs-not-configured"}
TITLES = {
    400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found",
    405: "Method not allowed", 409: "Conflict", 413: "Payload too large", 415: "Unsupported media type",
    422: "Unprocessable content", 429: "Too many requests", 500: "Internal error", 502: "Bad gateway",
    503: "Service unavailable",
}


def problem(status: int, slug: str, detail: str, *, errors: dict | None = None, headers: dict | None = None):
    body = {"type": f"/problems/{slug}", "title": TITLES.get(status, "Error"), "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _bridge_error(exc: BridgeError):
    status = STATUS_BY_SLUG.get(exc.slug, 500)
    if status >= 500 and status != 502 and exc.slug not in _UPSTREAM:
        return _internal(exc)
    return problem(status, exc.slug, exc.message, errors=exc.errors)


def _http_error(exc: HTTPException):
    status = exc.code or 500
    slug = {413: "payload-too-large", 404: "not-found", 405: "method-not-allowed"}.get(status, f"http-{status}")
    return problem(status, slug, TITLES.get(status, exc.name))


def _database_error(exc: DBAPIError):
    # a lost, full or locked database that no adapter translated is still "retry later" for the
    # sender (the outbox retries 503), never an internal error
    if isinstance(exc, OperationalError | InterfaceError) or exc.connection_invalidated:
        return _bridge_error(StorageUnavailable("the database is unavailable"))
    return _internal(exc)


def _internal(exc: Exception):
    if current_app.testing:
        raise exc
    # type name only: exception text may carry values we must never log
    log.error("internal error", extra={"error_type": type(exc).__name__})
    request_id = getattr(g, "request_id", "-")
    return problem(500, "internal", f"internal error (request id {request_id})")


def init_app(app: Flask) -> None:
    app.register_error_handler(BridgeError, _bridge_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DBAPIError, _database_error)
    app.register_error_handler(Exception, _internal)
