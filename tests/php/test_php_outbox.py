"""The durable outbox of contract section 8: write first, deliver in order, retry from cron."""

from __future__ import annotations

import base64
import secrets
import socket
from datetime import UTC, datetime, timedelta

import pytest

from tests.php.whmcs_harness import EVENTS_PATH, Reply, client_area, cron

pytestmark = pytest.mark.php

EDIT = {"userid": 42, "email": "new@example.com", "olddata": {"email": "old@example.com"}}


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def days_ago(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%d %H:%M:%S")


class TestTable:
    def test_is_created_with_the_contract_columns(self, whmcs):
        whmcs.fire("ClientClose", {"userid": 42}, client_area())

        columns = {c["name"] for c in whmcs.query("PRAGMA table_info(mod_privacy_bridge_outbox)")}
        assert columns == {
            "id", "webhook_id", "event", "payload", "attempts", "next_attempt_at",
            "delivered_at", "dead_at", "last_error", "created_at",
        }  # fmt: skip

    def test_a_failed_event_keeps_its_payload_without_secrets(self, whmcs, receiver):
        receiver.queue(EVENTS_PATH, Reply(503))

        whmcs.fire("UserAdd", {"user_id": 7, "email": "a@example.com", "password": "pw-123"})

        [row] = whmcs.outbox()
        assert row["payload"] and "pw-123" not in row["payload"] and "password" not in row["payload"]
        assert row["attempts"] == 1 and row["last_error"] == "HTTP 503"


class TestRetry:
    def test_bridge_down_then_cron_delivers(self, whmcs, receiver):
        whmcs.configure(bridge_url=closed_port_url())
        whmcs.fire("ClientEdit", EDIT, client_area())
        [row] = whmcs.outbox()
        assert row["attempts"] == 1 and row["delivered_at"] is None and row["dead_at"] is None
        assert row["last_error"].startswith("curl error 7")
        assert row["next_attempt_at"] > datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")

        whmcs.configure()
        whmcs.fire("AfterCronJob", {}, cron())
        assert receiver.events() == []  # the backoff has not elapsed yet

        whmcs.make_due()
        whmcs.fire("AfterCronJob", {}, cron())

        [event] = receiver.events()
        assert event["event"] == "ClientEdit" and event["outbox_id"] == row["id"]
        assert event["actor"]["type"] == "client"  # the actor of the original request, not cron
        [row] = whmcs.outbox()
        assert row["delivered_at"] is not None and row["payload"] is None and row["attempts"] == 2

    def test_500_then_202_resends_the_same_webhook_id_signed_again(self, whmcs, receiver):
        receiver.queue(EVENTS_PATH, Reply(500))
        whmcs.fire("ClientEdit", EDIT, client_area())
        whmcs.make_due()

        whmcs.fire("AfterCronJob", {}, cron())

        first, second = receiver.requests(EVENTS_PATH)
        assert first.verified and second.verified
        assert first.headers["webhook-id"] == second.headers["webhook-id"]
        assert first.body == second.body
        assert whmcs.outbox()[0]["delivered_at"] is not None

    def test_a_final_400_marks_the_row_dead_and_logs_it(self, whmcs, receiver):
        receiver.queue(EVENTS_PATH, Reply(400, {"title": "bad"}))
        run = whmcs.fire("ContactEdit", {"userid": 42, "contactid": 5}, client_area())
        whmcs.make_due()
        whmcs.fire("AfterCronJob", {}, cron())

        [row] = whmcs.outbox()
        assert row["dead_at"] is not None and row["attempts"] == 1 and row["last_error"] == "HTTP 400"
        assert len(receiver.requests(EVENTS_PATH)) == 1
        assert any("given up" in line for line in run.activity)

    @pytest.mark.parametrize("status", [401, 408, 429, 500, 502, 503])
    def test_retryable_statuses_are_retried(self, whmcs, receiver, status):
        receiver.queue(EVENTS_PATH, Reply(status))
        whmcs.fire("ClientClose", {"userid": 42}, client_area())
        assert whmcs.outbox()[0]["dead_at"] is None

        whmcs.make_due()
        whmcs.fire("AfterCronJob", {}, cron())

        assert whmcs.outbox()[0]["delivered_at"] is not None

    @pytest.mark.parametrize("status", [403, 404, 409, 413, 422])
    def test_other_4xx_are_final(self, whmcs, receiver, status):
        receiver.queue(EVENTS_PATH, Reply(status))

        whmcs.fire("ClientClose", {"userid": 42}, client_area())

        assert whmcs.outbox()[0]["dead_at"] is not None

    def test_a_wrong_secret_is_retried_and_flagged_until_fixed(self, whmcs, receiver):
        wrong = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
        whmcs.configure(webhook_secret=wrong)
        run = whmcs.fire("ClientClose", {"userid": 42}, client_area())
        assert [r.verified for r in receiver.requests()] == [False]
        assert any("webhook_secret" in line for line in run.activity)

        whmcs.configure()
        whmcs.make_due()
        whmcs.fire("AfterCronJob", {}, cron())

        assert len(receiver.events()) == 1 and whmcs.outbox()[0]["delivered_at"] is not None

    def test_a_rotation_list_signs_with_every_secret(self, whmcs, receiver):
        new = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
        whmcs.configure(webhook_secret=f"{new},{receiver.secret}")

        whmcs.fire("ClientClose", {"userid": 42}, client_area())

        [request] = receiver.requests()
        assert request.verified and len(request.headers["webhook-signature"].split(" ")) == 2

    def test_dead_after_max_attempts(self, whmcs, receiver):
        whmcs.configure(max_attempts=2)
        receiver.queue(EVENTS_PATH, Reply(500), Reply(500))
        whmcs.fire("ClientClose", {"userid": 42}, client_area())
        whmcs.make_due()

        whmcs.fire("AfterCronJob", {}, cron())

        [row] = whmcs.outbox()
        assert row["attempts"] == 2 and row["dead_at"] is not None
        whmcs.fire("AfterCronJob", {}, cron())
        assert len(receiver.requests(EVENTS_PATH)) == 2  # cron also asks /work for erasure orders

    def test_backoff_grows_exponentially(self, whmcs, receiver):
        receiver.queue(EVENTS_PATH, *[Reply(500)] * 3)
        whmcs.fire("ClientClose", {"userid": 42}, client_area())
        delays = []
        for _ in range(2):
            row = whmcs.outbox()[0]
            delays.append(
                datetime.strptime(row["next_attempt_at"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC) - datetime.now(UTC)
            )
            whmcs.make_due()
            whmcs.fire("AfterCronJob", {}, cron())
        row = whmcs.outbox()[0]
        delays.append(
            datetime.strptime(row["next_attempt_at"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC) - datetime.now(UTC)
        )

        seconds = [round(d.total_seconds() / 60) for d in delays]
        assert seconds == [1, 2, 4]  # minutes


class TestTimeouts:
    def test_a_slow_bridge_does_not_hold_the_page(self, whmcs, receiver):
        whmcs.configure(connect_timeout_ms=200, timeout_ms=300)
        receiver.queue(EVENTS_PATH, Reply(202, delay=10))

        run = whmcs.fire("ClientEdit", EDIT, client_area())

        assert run.elapsed < 3.0  # 0.3 s timeout plus PHP start-up, generously
        [row] = whmcs.outbox()
        assert row["delivered_at"] is None and row["last_error"].startswith("curl error 28")


class TestOrder:
    def test_no_delivery_jumps_an_older_pending_row(self, whmcs, receiver):
        receiver.queue(EVENTS_PATH, Reply(500))
        whmcs.fire("ClientEdit", {**EDIT, "email": "first@example.com"}, client_area())
        whmcs.fire("ClientEdit", {**EDIT, "email": "second@example.com"}, client_area())

        assert len(receiver.requests()) == 1  # the second event waits behind the first
        first, second = whmcs.outbox()
        assert second["attempts"] == 0

        receiver.queue(EVENTS_PATH, Reply(503))
        whmcs.make_due()
        whmcs.fire("AfterCronJob", {}, cron())
        assert len(receiver.requests(EVENTS_PATH)) == 2  # the head failed again: nothing behind it was tried

        whmcs.make_due()
        whmcs.fire("AfterCronJob", {}, cron())

        emails = [e["vars"]["email"] for e in receiver.events()]
        assert emails[-2:] == ["first@example.com", "second@example.com"]
        assert [e["outbox_id"] for e in receiver.events()[-2:]] == [first["id"], second["id"]]

    def test_a_dead_row_does_not_block_the_rows_behind_it(self, whmcs, receiver):
        receiver.queue(EVENTS_PATH, Reply(500), Reply(422))
        whmcs.fire("ClientClose", {"userid": 1}, client_area())
        whmcs.fire("ClientClose", {"userid": 2}, client_area())
        whmcs.make_due()

        whmcs.fire("AfterCronJob", {}, cron())

        first, second = whmcs.outbox()
        assert first["dead_at"] is not None and second["delivered_at"] is not None


class TestPruning:
    def test_old_delivered_and_dead_rows_go_after_30_days(self, whmcs, receiver):
        for user in range(4):
            whmcs.fire("ClientClose", {"userid": user}, client_area())
        whmcs.execute("UPDATE mod_privacy_bridge_outbox SET delivered_at = ? WHERE id = 1", (days_ago(31),))
        whmcs.execute(
            "UPDATE mod_privacy_bridge_outbox SET delivered_at = NULL, dead_at = ? WHERE id = 2",
            (days_ago(31),),
        )
        whmcs.execute(
            "UPDATE mod_privacy_bridge_outbox SET delivered_at = NULL, dead_at = ? WHERE id = 3",
            (days_ago(29),),
        )

        whmcs.fire("AfterCronJob", {}, cron())

        assert [r["id"] for r in whmcs.outbox()] == [3, 4]
