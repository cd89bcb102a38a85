"""`create_emulator_app(state)`: the Flask app answering POST /includes/api.php as WHMCS does.

The state decides every answer; this module, the emulator's only Flask and werkzeug code, turns a
`Reply` into HTTP and acts out the transport faults (sleeping for latency and timeouts, an HTML
500 page, a truncated body).
"""

from __future__ import annotations

import json

from flask import Flask, Response, request
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from bridge.whmcs.emulator.state import EmulatorState, Reply

API_PATH = "/includes/api.php"
_ERROR_PAGE = "<html><head><title>500 Internal Server Error</title></head><body>Oops!</body></html>"
_TRUNCATED = '{"result":"success","totalresults":'


def create_emulator_app(state: EmulatorState) -> Flask:
    app = Flask("bridge.whmcs.emulator")
    app.extensions["whmcs_emulator_state"] = state

    @app.post(API_PATH)
    def api() -> Response:
        params = request.form.to_dict()
        reply = state.handle(params, remote_ip=request.remote_addr or "")
        state.faults.wait(reply.delay)
        return _render(state, reply, params.get("responsetype", ""))

    return app


class _QuietHandler(WSGIRequestHandler):
    """No access log: the state's call log is the record, and test output stays clean."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


def make_emulator_server(state: EmulatorState, host: str, port: int) -> BaseWSGIServer:
    """A threaded werkzeug server for the app (port 0 picks a free port); not yet serving."""
    app = create_emulator_app(state)
    return make_server(host, port, app, threaded=True, request_handler=_QuietHandler)


def _render(state: EmulatorState, reply: Reply, responsetype: str) -> Response:
    fault = reply.fault
    if fault is not None and fault.kind == "timeout":
        state.faults.wait(fault.seconds)
        if not fault.apply:
            return Response("", 504)
    if fault is not None and fault.kind == "http500":
        return Response(_ERROR_PAGE, 500, mimetype="text/html")
    if fault is not None and fault.kind == "malformed":
        return Response(_TRUNCATED, 200, mimetype="application/json")
    payload = reply.payload or {}
    if responsetype.lower() != "json":
        # Without responsetype=json WHMCS answers in its deprecated name=value;... format.
        flat = ";".join(f"{k}={v}" for k, v in payload.items() if not isinstance(v, dict | list))
        return Response(flat, reply.status, mimetype="text/plain")
    return Response(json.dumps(payload), reply.status, mimetype="application/json")
