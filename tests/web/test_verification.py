"""Verification: attestations, the validate gate (block before), the pending queue, and
third-party disclosures. The revert path against the emulator is in test_revert.py."""

from datetime import timedelta

import pytest

from tests.support.fixtures import hook

VALIDATE = "/v1/hooks/whmcs/validate"
EVENTS = "/v1/hooks/whmcs"
CLIENT = 1042
ATTESTATION = {"document_type": "passport", "issuing_country": "GB", "document_last4": "1234",
               "note": "seen on video call"}


def validate(client, signer, data):
    body, headers = signer.request(data)
    response = client.post(VALIDATE, data=body, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def email_change(**actor):
    data = hook("ClientDetailsValidation")
    data["actor"] = {**data["actor"], **actor}
    return data


@pytest.fixture
def verify(client, token_for):
    def record(client_id=CLIENT, **extra):
        response = client.post(f"/v1/clients/{client_id}/verifications", json={**ATTESTATION, **extra},
                               headers=token_for("agent"))
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return record


class TestAttestations:
    def test_recording_a_check_answers_201_with_its_validity(self, verify, clock):
        body = verify()
        assert body["client_id"] == CLIENT and body["document_type"] == "passport"
        assert body["expires_at"].startswith((clock.now() + timedelta(days=30)).date().isoformat())
        assert "1234" not in str(body) and "video" not in str(body)

    def test_a_document_expiring_sooner_shortens_the_validity(self, verify, clock):
        soon = (clock.now() + timedelta(days=5)).date().isoformat()
        assert verify(document_expires=soon)["expires_at"].startswith(soon)

    def test_an_expired_document_is_422(self, client, token_for, clock):
        past = (clock.now() - timedelta(days=1)).date().isoformat()
        response = client.post(f"/v1/clients/{CLIENT}/verifications", json={**ATTESTATION, "document_expires": past},
                               headers=token_for("agent"))
        assert response.status_code == 422 and "document_expires" in response.get_json()["errors"]

    @pytest.mark.parametrize("bad", [{"document_type": "selfie"}, {"issuing_country": "gbr"},
                                     {"document_last4": "123456789"}, {"image": "base64..."}, {"note": "x" * 501}])
    def test_bad_attestations_are_400_with_field_errors(self, client, token_for, bad):
        response = client.post(f"/v1/clients/{CLIENT}/verifications", json={**ATTESTATION, **bad},
                               headers=token_for("agent"))
        assert response.status_code == 400 and response.get_json()["errors"]

    def test_revoke_then_revoke_again_is_404(self, client, token_for, verify):
        verify()
        url = f"/v1/clients/{CLIENT}/verifications/current"
        assert client.delete(url, headers=token_for("agent")).status_code == 204
        assert client.delete(url, headers=token_for("agent")).status_code == 404

    def test_both_are_ledger_entries_with_the_staff_actor(self, client, token_for, verify):
        verify()
        client.delete(f"/v1/clients/{CLIENT}/verifications/current", headers=token_for("agent"))
        entries = client.get(f"/v1/clients/{CLIENT}/ledger", headers=token_for("dpo")).get_json()["entries"]
        assert [e["event_type"] for e in entries] == ["verification.recorded", "verification.revoked"]
        assert entries[0]["actor"] == {"type": "staff", "id": "t-agent", "user_id": None, "ip": None,
                                       "masquerading": False}
        assert entries[0]["details"]["document_last4"] == "1234"


class TestValidateGate:
    def test_an_unverified_email_change_is_blocked_with_a_clear_message(self, client, signer, token_for):
        answer = validate(client, signer, email_change())
        assert answer["allowed"] is False
        assert "email address" in answer["errors"][0] and "identity" in answer["errors"][0]
        queue = client.get("/v1/verifications?status=pending", headers=token_for("agent")).get_json()["items"]
        assert [(i["client_id"], i["fields"]) for i in queue] == [(CLIENT, ["email"])]
        assert queue[0]["actor"] == {"type": "client", "id": str(CLIENT), "user_id": 2042}

    def test_a_verified_customer_may_change_and_the_queue_empties(self, client, signer, token_for, verify):
        validate(client, signer, email_change())
        verify()
        assert validate(client, signer, email_change()) == {"allowed": True, "errors": []}
        assert client.get("/v1/verifications", headers=token_for("agent")).get_json()["items"] == []

    def test_a_verification_naming_a_user_covers_only_that_user(self, client, signer, verify):
        verify(user_id=9999)
        assert validate(client, signer, email_change())["allowed"] is False
        assert validate(client, signer, email_change(user_id=9999))["allowed"] is True

    def test_comparison_ignores_case_spacing_and_phone_punctuation(self, client, signer):
        data = hook("ClientDetailsValidation")
        data["vars"]["email"] = "  JANE.DOE@Example.NET "
        data["vars"]["phonenumber"] = "+44 1632 960001"
        assert validate(client, signer, data)["allowed"] is True

    def test_new_sign_ups_and_new_contacts_pass(self, client, signer):
        signup = hook("ClientDetailsValidation")
        signup["vars"].pop("userid")
        assert validate(client, signer, signup)["allowed"] is True
        contact = hook("ContactDetailsValidation")
        contact["vars"].pop("contactid")
        assert validate(client, signer, contact)["allowed"] is True

    def test_a_contact_change_is_enforced_like_a_client_change(self, client, signer):
        answer = validate(client, signer, hook("ContactDetailsValidation"))
        assert answer["allowed"] is False and "email address" in answer["errors"][0]

    def test_actors_outside_the_enforced_set_pass(self, client, signer):
        assert validate(client, signer, email_change(type="system", id="x"))["allowed"] is True

    def test_without_current_or_history_the_change_is_allowed_and_recorded_unchecked(self, client, signer, token_for):
        data = hook("ClientDetailsValidation")
        data["vars"].pop("current")
        assert validate(client, signer, data)["allowed"] is True
        entries = client.get(f"/v1/clients/{CLIENT}/ledger", headers=token_for("auditor")).get_json()["entries"]
        assert [e["event_type"] for e in entries] == ["change.unchecked"]

    def test_without_current_the_last_known_state_is_used(self, client, signer):
        body, headers = signer.request(hook("ClientEdit", actor={"type": "admin", "id": 1}))
        client.post(EVENTS, data=body, headers=headers)  # admin edit: recorded, state known
        data = hook("ClientDetailsValidation")
        data["vars"].pop("current")
        data["vars"]["email"] = hook("ClientEdit")["vars"]["email"]
        data["vars"]["phonenumber"] = hook("ClientEdit")["vars"]["phonenumber"]
        data["vars"]["address1"] = hook("ClientEdit")["vars"]["address1"]
        assert validate(client, signer, data)["allowed"] is True
        data["vars"]["email"] = "someone.else@example.org"
        assert validate(client, signer, data)["allowed"] is False

    def test_validate_calls_are_signed_but_not_deduplicated(self, client, signer):
        data = email_change()
        body, headers = signer.request(data, webhook_id="msg_same")
        first = client.post(VALIDATE, data=body, headers=headers)
        second = client.post(VALIDATE, data=body, headers=headers)
        assert first.get_json() == second.get_json()
        unsigned = client.post(VALIDATE, data=body, headers={"Content-Type": "application/json"})
        assert unsigned.status_code == 401

    def test_every_answer_has_allowed_and_errors_and_emailpresend_has_abort(self, client, signer):
        assert set(validate(client, signer, hook("ClientDetailsValidation"))) == {"allowed", "errors"}
        assert validate(client, signer, hook("EmailPreSend")) == {"allowed": True, "errors": [], "abort": False}


class TestEmailPreSend:
    def test_marketing_mail_to_an_opted_out_customer_is_aborted_and_recorded(self, base_env, clock, signer):
        from bridge.web.app import create_app
        from tests.support.web import make_services

        services = make_services({**base_env, "BRIDGE_MARKETING_TEMPLATES": "Newsletter"}, clock)
        try:
            app = create_app(services=services)
            client = app.test_client()
            edit = hook("ClientEdit", actor={"type": "admin", "id": 1})  # opted out (emailoptout on)
            body, headers = signer.request(edit)
            client.post(EVENTS, data=body, headers=headers)
            mail = hook("EmailPreSend")
            mail["vars"].update(messagename="Newsletter", userid=CLIENT)
            assert validate(client, signer, mail) == {"allowed": False, "errors": [], "abort": True}
            mail["vars"]["messagename"] = "Invoice Created"
            assert validate(client, signer, mail)["abort"] is False
            types = [e["event_type"] for e in services.ledger.client_page(CLIENT, limit=50).entries]
            assert types.count("marketing.suppressed") == 1
        finally:
            services.dispose()


class TestThirdPartyDisclosures:
    def test_only_the_three_grounds_are_accepted(self, client, token_for):
        url = f"/v1/clients/{CLIENT}/disclosures"
        good = {"recipient": "Example Police", "ground": "legal_process", "reference": "Court order 12/2026",
                "categories": ["contact", "billing"]}
        created = client.post(url, json=good, headers=token_for("dpo"))
        assert created.status_code == 201
        refused = client.post(url, json={**good, "ground": "marketing_partner"}, headers=token_for("dpo"))
        assert refused.status_code == 422 and refused.get_json()["type"] == "/problems/invalid-ground"
        listed = client.get(url, headers=token_for("dpo")).get_json()["items"]
        assert [(i["recipient"], i["ground"], i["reference"]) for i in listed] == [
            ("Example Police", "legal_process", "Court order 12/2026")]
        assert client.get(url, headers=token_for("agent")).status_code == 403

    def test_billing_disclosure_is_refused_and_recorded_without_verification(self, client, token_for):
        response = client.post(f"/v1/clients/{CLIENT}/billing-disclosures",
                               json={"channel": "phone", "purpose": "customer asked for last invoice total"},
                               headers=token_for("agent"))
        assert response.status_code == 403
        assert response.get_json()["type"] == "/problems/verification-required"
        entries = client.get(f"/v1/clients/{CLIENT}/ledger", headers=token_for("dpo")).get_json()["entries"]
        assert entries[-1]["event_type"] == "disclosure.billing_refused"
        assert entries[-1]["details"]["purpose"] == "customer asked for last invoice total"
