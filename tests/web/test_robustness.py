"""Contract section 10 at the HTTP level: clocks, form input as data, a customer's own data only,
and the bridge's own writes bound to their subject. Each test names the rule it shows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bridge.clock import rfc3339
from tests.support.fixtures import hook

VALIDATE = "/v1/hooks/whmcs/validate"
EVENTS = "/v1/hooks/whmcs"
CLIENT = 1042
OTHER = 2077
ATTESTATION = {"document_type": "passport", "issuing_country": "GB"}


def at(clock, delta: timedelta = timedelta(0)) -> str:
    return rfc3339(clock.now() + delta).replace(".000000Z", "Z")


def post(client, signer, path, data):
    body, headers = signer.request(data)
    return client.post(path, data=body, headers=headers)


def validate(client, signer, data):
    response = post(client, signer, VALIDATE, data)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def event(client, signer, data):
    response = post(client, signer, EVENTS, data)
    assert response.status_code == 202, response.get_json()
    return response.get_json()["entries"]


def ledger(client, token_for, client_id=CLIENT):
    return client.get(f"/v1/clients/{client_id}/ledger", headers=token_for("dpo")).get_json()["entries"]


def reverts(services, client_id=CLIENT):
    return [job for job in services.queue.for_client(client_id) if job.kind == "revert"]


@pytest.fixture
def verify(client, token_for):
    def record(client_id=CLIENT):
        response = client.post(f"/v1/clients/{client_id}/verifications", json=ATTESTATION,
                               headers=token_for("agent"))
        assert response.status_code == 201, response.get_json()

    return record


def email_edit(clock, *, occurred: timedelta = timedelta(0), email="jane@example.org", **vars_):
    data = hook("ClientEdit", occurred_at=at(clock, occurred))
    data["vars"].update(email=email, phonenumber=data["vars"]["olddata"]["phonenumber"],
                        address1=data["vars"]["olddata"]["address1"], **vars_)
    return data


class TestClocks:
    def test_an_occurred_at_in_the_bridges_future_is_taken_as_now_and_kept(self, client, signer, clock, token_for):
        """Section 10, clocks: an occurred_at later than now + tolerance is taken as the bridge's
        now, and the value sent is kept in the entry's details."""
        sent = at(clock, timedelta(days=400))
        event(client, signer, hook("ClientClose", occurred_at=sent))
        [entry] = [e for e in ledger(client, token_for) if e["event_type"] == "client.closed"]
        assert entry["event_type"] == "client.closed"
        assert entry["occurred_at"] == rfc3339(clock.now())
        assert entry["details"]["occurred_at_sent"] == rfc3339(clock.now() + timedelta(days=400))

    def test_an_occurred_at_within_the_tolerance_is_kept_as_sent(self, client, signer, clock, token_for):
        """Section 10, clocks: WHMCS's clock may run up to the tolerance ahead; that is no future."""
        event(client, signer, hook("ClientClose", occurred_at=at(clock, timedelta(seconds=240))))
        [entry] = [e for e in ledger(client, token_for) if e["event_type"] == "client.closed"]
        assert entry["occurred_at"] == rfc3339(clock.now() + timedelta(seconds=240))
        assert "occurred_at_sent" not in entry["details"]

    def test_a_verification_recorded_a_moment_ago_allows_a_call_stamped_in_whole_seconds(
            self, client, signer, clock, verify):
        """Section 10, clocks: a verification recorded before the bridge received the call allows
        it, whatever occurred_at (WHMCS's clock, in whole seconds) says."""
        data = hook("ClientDetailsValidation", occurred_at=at(clock))  # 20:00:00
        assert validate(client, signer, data)["allowed"] is False  # the setup: a real change
        clock.advance(timedelta(milliseconds=600))
        verify()  # 20:00:00.6, after the call's stamp
        assert validate(client, signer, data) == {"allowed": True, "errors": []}

    def test_the_allowance_covers_a_late_delivery_by_whmcs_time(self, client, signer, clock, services, verify,
                                                                 token_for):
        """Section 10, clocks: the allowance covers the ClientEdit whose occurred_at is within 15
        minutes of the call's, however late the outbox delivers it."""
        verify()
        call = hook("ClientDetailsValidation", occurred_at=at(clock))
        assert validate(client, signer, call)["allowed"] is True
        client.delete(f"/v1/clients/{CLIENT}/verifications/current", headers=token_for("agent"))
        edit = email_edit(clock, occurred=timedelta(minutes=1))
        clock.advance(timedelta(hours=3))  # the outbox delivers it three hours later
        seqs = event(client, signer, edit)
        update = {e["seq"]: e for e in ledger(client, token_for)}[seqs[0]]
        assert update["event_type"] == "client.updated" and "email" in {c["field"] for c in update["changes"]}
        assert reverts(services) == []

    def test_the_allowance_covers_an_edit_arriving_soon_after_whatever_whmcs_stamps(
            self, client, signer, clock, services, verify, token_for):
        """Section 10, clocks: the allowance covers the ClientEdit that arrives within 15 minutes of
        the call (the bridge's clock), even when WHMCS stamped it far from the call."""
        verify()
        assert validate(client, signer, hook("ClientDetailsValidation", occurred_at=at(clock)))["allowed"] is True
        client.delete(f"/v1/clients/{CLIENT}/verifications/current", headers=token_for("agent"))
        clock.advance(timedelta(minutes=2))
        event(client, signer, email_edit(clock, occurred=timedelta(minutes=-40)))
        assert reverts(services) == []

    def test_an_edit_far_from_the_call_on_both_clocks_is_reverted(self, client, signer, clock, services, verify,
                                                                   token_for):
        """Section 10, clocks: outside both windows the allowance no longer counts (the control)."""
        verify()
        assert validate(client, signer, hook("ClientDetailsValidation", occurred_at=at(clock)))["allowed"] is True
        client.delete(f"/v1/clients/{CLIENT}/verifications/current", headers=token_for("agent"))
        clock.advance(timedelta(hours=1))
        event(client, signer, email_edit(clock))
        assert len(reverts(services)) == 1


