"""Acting as a customer or admin inside WHMCS: change the emulator's data the way a WHMCS form
would (no API call), and build the hook vars WHMCS would pass."""

from __future__ import annotations

from typing import Any

PROFILE = ("firstname", "lastname", "companyname", "email", "address1", "address2", "city", "state",
           "postcode", "country", "phonenumber", "tax_id")


def edit_client(world, client_id: int, **changes: str) -> dict[str, Any]:  # noqa: ANN001
    """Apply `changes` in WHMCS and return the ClientEdit vars (with olddata)."""
    with world.emulator.locked() as store:
        record = store.client(client_id)
        old = {k: record.fields.get(k, "") for k in PROFILE}
        record.fields.update(changes)
        new = {k: record.fields.get(k, "") for k in PROFILE}
        status = record.status
    return {"userid": client_id, **new, "status": status, "olddata": {**old, "status": status}}


def edit_contact(world, contact_id: int, **changes: str) -> dict[str, Any]:  # noqa: ANN001
    with world.emulator.locked() as store:
        record = store.contact(contact_id)
        old = {k: record.fields.get(k, "") for k in PROFILE}
        record.fields.update(changes)
        new = {k: record.fields.get(k, "") for k in PROFILE}
        client_id = record.client_id
    return {"userid": client_id, "contactid": contact_id, **new, "olddata": old}


def client_fields(world, client_id: int) -> dict[str, str]:  # noqa: ANN001
    with world.emulator.locked() as store:
        return dict(store.client(client_id).fields)


def first_contact(world, client_id: int) -> int:  # noqa: ANN001
    with world.emulator.locked() as store:
        return next(c.id for c in store.contacts.values() if c.client_id == client_id)


def seeded_active_client(world) -> int:  # noqa: ANN001
    with world.emulator.locked() as store:
        return next(c.id for c in store.clients.values() if c.status == "Active" and c.fields["firstname"] == "Ada")
