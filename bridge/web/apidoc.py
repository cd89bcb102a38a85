"""`@documented(...)`: what a view accepts and answers, kept on the view for /openapi.json.

The schemas named here are the ones the view loads and dumps with, so the document cannot drift
from the code. It stores plain data on the function and changes nothing about the call."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema


@dataclass(frozen=True)
class ApiDoc:
    """One operation: its single success (`status`, `response`), its problem statuses (`errors`),
    and `also`: further non-problem answers (the hooks' 200 duplicate, /readyz's 503)."""

    summary: str
    response: type[Schema] | None
    status: int = 200
    body: type[Schema] | None = None
    query: type[Schema] | None = None
    errors: tuple[int, ...] = ()
    also: Mapping[int, type[Schema]] = field(default_factory=dict)
    description: str = ""
    media_type: str = "application/json"
    signed: bool = False  # the Standard Webhooks headers of hook traffic


def documented(summary: str, **kwargs: Any) -> Callable:
    """Attach an ApiDoc to the view as `view.apidoc`. Works on either side of `require_role`
    (functools.wraps copies the attribute through `__dict__`)."""
    doc = ApiDoc(summary=summary, **kwargs)

    def decorate(view: Callable) -> Callable:
        view.apidoc = doc  # type: ignore[attr-defined]
        return view

    return decorate