class TestFormInputIsData:
    @pytest.mark.parametrize("value", [["jane@example.org"], {"0": "x"}, 12.5, True])
    def test_an_unreadable_protected_value_is_a_change_never_a_400(self, client, signer, value):
        """Section 10, form input is data: a form value the bridge cannot read is a change of that
        field when the field is protected (blocked without a verification), never a 400."""
        data = hook("ClientDetailsValidation")
        data["vars"]["email"] = data["vars"]["current"]["email"]
        assert validate(client, signer, data)["allowed"] is True  # the setup: nothing else changed
        data["vars"]["email"] = value
        answer = validate(client, signer, data)
        assert answer["allowed"] is False and "email" in answer["errors"][0]

    def test_an_unreadable_currency_is_a_billing_change(self, client, signer):
        """Section 10: an unknown currency is a change of a protected billing field."""
        data = hook("ClientDetailsValidation")
        data["vars"]["email"] = data["vars"]["current"]["email"]
        data["vars"]["currency"] = "EUR-not-an-id"
        assert validate(client, signer, data)["allowed"] is False

    def test_an_unreadable_unprotected_value_and_unknown_keys_are_ignored(self, client, signer):
        """Section 10: a value it cannot read is ignored when the field is not protected; unknown
        keys and odd keys in email_preferences are ignored."""
        data = hook("ClientDetailsValidation")
        data["vars"]["email"] = data["vars"]["current"]["email"]
        data["vars"].update(language=["x"], emailoptout={"a": 1}, brand_new_key=[1, {"2": 3}],
                            email_preferences={"general": "1", "weird key!": "1", "": []})
        assert validate(client, signer, data) == {"allowed": True, "errors": []}

    @pytest.mark.parametrize("body", [b"not json", b'{"vars": {}}', b"\xff\xfe"])
    def test_only_a_malformed_envelope_is_400(self, client, signer, body):
        """Section 10: 400 only for a malformed envelope (not JSON, no event, not valid Unicode)."""
        response = post(client, signer, VALIDATE, body)
        assert response.status_code == 400

    def test_vars_not_an_object_is_400(self, client, signer):
        """Section 10: `vars` not an object is a malformed envelope."""
        assert post(client, signer, VALIDATE, hook("ClientDetailsValidation", vars=["x"])).status_code == 400

    def test_the_default_gateway_word_is_no_change(self, client, signer):
        """Section 10, WHMCS's forms: Twenty-One posts paymentmethod=none for the default gateway,
        which WHMCS stores as empty: an ordinary save is no change of a protected billing field."""
        data = hook("ClientDetailsValidation")
        data["vars"]["email"] = data["vars"]["current"]["email"]
        data["vars"]["current"]["paymentmethod"] = ""
        data["vars"]["paymentmethod"] = "none"
        assert validate(client, signer, data)["allowed"] is True
        data["vars"]["paymentmethod"] = "paypal"
        assert validate(client, signer, data)["allowed"] is False

    def test_a_locked_field_is_absent_and_absent_is_unchanged(self, client, signer):
        """Section 10, WHMCS's forms: a locked (disabled) field is not posted; absent means unchanged."""
        data = hook("ClientDetailsValidation")
        for name in ("email", "tax_id", "country", "paymentmethod"):
            data["vars"].pop(name)
        assert validate(client, signer, data) == {"allowed": True, "errors": []}

    def test_an_event_with_an_unreadable_protected_value_is_recorded_flagged_and_reverted(
            self, client, signer, clock, services, token_for):
        """Section 10: an event whose envelope is sound is recorded even when some vars cannot be
        read: they are dropped and named in details; a protected one counts as changed with an
        unknown new value, flagged to staff and (unverified) restored from olddata."""
        data = email_edit(clock, email=["Array"])
        seqs = event(client, signer, data)
        entries = {e["seq"]: e for e in ledger(client, token_for)}
        update = entries[seqs[0]]
        assert update["event_type"] == "client.updated"
        assert update["details"]["unreadable"] == ["email"]
        assert update["details"]["unknown_new"] == ["email"]
        lost = {"field": "email", "category": "contact", "old": "jane.doe@example.com", "new": None}
        assert lost in update["changes"]
        flagged = [e["details"] for e in entries.values() if e["event_type"] == "change.unchecked"]
        assert {"fields": ["email"], "reason": "new value unreadable", "entry_seq": seqs[0]} in flagged
        [job] = reverts(services)
        assert job.payload["fields"] == ["email"] and job.payload["unknown_new"] == ["email"]

    def test_a_truncated_protected_value_counts_as_changed(self, client, signer, clock, services, token_for):
        """Section 10: a value the hook cut to 64 KiB (named in `truncated`) is not the value WHMCS
        holds: a protected one counts as changed with an unknown new value."""
        data = email_edit(clock, email="jane.doe@example.com")  # the stored email: only address1 moved
        data["vars"]["address1"] = "x" * 65536
        data["truncated"] = ["address1"]
        seqs = event(client, signer, data)
        update = {e["seq"]: e for e in ledger(client, token_for)}[seqs[0]]
        assert update["details"]["truncated"] == ["address1"]
        assert update["details"]["unknown_new"] == ["address1"]
        assert [j.payload["fields"] for j in reverts(services)] == [["address1"]]

    def test_values_that_normalise_to_the_stored_ones_are_no_change_in_events_either(
            self, client, signer, clock, services, token_for):
        """Section 10: values are normalised once, the same way for validate and after the fact:
        a change that normalises to the stored value is not a change anywhere."""
        data = email_edit(clock, email="  JANE.DOE@Example.COM ")
        data["vars"]["phonenumber"] = "+44 1632 960001"
        seqs = event(client, signer, data)
        update = {e["seq"]: e for e in ledger(client, token_for)}[seqs[0]]
        assert update["event_type"] == "client.updated"
        assert not {"email", "phonenumber"} & {c["field"] for c in update["changes"]}
        assert reverts(services) == []


