"""Field-level changes between what WHMCS had and what it has now.

Values arrive already loaded by the hook schema (trimmed strings, real booleans and ints) and are
compared by `bridge.ingest.values.same`, the rule the validate check uses too ("" and None are no
value, emails ignore case, phone numbers compare by digits).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bridge.ingest.values import same
from bridge.ledger.entries import Change
from bridge.vocabulary import EMAIL_PREFERENCES

CategoryOf = Callable[[str], "str | None"]


@dataclass(frozen=True)
class Diff:
    """`unknown_old` names tracked fields that olddata lacked: recorded with old=None, so staff
    can see that the previous value is not known (such fields are never reverted). `unknown_new`
    names tracked fields whose new value could not be read: recorded with new=None, a change."""

    changes: tuple[Change, ...]
    unknown_old: tuple[str, ...] = ()
    unknown_new: tuple[str, ...] = ()


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


def between(new: Mapping[str, Any], old: Mapping[str, Any], category_of: CategoryOf,
            unreadable: Iterable[str] = ()) -> Diff:
    """Changes of the tracked fields present in `new`. A field missing from `new` is not a change
    (WHMCS sends partial vars) unless it is named in `unreadable` (sent, but not readable, or cut
    for size): that is a change to an unknown value. A field missing from `old` is reported in `unknown_old`."""
    before, unreadable = flatten(old), frozenset(unreadable)
    changes: list[Change] = []
    unknown: list[str] = []
    for name, value in flatten(new).items():
        category = category_of(name)
        if category is None or name in unreadable:
            continue
        if name not in before:
            unknown.append(name)
            changes.append(Change(name, category, None, plain(value)))
        elif not same(name, plain(value), plain(before[name])):
            changes.append(Change(name, category, plain(before[name]), plain(value)))
    lost = sorted(name for name in unreadable if category_of(name) is not None)  # a cut value is not the value
    changes.extend(Change(name, category_of(name), plain(before.get(name)), None) for name in lost)
    unknown.extend(name for name in lost if name not in before)
    return Diff(tuple(changes), tuple(sorted(unknown)), tuple(lost))


def split(diff: Diff, category: str) -> tuple[Diff, Diff]:
    """(changes in `category`, all other changes); unknown_old follows its field."""
    def part(keep: Callable[[Change], bool]) -> Diff:
        changes = tuple(change for change in diff.changes if keep(change))
        names = {change.field for change in changes}
        return Diff(changes, tuple(name for name in diff.unknown_old if name in names),
                    tuple(name for name in diff.unknown_new if name in names))

    return part(lambda c: c.category == category), part(lambda c: c.category != category)
