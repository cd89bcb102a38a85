"""Log set-up: JSON lines (under serve) or text (in a terminal).

Only an allow-list of structured fields is ever emitted, so a personal value passed by mistake in
`extra=` never reaches a log line. Messages themselves are constant strings by convention.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import UTC, datetime

SAFE_FIELDS = (
    "request_id", "method", "path", "status", "duration_ms", "event", "outcome", "reason",
    "error_type", "action", "job", "attempt", "count", "client_id", "seq",
)


_ENCODE = json.JSONEncoder(default=str).encode  # built once: json.dumps with options builds one per call


def _fields(record: logging.LogRecord) -> dict[str, object]:
    return {name: getattr(record, name) for name in SAFE_FIELDS if hasattr(record, name)}


def _json_line(created: float, level: str, logger: str, msg: object, fields: dict[str, object]) -> str:
    return _ENCODE({
        "ts": datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds"),
        "level": level,
        "logger": logger,
        "msg": msg if isinstance(msg, str) else "?",
        **fields,
    })


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return _json_line(record.created, record.levelname.lower(), record.name, record.msg, _fields(record))


class JsonLinesHandler(logging.StreamHandler):
    """The handler `configure` installs for JSON: a StreamHandler that can also write a line built
    without a LogRecord (see `info_fields`)."""

    def write_line(self, line: str) -> None:
        with self.lock:
            try:
                self.stream.write(line + self.terminator)
                self.flush()
            except Exception:  # noqa: BLE001 - as StreamHandler.emit: a log write never fails a request
                self.handleError(logging.makeLogRecord({"msg": "log write failed"}))


def _direct_handler(logger: logging.Logger) -> JsonLinesHandler | None:
    """The JSON handler that alone would receive an INFO record of `logger`, or None when anything
    else might see or change it (other handlers, filters, a level on the handler)."""
    found = None
    current: logging.Logger | None = logger
    while current is not None:
        if current.filters:
            return None
        for handler in current.handlers:
            if type(handler) is not JsonLinesHandler or found is not None or handler.filters \
                    or handler.level > logging.INFO or type(handler.formatter) is not JsonFormatter:
                return None
            found = handler
        if not current.propagate:
            break
        current = current.parent
    return found


def info_fields(logger: logging.Logger, msg: str, fields: dict[str, object]) -> None:
    """`logger.info(msg, extra=fields)` for a line on every request: when configure()'s JSON
    handler is the only one listening, the same line is written without building a LogRecord
    (which costs more than the rest of a validate call's logging); otherwise through logging."""
    if not logger.isEnabledFor(logging.INFO):
        return
    handler = _direct_handler(logger)
    if handler is None:
        logger.info(msg, extra=fields)
        return
    safe = {name: fields[name] for name in SAFE_FIELDS if name in fields}
    handler.write_line(_json_line(time.time(), "info", logger.name, msg, safe))


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        extras = " ".join(f"{k}={v}" for k, v in _fields(record).items())
        msg = record.msg if isinstance(record.msg, str) else "?"
        return f"{record.levelname.lower():7} {record.name}: {msg} {extras}".rstrip()


def configure(fmt: str = "auto", *, stream=None, level: int = logging.INFO) -> None:  # noqa: ANN001
    """Install one handler on the 'bridge' logger; 'auto' picks text on a terminal, else JSON."""
    stream = stream or sys.stderr
    if fmt == "auto":
        fmt = "text" if getattr(stream, "isatty", lambda: False)() else "json"
    handler = logging.StreamHandler(stream) if fmt == "text" else JsonLinesHandler(stream)
    handler.setFormatter(TextFormatter() if fmt == "text" else JsonFormatter())
    logger = logging.getLogger("bridge")
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False
