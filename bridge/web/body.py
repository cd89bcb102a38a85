"""The request body under the 1 MiB cap, for chunked bodies too.

Werkzeug enforces MAX_CONTENT_LENGTH on a declared Content-Length up front, but a chunked body is
read up to the cap and then returned cut short, without an error: the bridge would verify (and
refuse) or parse a truncated body instead of answering 413."""

from __future__ import annotations

from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge


def capped_body() -> bytes:
    """The whole body; RequestEntityTooLarge (413) when it is over the cap."""
    body = request.get_data(cache=True)
    cap = current_app.config.get("MAX_CONTENT_LENGTH")
    # one byte past the cap, read from the server's stream itself, tells "exactly the cap" from "more"
    if request.content_length is None and cap is not None and len(body) >= cap \
            and request.environ["wsgi.input"].read(1):
        raise RequestEntityTooLarge()
    return body
