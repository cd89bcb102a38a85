"""The request log line: written directly when configure()'s JSON handler is the only listener, and
then exactly the line logging itself would have written; through logging otherwise."""

from __future__ import annotations

import io
import json
import logging

import pytest

from bridge.logs import configure, info_fields

FIELDS = {"request_id": "abc123", "method": "POST", "path": "/v1/hooks/whmcs", "status": 202,
          "duration_ms": 1.5, "event": "ClientEdit", "outcome": "recorded",
          "email": "jane@example.com", "password": "hunter2"}  # the last two are not on the allow-list


@pytest.fixture
def bridge_logger():
    """The 'bridge' logger as configure() leaves it, restored afterwards (the suite captures it)."""
    logger = logging.getLogger("bridge")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    yield logger
    logger.handlers[:], logger.level, logger.propagate = saved[0], saved[1], saved[2]


def _lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_the_direct_line_equals_what_logging_writes(bridge_logger):
    stream = io.StringIO()
    configure("json", stream=stream)
    logger = logging.getLogger("bridge.web")
    info_fields(logger, "request", FIELDS)  # direct: configure()'s handler is the only one
    logger.info("request", extra=FIELDS)  # through logging
    direct, logged = _lines(stream)
    assert direct.pop("ts")[:16] == logged.pop("ts")[:16]
    assert direct == logged
    assert direct["status"] == 202 and direct["outcome"] == "recorded"
    assert "email" not in direct and "password" not in direct
    assert "jane@example.com" not in stream.getvalue() and "hunter2" not in stream.getvalue()


def test_another_handler_gets_the_record_through_logging(bridge_logger):
    stream = io.StringIO()
    configure("json", stream=stream)
    seen: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    bridge_logger.addHandler(Keep())
    info_fields(logging.getLogger("bridge.web"), "request", FIELDS)
    assert len(seen) == 1 and seen[0].status == 202
    assert _lines(stream)[0]["path"] == "/v1/hooks/whmcs"


def test_a_filter_still_applies(bridge_logger):
    stream = io.StringIO()
    configure("json", stream=stream)
    bridge_logger.handlers[0].addFilter(lambda record: False)
    info_fields(logging.getLogger("bridge.web"), "request", FIELDS)
    assert stream.getvalue() == ""


def test_nothing_below_the_level(bridge_logger):
    stream = io.StringIO()
    configure("json", stream=stream, level=logging.WARNING)
    info_fields(logging.getLogger("bridge.web"), "request", FIELDS)
    assert stream.getvalue() == ""


def test_text_format_goes_through_logging(bridge_logger):
    stream = io.StringIO()
    configure("text", stream=stream)
    info_fields(logging.getLogger("bridge.web"), "request", FIELDS)
    assert stream.getvalue().startswith("info    bridge.web: request request_id=abc123")
    assert "hunter2" not in stream.getvalue()
