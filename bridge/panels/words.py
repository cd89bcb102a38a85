"""Labels and date texts shared by the panels. Fixed words only: nothing here echoes a value."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from bridge.verification.messages import FIELD_LABELS

EVENT_LABELS = {
    "client.created": "Account created", "client.updated": "Account details changed",
    "contact.created": "Contact added", "contact.updated": "Contact changed", "contact.deleted": "Contact deleted",
    "user.created": "User added", "user.updated": "User changed", "paymethod.changed": "Payment method changed",
    "consent.changed": "Marketing consent changed", "snapshot.synced": "Baseline synced",
    "change.blocked": "Change blocked (no ID check)", "change.unchecked": "Change allowed unchecked",
    "change.reverted": "Unverified change reverted", "change.revert_failed": "Revert failed",
}
JOB_LABELS = {"revert": "Revert of an unverified change", "client_note": "Note to the client record",
              "apply_consent": "Apply a consent change in WHMCS"}
HOLD_LABELS = {"legal_obligation": "legal obligation", "accounting_irregularity": "accounting irregularity",
               "legal_process": "legal process"}
ACTOR_LABELS = {"client": "client", "admin": "admin", "api": "API", "cron": "cron", "system": "system",
                "staff": "staff"}
_NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
            "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
            "twenty", "twenty-one", "twenty-two", "twenty-three", "twenty-four")


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name)


def months_in_words(months: int) -> str:
    """'twelve months', as the policy says it; digits beyond two years."""
    word = _NUMBERS[months] if 0 <= months < len(_NUMBERS) else str(months)
    return f"{word} month" if months == 1 else f"{word} months"


def as_utc(value: Any) -> datetime | None:
    """An aware UTC datetime from a datetime or an ISO 8601 text; None for anything else."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        return None
    return value.astimezone(UTC)


def stamp(at: datetime | None) -> str:
    """Staff form: '2026-11-24 20:00 UTC'."""
    return "" if at is None else at.strftime("%Y-%m-%d %H:%M UTC")


def day(at: datetime | None) -> str:
    """Customer form: '24 November 2027'."""
    return "" if at is None else f"{at.day} {at.strftime('%B %Y')}"


def counted(n: int, noun: str) -> str:
    """'1 event', '3 events'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def duration(span: timedelta) -> str:
    minutes = max(int(span.total_seconds() // 60), 0)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min"
    return f"{hours // 24} days"


def actor_text(actor: Mapping[str, Any]) -> str:
    """'admin 3', 'client 1042 (user 2042)', 'staff t-agent'; never an IP."""
    kind = ACTOR_LABELS.get(str(actor.get("type")), "unknown")
    text = kind if actor.get("id") in (None, "") else f"{kind} {actor['id']}"
    if actor.get("user_id"):
        text += f" (user {actor['user_id']})"
    if actor.get("masquerading"):
        text += ", logged in as the client"
    return text
