"""Result types: loose WHMCS typing normalised; secrets dropped; personal values kept out of repr."""

from __future__ import annotations

from datetime import date

from bridge.whmcs.api import (
    ActivityEntry,
    ClientDetails,
    ClientSummary,
    Contact,
    Invoice,
    PayMethod,
    Product,
    User,
)


class TestNormalisation:
    def test_ids_counts_flags_and_dates_from_strings(self):
        summary = ClientSummary.from_api({"id": "12", "groupid": "", "status": "Closed",
                                          "datecreated": "0000-00-00"})
        assert (summary.id, summary.groupid, summary.datecreated) == (12, 0, None)

    def test_client_details_are_read_from_the_nested_client_only(self):
        answer = {"result": "success", "id": 99, "email": "top-level@example.com",
                  "client": {"id": "5", "status": "Active", "email": "real@example.com",
                             "taxexempt": "1", "marketing_emails_opt_in": 0,
                             "email_preferences": {"general": "1", "invoice": "0"},
                             "users": {"user": [{"id": "2", "is_owner": "1"}]},
                             "billingcid": "3", "currency": "1", "defaultgateway": "stripe"},
                  "stats": {"numunpaidinvoices": "2", "numoverdueinvoices": 1}}
        details = ClientDetails.from_api(answer)
        assert details.id == 5 and details.email == "real@example.com"
        assert details.flags["taxexempt"] is True and details.marketing_opt_in is False
        assert details.email_preferences == {"general": True, "invoice": False}
        assert details.users[0].user_id == 2 and details.users[0].is_owner is True
        assert details.stats.unpaid_invoices == 2 and details.stats.overdue_invoices == 1
        assert details.fields()["paymentmethod"] == "stripe"
        assert details.fields()["billingcid"] == "3"

    def test_invoice_dates_and_overdue(self):
        invoice = Invoice.from_api({"id": "3", "userid": "1", "status": "Unpaid",
                                    "duedate": "2026-01-10", "datepaid": "0000-00-00 00:00:00"})
        assert invoice.datepaid is None
        assert invoice.is_overdue(date(2026, 1, 11)) is True
        assert invoice.is_overdue(date(2026, 1, 10)) is False

    def test_user_links_and_ownership(self):
        user = User.from_api({"id": 4, "clients": [{"id": "1", "isOwner": True},
                                                   {"id": 2, "isOwner": False}]})
        assert user.owns(1) and not user.owns(2)
        assert user.client_ids == {1, 2}

    def test_activity_entry_accepts_the_deprecated_userid_alias(self):
        entry = ActivityEntry.from_api({"id": 1, "userid": "7", "date": "2021-01-01 06:56:49"})
        assert entry.client_id == 7


class TestSecretsAndPersonalValues:
    def test_pay_method_keeps_type_and_last_four_only(self):
        method = PayMethod.from_api({"id": 1, "type": "RemoteCreditCard",
                                     "card_last_four": "4242", "remote_token": "tok_secret",
                                     "gateway_name": "stripe", "description": "Work card"})
        assert (method.type, method.last_four, method.gateway, method.is_card) == (
            "RemoteCreditCard", "4242", "stripe", True)
        assert "tok_secret" not in repr(method) and not hasattr(method, "remote_token")

    def test_product_drops_the_service_password(self):
        product = Product.from_api({"id": 1, "clientid": 2, "status": "Suspended",
                                    "password": "hunter2", "username": "u1"})
        assert product.is_live and "hunter2" not in repr(product)

    def test_repr_leaves_out_personal_values(self):
        contact = Contact.from_api({"id": 1, "userid": 2, "email": "private@example.com",
                                    "firstname": "Private", "generalemails": "1"})
        details = ClientDetails.from_api({"client": {"id": 1, "email": "private@example.com",
                                                     "address1": "1 Secret Road"}})
        for value in (contact, details):
            assert "private@example.com" not in repr(value)
            assert "Secret Road" not in repr(value)
        assert contact.email_flags == {"general": True}
        assert contact.fields()["email"] == "private@example.com"
