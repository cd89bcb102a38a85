"""Reading WHMCS's list answers, whatever their nesting.

Lists come nested (`clients.client[]`, `contacts.contact[]`, `invoices.invoice[]`,
`products.product[]`, `activity.entry[]`) or flat (`users[]`, `paymethods[]`). An empty result may
lose its container altogether or come back as "" or [], a single row may come as an object
rather than a one-element list, and a PHP array with gaps encodes as an object keyed by index.
All of those are read as a list of rows here; anything else is an unreadable answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from bridge.whmcs.api import ResultPage
from bridge.whmcs.errors import WhmcsUnavailable
from bridge.whmcs.results import to_int

T = TypeVar("T")


def extract_rows(
    action: str, answer: Mapping[str, Any], container: str, item: str | None,
) -> list[Mapping[str, Any]]:
    """The rows of a list answer; [] when the container is missing or empty."""
    box = answer.get(container)
    if item is not None and isinstance(box, Mapping) and item in box:
        box = box[item]
    if box is None or box == "" or box == {}:
        return []
    if isinstance(box, Mapping):
        box = [box] if "id" in box else list(box.values())
    if not isinstance(box, list) or not all(isinstance(row, Mapping) for row in box):
        raise WhmcsUnavailable(action, f"malformed {container} list")
    return box


def parse_page(
    action: str, answer: Mapping[str, Any], *, container: str, item: str | None,
    parse: Callable[[Mapping[str, Any]], T], start: int,
) -> ResultPage[T]:
    """One page; `next_start` is None once `totalresults` says the requested offset plus this
    page's rows reach the end, or when the page is empty. A missing total means "keep going
    until an empty page"."""
    rows = tuple(parse(row) for row in extract_rows(action, answer, container, item))
    reported = to_int(answer.get("totalresults"), default=-1)
    total = reported if reported >= 0 else start + len(rows)
    end = start + len(rows)
    more = bool(rows) and (reported < 0 or end < reported)
    return ResultPage(rows=rows, total=total, start=start, next_start=end if more else None)