class TestOwnDataOnly:
    def _known_contact_of_other(self, client, signer):
        """Another customer's contact 77, known to the bridge with its values."""
        data = hook("ContactEdit", actor={"type": "admin", "id": 1})
        data["vars"].update(userid=OTHER, firstname="Zora", address2="Tower 9", email="zora@other.example")
        event(client, signer, data)

    def _guess(self, email: str):
        data = hook("ContactDetailsValidation", actor={"type": "client", "id": CLIENT, "user_id": 2042})
        data["vars"].pop("current")
        data["vars"]["email"] = email
        return data

    def test_guesses_of_another_customers_contact_get_the_same_answer(self, client, signer, token_for):
        """Section 10, own data only: a contactid the bridge does not know as a contact of
        vars.userid is compared only against vars.current; with neither, every posted protected
        field counts as changed, so a right and a wrong guess get the same answer."""
        self._known_contact_of_other(client, signer)
        assert ledger(client, token_for, OTHER)  # the setup: the other customer's contact is known
        right = validate(client, signer, self._guess("zora@other.example"))
        wrong = validate(client, signer, self._guess("nobody@example.com"))
        assert right == wrong and right["allowed"] is False

    def test_no_value_of_another_customer_reaches_this_ones_ledger(self, client, signer, token_for):
        """Section 10, own data only: no value of another customer ever appears in an entry or an
        export of this customer."""
        self._known_contact_of_other(client, signer)
        validate(client, signer, self._guess("zora@other.example"))
        mine = ledger(client, token_for)
        assert [e["event_type"] for e in mine] == ["change.blocked", "verification.requested"]
        assert all(change["old"] is None for change in mine[0]["changes"])  # nothing of the other's
        text = str(mine)
        assert "Zora" not in text and "Tower 9" not in text

    def test_the_current_sent_by_the_hook_is_still_compared(self, client, signer):
        """Section 10: vars.current (read by the hook for this client's contacts alone) is used."""
        data = hook("ContactDetailsValidation", actor={"type": "client", "id": CLIENT})
        data["vars"]["email"] = data["vars"]["current"]["email"]
        assert validate(client, signer, data) == {"allowed": True, "errors": []}


