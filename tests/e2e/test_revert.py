"""Revert after: a protected change nobody verified is restored through the WHMCS API by the job
worker; the bridge's own write, echoed back by WHMCS, is never reverted."""

from datetime import timedelta

import pytest

from tests.support.whmcs import client_fields, edit_client, edit_contact, first_contact, seeded_active_client

CUSTOMER = {"type": "client", "ip": "203.0.113.5"}


def _types(world, client_id):
    return [e["event_type"] for e in world.services.ledger.client_page(client_id, limit=1000).entries]


@pytest.fixture
def ada(world):
    return seeded_active_client(world)


class TestRevert:
    def test_an_unverified_client_area_change_is_reverted_once(self, world, ada):
        vars_ = edit_client(world, ada, email="mallory@example.org")
        assert world.hook("ClientEdit", vars_, actor={**CUSTOMER, "id": ada}).status_code == 202
        assert world.emulator.calls_to("UpdateClient") == []  # nothing inside the webhook request
        world.worker.drain()
        assert client_fields(world, ada)["email"] == "ada@example.com"
        update = world.emulator.calls_to("UpdateClient")
        assert len(update) == 1 and update[0].change_id
        assert world.forwarded[0]["actor"]["change_id"] == update[0].change_id  # the echo came back
        world.worker.drain()
        assert len(world.emulator.calls_to("UpdateClient")) == 1  # the echo was not reverted again
        assert len(world.emulator.calls_to("AddClientNote")) == 1
        types = _types(world, ada)
        assert types.count("change.reverted") == 1 and "verification.requested" in types
        reverted = next(e for e in world.services.ledger.client_page(ada, limit=100).entries
                        if e["event_type"] == "change.reverted")
        assert reverted["changes"][0]["field"] == "email"
        assert world.services.queue.for_client(ada) == []

    def test_an_admin_change_with_a_current_verification_passes(self, world, ada, tokens):
        world.staff("POST", f"/v1/clients/{ada}/verifications", tokens["agent"],
                    json={"document_type": "passport", "issuing_country": "GB"})
        vars_ = edit_client(world, ada, address1="2 New Street")
        world.hook("ClientEdit", vars_, actor={"type": "admin", "id": 1})
        assert world.worker.drain() == 0
        assert client_fields(world, ada)["address1"] == "2 New Street"

    def test_an_api_change_by_an_exempt_identifier_passes(self, db_url, clock):
        from bridge.demo.world import running_world

        with running_world(db_url, clock, settings={"BRIDGE_EXEMPT_API_IDENTIFIERS": "crm-sync"}) as w:
            client_id = seeded_active_client(w)
            w.hook("ClientEdit", edit_client(w, client_id, phonenumber="+44.1632960999"),
                   actor={"type": "api", "id": "crm-sync"})
            assert w.worker.drain() == 0
            w.hook("ClientEdit", edit_client(w, client_id, phonenumber="+44.1632960888"),
                   actor={"type": "api", "id": "other-script"})
            w.worker.drain()
            assert client_fields(w, client_id)["phonenumber"] == "+44.1632960999"

    def test_a_forged_change_id_from_the_client_area_earns_nothing(self, world, ada):
        world.hook("ClientEdit", edit_client(world, ada, email="x@example.org"),
                   actor={**CUSTOMER, "id": ada, "change_id": "00000000-0000-0000-0000-000000000000"})
        world.worker.drain()
        assert client_fields(world, ada)["email"] == "ada@example.com"

    def test_a_replayed_echo_of_the_bridges_own_write_is_not_trusted_twice(self, world, ada):
        world.hook("ClientEdit", edit_client(world, ada, email="m@example.org"), actor={**CUSTOMER, "id": ada})
        world.worker.drain()
        change_id = world.emulator.calls_to("UpdateClient")[0].change_id
        bridge_api = {"type": "api", "id": world.services.settings.whmcs_identifier, "change_id": change_id}
        world.hook("ClientEdit", edit_client(world, ada, email="again@example.org"), actor=bridge_api)
        world.worker.drain()
        assert client_fields(world, ada)["email"] == "ada@example.com"  # a used change id is spent

    def test_a_contact_change_is_enforced_like_a_client_change(self, world, ada):
        contact = first_contact(world, ada)
        world.hook("ContactEdit", edit_contact(world, contact, email="evil@example.org"),
                   actor={**CUSTOMER, "id": ada})
        world.worker.drain()
        with world.emulator.locked() as store:
            assert store.contact(contact).fields["email"] == "billing@example.com"
        assert len(world.emulator.calls_to("UpdateContact")) == 1

    def test_a_verification_expiring_between_validate_and_the_edit_still_covers_it(self, world, ada, tokens, clock):
        world.staff("POST", f"/v1/clients/{ada}/verifications", tokens["agent"],
                    json={"document_type": "passport", "issuing_country": "GB",
                          "document_expires": (clock.now() + timedelta(days=2)).date().isoformat()})
        # T0 is 20:00, so the document expires at midnight 28 hours later
        clock.advance(timedelta(hours=27, minutes=55))
        current = client_fields(world, ada)
        answer = world.validate("ClientDetailsValidation",
                                {"userid": ada, **current, "email": "ada@new.example", "current": current},
                                actor={**CUSTOMER, "id": ada})
        assert answer.get_json()["allowed"] is True
        clock.advance(timedelta(minutes=10))  # the document expired meanwhile
        world.hook("ClientEdit", edit_client(world, ada, email="ada@new.example"), actor={**CUSTOMER, "id": ada})
        assert world.worker.drain() == 0
        assert client_fields(world, ada)["email"] == "ada@new.example"

    def test_a_late_unverified_event_does_not_clobber_a_newer_value(self, world, ada, tokens):
        first = edit_client(world, ada, city="Bristol")  # unverified, delivered late
        world.staff("POST", f"/v1/clients/{ada}/verifications", tokens["agent"],
                    json={"document_type": "passport", "issuing_country": "GB"})
        second = edit_client(world, ada, city="Leeds")  # verified
        world.hook("ClientEdit", second, actor={"type": "admin", "id": 1})
        first_actor = {**CUSTOMER, "id": ada}
        world.clock.advance(timedelta(seconds=1))
        body = __import__("bridge.demo.hooks", fromlist=["envelope"]).envelope(
            "ClientEdit", first, actor=first_actor, at=world.clock.now() - timedelta(days=1))
        world.post("/v1/hooks/whmcs", body)
        world.worker.drain()
        assert client_fields(world, ada)["city"] == "Leeds"
        assert world.emulator.calls_to("UpdateClient") == []

    def test_whmcs_refusing_the_revert_is_final_recorded_and_noted(self, world, ada):
        world.emulator.fail("UpdateClient", "error", message="Duplicate Email Address")
        world.hook("ClientEdit", edit_client(world, ada, email="dup@example.org"), actor={**CUSTOMER, "id": ada})
        world.worker.drain()
        types = _types(world, ada)
        assert "change.revert_failed" in types and "change.reverted" not in types
        notes = world.emulator.calls_to("AddClientNote")
        assert len(notes) == 1

    def test_whmcs_down_keeps_the_revert_pending_until_it_succeeds(self, world, ada, clock):
        world.emulator.fail("GetClientsDetails", "http500", times=10)  # beyond the read retries
        world.hook("ClientEdit", edit_client(world, ada, lastname="Byron"), actor={**CUSTOMER, "id": ada})
        world.worker.drain()
        jobs = world.services.queue.for_client(ada)
        assert len(jobs) == 1 and jobs[0].status == "pending" and "unavailable" in jobs[0].last_error
        for _ in range(5):
            clock.advance(timedelta(minutes=2))
            world.worker.drain()
        assert client_fields(world, ada)["lastname"] == "Lovelace"
        assert world.services.queue.for_client(ada) == []

    def test_a_revert_write_met_by_a_500_is_sent_once_and_its_job_retries_it(self, world, ada, clock):
        """The client sends a write once; the revert job, retried by the worker's backoff, re-reads
        the customer and sends it again."""
        world.emulator.fail("UpdateClient", "http500", times=1)
        world.hook("ClientEdit", edit_client(world, ada, lastname="Byron"), actor={**CUSTOMER, "id": ada})
        world.worker.drain()
        assert [c.outcome for c in world.emulator.calls_to("UpdateClient")] == ["fault:http500"]
        [job] = world.services.queue.for_client(ada)
        assert job.status == "pending" and job.last_error == "WHMCS unavailable during UpdateClient"
        reads_before = len(world.emulator.calls_to("GetClientsDetails"))
        clock.advance(timedelta(minutes=2))
        world.worker.drain()
        assert [c.outcome for c in world.emulator.calls_to("UpdateClient")] == ["fault:http500", "success"]
        assert len(world.emulator.calls_to("GetClientsDetails")) > reads_before  # re-read before writing again
        assert client_fields(world, ada)["lastname"] == "Lovelace"
        assert world.services.queue.for_client(ada) == []
