"""Acting as a customer or admin inside WHMCS (see World.edit_client and friends)."""

from __future__ import annotations


def edit_client(world, client_id: int, **changes: str) -> dict:  # noqa: ANN001
    return world.edit_client(client_id, **changes)


def edit_contact(world, contact_id: int, **changes: str) -> dict:  # noqa: ANN001
    return world.edit_contact(contact_id, **changes)


def client_fields(world, client_id: int) -> dict[str, str]:  # noqa: ANN001
    return world.client_fields(client_id)


def first_contact(world, client_id: int) -> int:  # noqa: ANN001
    with world.emulator.locked() as store:
        return next(c.id for c in store.contacts.values() if c.client_id == client_id)


def seeded_active_client(world) -> int:  # noqa: ANN001
    return world.customers()["Ada"]
