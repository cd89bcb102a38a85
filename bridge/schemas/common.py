"""Building blocks of the output schemas: an output names every key it always carries as
required, so the published document says exactly what a client can rely on."""

from __future__ import annotations

from typing import Any

from marshmallow import fields


def stamp(**kwargs: Any) -> fields.String:
    """A timestamp the service has already rendered as RFC 3339 text: dumped as is."""
    return fields.String(metadata={"format": "date-time"}, **kwargs)


def day(**kwargs: Any) -> fields.String:
    """A calendar date already rendered as YYYY-MM-DD."""
    return fields.String(metadata={"format": "date"}, **kwargs)

