"""Pure checks a run makes before erasing anyone: live services and accounting irregularities."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

OPEN_STATUSES = frozenset({"Unpaid", "Overdue", "Collections", "Payment Pending"})


def irregular_invoices(invoices: Iterable[Any], *, today: date) -> list[int]:
    """Ids of invoices that block a purge: anything still owed (Unpaid, Overdue, Collections,
    Payment Pending), or one Cancelled without payment when it was already past due (closing an
    account cancels its open invoices, which hides the debt)."""
    found = []
    for invoice in invoices:
        if invoice.status in OPEN_STATUSES or _cancelled_past_due(invoice, today):
            found.append(invoice.id)
    return sorted(found)


def _cancelled_past_due(invoice: Any, today: date) -> bool:
    if invoice.status != "Cancelled" or invoice.datepaid is not None or invoice.duedate is None:
        return False
    cancelled = invoice.date_cancelled or today
    return invoice.duedate < cancelled


def live_services(products: Iterable[Any]) -> list[int]:
    """Ids of Active or Suspended services: their customer is not purged."""
    return sorted(p.id for p in products if p.status in {"Active", "Suspended"})
