"""Section 10, only documented parameters are sent: a revert restores what the WHMCS API can set,
confirms it by reading the customer back, and records honestly what it could not restore."""

from __future__ import annotations

import pytest

from bridge.whmcs.emulator.actions import HANDLERS
from tests.support.whmcs import client_fields, edit_client, edit_contact, first_contact, seeded_active_client

CUSTOMER = {"type": "client", "ip": "203.0.113.5"}


def _entries(world, client_id: int, event_type: str) -> list[dict]:  # noqa: ANN001
    return [e for e in world.services.ledger.client_page(client_id, limit=1000).entries
            if e["event_type"] == event_type]


@pytest.fixture
def ada(world):
    return seeded_active_client(world)


def test_a_contacts_tax_id_is_not_sent_and_its_revert_is_recorded_as_failed(world, ada):
    """Section 10: UpdateContact has no `tax_id`, so a revert of a contact's tax_id cannot be done
    through the API: the other fields are restored, the tax_id is `change.revert_failed`."""
    contact = first_contact(world, ada)
    with world.emulator.locked() as store:
        store.contact(contact).fields["tax_id"] = "GB100"
    vars_ = edit_contact(world, contact, email="evil@example.org", tax_id="XX999")
    vars_["olddata"]["tax_id"] = "GB100"
    assert world.hook("ContactEdit", vars_, actor={**CUSTOMER, "id": ada}).status_code == 202
    world.worker.drain()
    [update] = world.emulator.calls_to("UpdateContact")
    assert update.params["email"] == "billing@example.com" and "tax_id" not in update.params
    [reverted] = _entries(world, ada, "change.reverted")
    assert [c["field"] for c in reverted["changes"]] == ["email"]
    [failed] = _entries(world, ada, "change.revert_failed")
    assert failed["details"]["fields"] == ["tax_id"] and failed["details"]["whmcs_action"] == "UpdateContact"
    assert "no parameter" in failed["details"]["whmcs_message"]
    notes = [c.params["notes"] for c in world.emulator.calls_to("AddClientNote")]
    assert any("could not revert" in n and "tax_id" in n and "XX999" not in n for n in notes)


def test_a_revert_whmcs_accepted_but_did_not_apply_is_a_failed_revert(world, ada, monkeypatch):
    """Section 10: after a revert the bridge re-reads the client (GetClientsDetails) to confirm the
    values took; a revert that did not take is `change.revert_failed`."""
    monkeypatch.setitem(HANDLERS, "UpdateClient", lambda _store, call: {"clientid": call.params["clientid"]})
    vars_ = edit_client(world, ada, email="mallory@example.org")
    world.hook("ClientEdit", vars_, actor={**CUSTOMER, "id": ada})
    world.worker.drain()
    assert len(world.emulator.calls_to("UpdateClient")) == 1  # the setup: the revert was sent
    assert client_fields(world, ada)["email"] == "mallory@example.org"
    calls = [c.action for c in world.emulator.calls]
    assert calls[calls.index("UpdateClient") + 1] == "GetClientsDetails"
    assert _entries(world, ada, "change.reverted") == []
    [failed] = _entries(world, ada, "change.revert_failed")
    assert failed["details"]["fields"] == ["email"] and "kept the new value" in failed["details"]["whmcs_message"]
