"""What blocks a purge: live services and accounting irregularities, decided on WHMCS's typed rows."""

from datetime import date

from bridge.retention.checks import irregular_invoices, live_services
from bridge.whmcs.results import Invoice, Product

TODAY = date(2027, 6, 1)


def invoice(id_, status, due, *, paid=None, cancelled=None):
    return Invoice(id=id_, client_id=1, status=status, duedate=due, datepaid=paid, date_cancelled=cancelled)


class TestInvoices:
    def test_anything_still_owed_blocks(self):
        rows = [invoice(1, "Unpaid", date(2027, 7, 1)), invoice(2, "Collections", date(2026, 1, 1)),
                invoice(3, "Payment Pending", date(2027, 5, 1)), invoice(4, "Overdue", date(2027, 1, 1)),
                invoice(5, "Paid", date(2027, 1, 1), paid=date(2027, 1, 2)), invoice(6, "Draft", TODAY),
                invoice(7, "Refunded", date(2026, 1, 1), paid=date(2026, 1, 1))]
        assert irregular_invoices(rows, today=TODAY) == [1, 2, 3, 4]

    def test_cancelled_when_already_past_due_and_unpaid_blocks(self):
        past_due = invoice(1, "Cancelled", date(2026, 1, 1), cancelled=date(2026, 3, 1))
        not_yet_due = invoice(2, "Cancelled", date(2026, 4, 1), cancelled=date(2026, 3, 1))
        paid = invoice(3, "Cancelled", date(2026, 1, 1), paid=date(2025, 12, 30), cancelled=date(2026, 3, 1))
        assert irregular_invoices([past_due, not_yet_due, paid], today=TODAY) == [1]

    def test_a_clean_history_blocks_nothing(self):
        assert irregular_invoices([], today=TODAY) == []


def test_active_and_suspended_services_are_live():
    rows = [Product(id=i, client_id=1, status=s) for i, s in
            enumerate(["Active", "Suspended", "Cancelled", "Terminated", "Pending", "Fraud"], 1)]
    assert live_services(rows) == [1, 2]