class TestBoundChangeIds:
    @pytest.fixture
    def base_env(self, base_env):
        return {**base_env, "BRIDGE_WHMCS_IDENTIFIER": "bridge-api"}

    def _issue(self, services, subject_client=CLIENT):
        return services.changes.issue(subject_client, f"test:{subject_client}")

    def _echo(self, clock, change_id, *, client_id=CLIENT, occurred=timedelta(seconds=5)):
        data = email_edit(clock, occurred=occurred)
        data["vars"]["userid"] = client_id
        data["actor"] = {"type": "api", "id": "bridge-api", "change_id": change_id}
        return data

    def test_the_bridges_own_write_is_not_reverted(self, client, signer, clock, services):
        """Section 10: a change_id works for the client it was issued for (the control)."""
        change_id = self._issue(services)
        event(client, signer, self._echo(clock, change_id))
        assert reverts(services) == []

    def test_on_another_client_it_earns_nothing(self, client, signer, clock, services):
        """Section 10: a change_id is bound to the client it was issued for; on any other subject
        it earns nothing."""
        change_id = self._issue(services)
        event(client, signer, self._echo(clock, change_id, client_id=OTHER))
        assert len(reverts(services, OTHER)) == 1

    def test_it_works_once(self, client, signer, clock, services):
        """Section 10: a change_id works once."""
        change_id = self._issue(services)
        event(client, signer, self._echo(clock, change_id))
        assert reverts(services) == []
        event(client, signer, self._echo(clock, change_id, occurred=timedelta(seconds=30)))
        assert len(reverts(services)) == 1

    def test_it_expires_after_15_minutes(self, client, signer, clock, services):
        """Section 10: a change_id expires 15 minutes after it was issued."""
        change_id = self._issue(services)
        clock.advance(timedelta(minutes=16))
        event(client, signer, self._echo(clock, change_id, occurred=timedelta(0)))
        assert len(reverts(services)) == 1

    def test_a_contacts_change_id_does_not_cover_the_client(self, client, signer, clock, services):
        """Section 10: bound to the contact it was issued for, it does not cover its client."""
        from bridge.verification.policy import CHANGE_TTL

        now = clock.now()
        services.stores.verification.issue_change("c-77", client_id=CLIENT, subject="contact:77", purpose="t",
                                                 at=now, expires_at=now + CHANGE_TTL)
        event(client, signer, self._echo(clock, "c-77"))
        assert len(reverts(services)) == 1
