"""Log set-up: JSON lines (under serve) or text (in a terminal).

Only an allow-list of structured fields is ever emitted, so a personal value passed by mistake in
`extra=` never reaches a log line. Messages themselves are constant strings by convention.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

SAFE_FIELDS = (
    "request_id", "method", "path", "status", "duration_ms", "event", "outcome", "reason",
    "error_type", "action", "job", "attempt", "count", "client_id", "seq",
)


_ENCODE = json.JSONEncoder(default=str).encode  # built once: json.dumps with options builds one per call


def _fields(record: logging.LogRecord) -> dict[str, object]:
    return {name: getattr(record, name) for name in SAFE_FIELDS if hasattr(record, name)}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.msg if isinstance(record.msg, str) else "?",
            **_fields(record),
        }
        return _ENCODE(line)


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
    handler = logging.StreamHandler(stream)
    handler.setFormatter(TextFormatter() if fmt == "text" else JsonFormatter())
    logger = logging.getLogger("bridge")
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False
