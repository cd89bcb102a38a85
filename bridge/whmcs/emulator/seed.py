"""`seed_demo(state)`: a small, fictional customer base covering every case the bridge handles.

- Active customer with contacts, a card and a bank account, live hosting, paid and unpaid invoices
- Inactive customer with a Draft and a Refunded invoice, nothing live
- Closed customer whose invoices were all paid (purge candidate)
- Closed customer with an invoice in Collections (accounting irregularity)
- Active customer with an Overdue invoice and one Payment Pending
- Closed customer with a past-due invoice Cancelled at closure
- a User linked to two accounts, owning one (unlink, don't anonymise)

Names use example domains only. Also installs the demo API credential.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bridge.whmcs.emulator import builders as b
from bridge.whmcs.emulator.state import EmulatorState
from bridge.whmcs.emulator.store import Store

DEMO_IDENTIFIER = "demo-bridge-identifier"
DEMO_SECRET = "demo-bridge-secret"  # noqa: S105 - the emulator's public demo credential


DEMO_CLIENT_PASSWORD = "demo-client-password"  # noqa: S105 - the emulator's seeded login, not a secret


def seed_demo(state: EmulatorState) -> dict[str, int]:
    """Fill `state`; answers {name: client id} for the customers above."""
    state.add_credential(DEMO_IDENTIFIER, DEMO_SECRET)
    now = state.clock.now()
    with state.locked() as store:
        ids = {
            "active": _active(store, now),
            "inactive": _inactive(store, now),
            "closed_paid": _closed_paid(store, now),
            "closed_collections": _closed_collections(store, now),
            "overdue": _overdue(store, now),
            "closed_cancelled_unpaid": _closed_cancelled(store, now),
        }
        # The owner of the active account can log in (ValidateLogin), as the client area asks
        b.set_password(store.owner_of(ids["active"]), DEMO_CLIENT_PASSWORD)
        # A User with access to two accounts and owner of neither: unlinked, never anonymised.
        b.add_user(store, firstname="Ken", lastname="Thompson", email="ken@example.net",
                   clients={ids["active"]: False, ids["closed_cancelled_unpaid"]: False})
        return ids


def _address(city: str) -> dict[str, str]:
    return {
        "address1": "1 Example Street", "city": city, "state": "Example State",
        "postcode": "EX1 2PL", "country": "GB", "phonenumber": "+44.1632960000",
    }


def _active(store: Store, now: datetime) -> int:
    today = now.date()
    client = b.add_client(
        store, firstname="Ada", lastname="Lovelace", companyname="Analytical Engines Ltd",
        email="ada@example.com", datecreated=today - timedelta(days=900), marketing=True,
        tax_id="GB123456789", **_address("London"),
    )
    b.add_contact(store, client.id, firstname="Charles", lastname="Babbage",
                  email="billing@example.com", **_address("London"))
    b.add_contact(store, client.id, firstname="Mary", lastname="Somerville",
                  email="tech@example.com")
    b.add_paymethod(store, client.id, type="RemoteCreditCard", last_four="4242",
                    description="Company card", gateway="stripe", card_type="Visa",
                    expiry_date="02/30")
    b.add_paymethod(store, client.id, type="BankAccount", last_four="6789",
                    description="Company account", bank_name="Example Bank")
    b.add_product(store, client.id, name="Shared Hosting", domain="engines.example.com",
                  nextduedate=today + timedelta(days=20))
    b.add_invoice(store, client.id, status="Paid", date=today - timedelta(days=40),
                  duedate=today - timedelta(days=33), datepaid=now - timedelta(days=35))
    b.add_invoice(store, client.id, status="Unpaid", date=today - timedelta(days=2),
                  duedate=today + timedelta(days=5))
    return client.id


def _inactive(store: Store, now: datetime) -> int:
    today = now.date()
    client = b.add_client(
        store, status="Inactive", firstname="Grace", lastname="Hopper",
        email="grace@example.net", datecreated=today - timedelta(days=700), **_address("Leeds"),
    )
    b.add_product(store, client.id, name="Domain Parking", status="Cancelled")
    b.add_invoice(store, client.id, status="Draft", date=today, duedate=today)
    b.add_invoice(store, client.id, status="Refunded", date=today - timedelta(days=300),
                  duedate=today - timedelta(days=293), datepaid=now - timedelta(days=295))
    return client.id


def _closed_paid(store: Store, now: datetime) -> int:
    today = now.date()
    client = b.add_client(
        store, status="Closed", firstname="Alan", lastname="Turing", email="alan@example.org",
        datecreated=today - timedelta(days=1200), **_address("Manchester"),
    )
    b.add_contact(store, client.id, firstname="Joan", lastname="Clarke",
                  email="joan@example.org")
    b.add_paymethod(store, client.id, type="CreditCard", last_four="1111",
                    description="Old card", card_type="Visa", expiry_date="01/27")
    b.add_product(store, client.id, name="VPS Small", status="Terminated")
    b.add_invoice(store, client.id, status="Paid", date=today - timedelta(days=500),
                  duedate=today - timedelta(days=493), datepaid=now - timedelta(days=495))
    return client.id


def _closed_collections(store: Store, now: datetime) -> int:
    today = now.date()
    client = b.add_client(
        store, status="Closed", firstname="Claude", lastname="Shannon",
        email="claude@example.com", datecreated=today - timedelta(days=1000),
        **_address("Bristol"),
    )
    b.add_invoice(store, client.id, status="Collections", date=today - timedelta(days=200),
                  duedate=today - timedelta(days=193), total="120.00")
    return client.id


def _overdue(store: Store, now: datetime) -> int:
    today = now.date()
    client = b.add_client(
        store, firstname="Barbara", lastname="Liskov", email="barbara@example.com",
        datecreated=today - timedelta(days=400), **_address("Cambridge"),
    )
    b.add_product(store, client.id, name="Reseller Hosting", status="Suspended")
    b.add_invoice(store, client.id, status="Unpaid", date=today - timedelta(days=30),
                  duedate=today - timedelta(days=23), total="45.00")
    b.add_invoice(store, client.id, status="Payment Pending", date=today - timedelta(days=3),
                  duedate=today + timedelta(days=4))
    b.add_paymethod(store, client.id, type="RemoteBankAccount", last_four="4321",
                    description="Direct debit", gateway="gocardless")
    return client.id


def _closed_cancelled(store: Store, now: datetime) -> int:
    today = now.date()
    client = b.add_client(
        store, status="Closed", firstname="Edsger", lastname="Dijkstra",
        email="edsger@example.net", datecreated=today - timedelta(days=800),
        **_address("Oxford"),
    )
    b.add_invoice(store, client.id, status="Cancelled", date=today - timedelta(days=90),
                  duedate=today - timedelta(days=83), date_cancelled=now - timedelta(days=60))
    return client.id
