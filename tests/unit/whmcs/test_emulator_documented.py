"""Contract section 10, the emulator models what a real WHMCS does: documented parameters only,
SendEmail's serialized customvars, EmailPreSend for general templates."""

from __future__ import annotations

import pytest

from bridge.whmcs.emulator import builders as b
from bridge.whmcs.emulator.state import LOOPBACK, SENDING_FAILED, EmulatorState
from bridge.whmcs.phpserial import encode_array
from tests.unit.whmcs.conftest import IDENTIFIER, SECRET, T0
from tests.unit.whmcs.test_emulator_state import error, ok


@pytest.fixture
def client(state):
    with state.locked() as store:
        client = b.add_client(store, firstname="Ada", lastname="L", email="ada@example.com",
                              tax_id="GB1")
        contact = b.add_contact(store, client.id, firstname="C", email="c@example.com",
                                tax_id="GB2")
        invoice = b.add_invoice(store, client.id, status="Unpaid", date=T0.date(),
                                duedate=T0.date())
    return client, contact, invoice


class TestUndocumentedParametersAreIgnored:
    def test_update_contact_ignores_tax_id(self, state, call, client):
        """Section 10: an undocumented parameter is ignored, as WHMCS does: UpdateContact has
        no tax_id."""
        _, contact, _ = client
        ok(call("UpdateContact", contactid=contact.id, city="Leeds", tax_id="XX9"))
        with state.locked() as store:
            fields = store.contacts[contact.id].fields
            assert (fields["city"], fields["tax_id"]) == ("Leeds", "GB2")

    def test_update_client_ignores_emailoptout_and_billingcid(self, state, call, client):
        """Section 10: UpdateClient documents neither `emailoptout` nor `billingcid`."""
        record, contact, _ = client
        ok(call("UpdateClient", clientid=record.id, emailoptout=1, billingcid=contact.id,
                marketingoptin=1))
        with state.locked() as store:
            again = store.clients[record.id]
            assert again.flags["marketing_emails_opt_in"] is True  # the documented one took
            assert again.flags["emailoptout"] is False and again.billingcid == 0
        ok(call("UpdateClient", clientid=record.id, marketingoptin=0))
        assert state.store.clients[record.id].flags["marketing_emails_opt_in"] is False

    def test_contacts_take_email_preferences_not_the_old_flag_names(self, state, call, client):
        _, contact, _ = client
        ok(call("UpdateContact", contactid=contact.id, **{"email_preferences[invoice]": "1"},
                generalemails=1))
        flags = state.store.contacts[contact.id].email_flags
        assert (flags["invoice"], flags["general"]) == (True, False)

    def test_log_activity_takes_clientid_not_userid(self, state, call, client):
        record, _, _ = client
        ok(call("LogActivity", description="one", clientid=record.id))
        ok(call("LogActivity", description="two", userid=record.id))
        assert [a.client_id for a in state.store.activity.values()] == [record.id, 0]


class TestSendEmail:
    def test_customvars_are_read_as_base64_of_a_serialized_array(self, state, call, client):
        """Section 10: SendEmail `customvars` is base64 of a PHP-serialized array."""
        record, _, _ = client
        ok(call("SendEmail", messagename="Privacy Policy Update", id=record.id,
                customvars=encode_array({"policy_version": "3"})))
        [email] = state.store.emails.values()
        assert email.custom_vars == {"policy_version": "3"}
        assert error(call("SendEmail", messagename="Privacy Policy Update", id=record.id,
                          **{"customvars[policy_version]": "3", "customvars": "not base64!"})) == (
            "The custom variables you provided are invalid.")

    def test_email_pre_send_asks_the_validate_sink_for_general_templates_only(self, client):
        """Section 10: SendEmail passes through EmailPreSend; only templates of type `general`
        are asked about; an abort answers WHMCS's "Sending Failed" and sends nothing."""
        asked = []
        answer = {"abort": True}
        state = EmulatorState(validate_sink=lambda e, v: asked.append((e, v)) or answer,
                              allowed_ips=LOOPBACK)
        state.add_credential(IDENTIFIER, SECRET)
        with state.locked() as store:
            record = b.add_client(store, firstname="Ada", lastname="L", email="ada@example.com")
            invoice = b.add_invoice(store, record.id, status="Unpaid", date=T0.date(),
                                    duedate=T0.date())
        base = {"identifier": IDENTIFIER, "secret": SECRET, "responsetype": "json",
                "action": "SendEmail"}
        ok(state.handle({**base, "messagename": "Invoice Created", "id": str(invoice.id)}))
        assert asked == [] and len(state.store.emails) == 1  # invoice mail never waits
        reply = state.handle({**base, "messagename": "Newsletter", "id": str(record.id)})
        assert error(reply) == SENDING_FAILED == "Sending Failed. Please see documentation."
        assert asked == [("EmailPreSend", {"messagename": "Newsletter", "relid": record.id,
                                           "userid": record.id})]
        assert len(state.store.emails) == 1
        answer["abort"] = False
        ok(state.handle({**base, "messagename": "Newsletter", "id": str(record.id)}))
        assert len(state.store.emails) == 2
