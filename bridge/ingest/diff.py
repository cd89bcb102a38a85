"""Field-level changes between what WHMCS had and what it has now.

Values arrive already normalised by the hook schema (trimmed strings, real booleans and ints);
here they are compared with the remaining WHMCS slack folded away: "" and None mean "no value".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bridge.ingest.fields import EMAIL_PREFERENCES
from bridge.ledger.entries import Change

CategoryOf = Callable[[str], "str | None"]


@dataclass(frozen=True)
class Diff:
    """`unknown_old` names tracked fields that olddata lacked: recorded with old=None, so staff
    can see that the previous value is not known (such fields are never reverted)."""

    changes: tuple[Change, ...]
    unknown_old: tuple[str, ...] = ()


def plain(value: Any) -> Any:
    """The comparable form of a value: strings trimmed, and "" folded into None."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def flatten(data: Mapping[str, Any]) -> dict[str, Any]:
    """email_preferences {"general": true} becomes "email_preferences[general]": true, WHMCS's
    own spelling, so each preference is a field of its own in the ledger."""
    flat = {key: value for key, value in data.items() if key != EMAIL_PREFERENCES}
    preferences = data.get(EMAIL_PREFERENCES)
    if isinstance(preferences, Mapping):
        for kind, value in preferences.items():
            flat[f"{EMAIL_PREFERENCES}[{kind}]"] = value
    return flat


def initial(new: Mapping[str, Any], category_of: CategoryOf) -> Diff:
    """Changes for a record that did not exist before: old=None for every tracked value given."""
    changes = [
        Change(name, category, None, plain(value))
        for name, value in flatten(new).items()
        if (category := category_of(name)) is not None and plain(value) is not None
    ]
    return Diff(tuple(changes))


def between(new: Mapping[str, Any], old: Mapping[str, Any], category_of: CategoryOf) -> Diff:
    """Changes of the tracked fields present in `new`. A field missing from `new` is not a change
    (WHMCS sends partial vars); a field missing from `old` is reported in `unknown_old`."""
    before = flatten(old)
    changes: list[Change] = []
    unknown: list[str] = []
    for name, value in flatten(new).items():
        category = category_of(name)
        if category is None:
            continue
        if name not in before:
            unknown.append(name)
            changes.append(Change(name, category, None, plain(value)))
        elif plain(value) != plain(before[name]):
            changes.append(Change(name, category, plain(before[name]), plain(value)))
    return Diff(tuple(changes), tuple(sorted(unknown)))


def split(diff: Diff, category: str) -> tuple[Diff, Diff]:
    """(changes in `category`, all other changes); unknown_old follows its field."""
    def part(keep: Callable[[Change], bool]) -> Diff:
        changes = tuple(change for change in diff.changes if keep(change))
        names = {change.field for change in changes}
        return Diff(changes, tuple(name for name in diff.unknown_old if name in names))

    return part(lambda c: c.category == category), part(lambda c: c.category != category)
