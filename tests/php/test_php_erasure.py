"""Residual erasure (contract 11): the module erases what the WHMCS API cannot, for one client only.

The work endpoint is played by the signature-checking `Receiver` of whmcs_harness.py: the bridge's
`/v1/hooks/whmcs/work` is being built at the same time and is not in this tree yet.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.php.whmcs_harness import EVENTS_PATH, Reply, cron

pytestmark = pytest.mark.php

WORK_PATH = "/v1/hooks/whmcs/work"
REDACTED = "[erased on request]"
PURGED, OTHER = 42, 43
ORDER = {"order_id": "ord_1", "client_id": PURGED, "emails": ["Alice@Example.com"], "strategy": "anonymize"}

TABLES = """
CREATE TABLE tblemails (id INTEGER PRIMARY KEY, userid INTEGER, subject TEXT, message TEXT, "to" TEXT);
CREATE TABLE tblorders (id INTEGER PRIMARY KEY, userid INTEGER, ipaddress TEXT);
CREATE TABLE tbltickets (id INTEGER PRIMARY KEY, userid INTEGER, name TEXT, email TEXT, {title}
    message TEXT, attachment TEXT);
CREATE TABLE tblticketreplies (id INTEGER PRIMARY KEY, tid INTEGER, userid INTEGER, name TEXT, email TEXT,
    message TEXT, admin TEXT, attachment TEXT);
CREATE TABLE tblmarketing_consent (id INTEGER PRIMARY KEY, userid INTEGER, opt_in INTEGER, ip_address TEXT);
"""

SEED = """
INSERT INTO tblemails VALUES (1, 42, 'Welcome', 'Hello Alice', 'alice@example.com');
INSERT INTO tblemails VALUES (2, 43, 'Welcome', 'Hello Bob', 'bob@example.com');
INSERT INTO tblactivitylog (id, date, description, user, userid, ipaddr) VALUES
    (101, '2026-01-01 00:00:00', 'Client Alice logged in', 'Client', 42, '203.0.113.5'),
    (102, '2026-01-01 00:00:00', 'Email sent to alice@example.com', 'System', 0, '198.51.100.1'),
    (103, '2026-01-01 00:00:00', 'Client Bob logged in', 'Client', 43, '203.0.113.6'),
    (104, '2026-01-01 00:00:00', 'Email sent to bob@example.com', 'System', 0, '198.51.100.1');
INSERT INTO tblorders VALUES (1, 42, '203.0.113.5');
INSERT INTO tblorders VALUES (2, 43, '203.0.113.6');
INSERT INTO tbltickets VALUES (1, 42, 'Alice', 'alice@example.com', {t1} 'My site is down', 'a1_shot.png');
INSERT INTO tbltickets VALUES (2, 0, 'Alice guest', 'ALICE@example.com', {t2} 'Before I sign up', '');
INSERT INTO tbltickets VALUES (3, 43, 'Bob', 'bob@example.com', {t3} 'Bob here', 'b1_shot.png');
INSERT INTO tblticketreplies VALUES (1, 1, 42, 'Alice', 'alice@example.com', 'Still down', '', 'a2_log.txt');
INSERT INTO tblticketreplies VALUES (2, 1, 0, '', '', 'Fixed, Alice', 'Staff', '');
INSERT INTO tblticketreplies VALUES (3, 2, 0, 'Alice guest', 'alice@example.com', 'Thanks', '', '');
INSERT INTO tblticketreplies VALUES (4, 3, 43, 'Bob', 'bob@example.com', 'Bob again', '', 'b2_log.txt');
INSERT INTO tblmarketing_consent VALUES (1, 42, 1, '203.0.113.5');
INSERT INTO tblmarketing_consent VALUES (2, 43, 1, '203.0.113.6');
INSERT INTO mod_privacy_bridge_outbox (id, webhook_id, event, payload, attempts, dead_at, created_at) VALUES
    (901, 'msg_a', 'ClientEdit', '{{"event":"ClientEdit","vars":{{"userid":42}}}}', 5,
        datetime('now', '-1 day'), datetime('now', '-2 day')),
    (902, 'msg_b', 'ClientEdit', '{{"event":"ClientEdit","vars":{{"userid":43}}}}', 5,
        datetime('now', '-1 day'), datetime('now', '-2 day'));
"""
OTHER_ROWS = {
    "tblemails": [2],
    "tblactivitylog": [103, 104],
    "tblorders": [2],
    "tbltickets": [3],
    "tblticketreplies": [4],
    "tblmarketing_consent": [2],
    "mod_privacy_bridge_outbox": [902],
}
FILES = {"a1_shot.png": PURGED, "a2_log.txt": PURGED, "b1_shot.png": OTHER, "b2_log.txt": OTHER}
EXPECTED_COUNTS = {
    "tblemails": 1,
    "tblactivitylog": 2,
    "tblorders": 1,
    "attachments": 2,
    "tblticketreplies": 3,
    "tbltickets": 2,
    "tblmarketing_consent": 1,
    "mod_privacy_bridge_outbox": 1,
}


def build(whmcs, *, with_title: bool = True) -> None:
    titles = ("'Down',", "'Question',", "'Bob',") if with_title else ("", "", "")
    whmcs.executescript(TABLES.format(title="title TEXT," if with_title else ""))
    whmcs.executescript(SEED.format(t1=titles[0], t2=titles[1], t3=titles[2]))
    folder = whmcs.root / "attachments"
    folder.mkdir(exist_ok=True)
    for name in FILES:
        (folder / name).write_text(name)


def snapshot(whmcs) -> dict[str, list[dict[str, Any]]]:
    return {
        # Table names and ids are this module's constants, not input.
        table: whmcs.query(f"SELECT * FROM {table} WHERE id IN ({','.join(map(str, ids))}) ORDER BY id")  # noqa: S608
        for table, ids in OTHER_ROWS.items()
    }


def run_cron(whmcs, receiver, *orders: dict[str, Any], **kwargs: Any):
    receiver.queue(WORK_PATH, Reply(200, {"orders": list(orders)}))
    return whmcs.fire("AfterCronJob", {}, cron(), **kwargs)


def reports(receiver) -> list[dict[str, Any]]:
    return [e for e in receiver.events() if e["event"] == "PrivacyBridgeErased"]


def assert_purged_client_erased(whmcs) -> None:
    assert whmcs.query("SELECT id FROM tblemails WHERE userid = 42") == []
    for row in whmcs.query("SELECT * FROM tblactivitylog WHERE id IN (101, 102)"):
        assert (row["description"], row["ipaddr"]) == (REDACTED, "")
    assert whmcs.query("SELECT ipaddress FROM tblorders WHERE id = 1") == [{"ipaddress": ""}]
    for row in whmcs.query("SELECT * FROM tbltickets WHERE id IN (1, 2)"):
        assert (row["name"], row["email"], row["message"], row["attachment"]) == ("", "", REDACTED, "")
    for row in whmcs.query("SELECT * FROM tblticketreplies WHERE id IN (1, 2, 3)"):
        assert (row["name"], row["email"], row["message"], row["attachment"]) == ("", "", REDACTED, "")
    assert whmcs.query("SELECT id FROM tblmarketing_consent WHERE userid = 42") == []
    assert whmcs.query("SELECT payload FROM mod_privacy_bridge_outbox WHERE id = 901") == [{"payload": None}]
    folder = whmcs.root / "attachments"
    assert sorted(p.name for p in folder.iterdir()) == ["b1_shot.png", "b2_log.txt"]


class TestResidualErasure:
    def test_an_order_erases_the_purged_client_and_leaves_the_other_byte_for_byte(self, whmcs, receiver):
        """Rule: for that client only - the purged client's rows are erased or redacted in every table,
        the other client's rows are unchanged byte for byte, and the report is a PrivacyBridgeErased event."""
        build(whmcs)
        before = snapshot(whmcs)

        run_cron(whmcs, receiver, ORDER)

        assert_purged_client_erased(whmcs)
        assert snapshot(whmcs) == before
        (report,) = reports(receiver)
        assert report["vars"] == {"order_id": "ord_1", "client_id": 42, "counts": EXPECTED_COUNTS, "skipped": []}
        assert report["actor"]["type"] == "cron" and isinstance(report["outbox_id"], int)
        work = receiver.requests(WORK_PATH)[0]
        assert work.verified and work.envelope["event"] == "AfterCronJob" and work.envelope["vars"] == {}

    def test_a_reported_order_is_not_erased_twice(self, whmcs, receiver):
        """Rule: the module remembers reported orders, so the same order listed again changes nothing."""
        build(whmcs)
        run_cron(whmcs, receiver, ORDER)
        whmcs.executescript("INSERT INTO tblemails VALUES (3, 42, 'Later', 'A later mail', 'alice@example.com');")

        run_cron(whmcs, receiver, ORDER)

        assert whmcs.query("SELECT id FROM tblemails WHERE userid = 42") == [{"id": 3}]
        assert len(reports(receiver)) == 1
        (row,) = whmcs.query("SELECT * FROM mod_privacy_bridge_erasures")
        assert row["order_id"] == "ord_1" and row["reported_at"] is not None and row["outbox_id"] is not None

    @pytest.mark.parametrize(
        ("table", "operation"),
        [
            ("tblemails", "DELETE"), ("tblactivitylog", "UPDATE"), ("tblorders", "UPDATE"),
            ("tblticketreplies", "UPDATE"), ("tbltickets", "UPDATE"), ("tblmarketing_consent", "DELETE"),
            ("mod_privacy_bridge_outbox", "UPDATE"),
        ],
    )  # fmt: skip
    def test_a_crash_at_any_table_is_finished_by_the_rerun(self, whmcs, receiver, table, operation):
        """Rule: crash-safe and idempotent - an order that fails at any table is not reported, and the
        next cron run finishes it and reports the counts of both runs together."""
        build(whmcs)
        before = snapshot(whmcs)
        whmcs.execute(
            f"CREATE TRIGGER crash BEFORE {operation} ON {table} BEGIN SELECT RAISE(ABORT, 'injected crash'); END"
        )

        crashed = run_cron(whmcs, receiver, ORDER)

        assert any("erasure order ord_1 stopped" in line for line in crashed.activity), crashed.activity
        assert reports(receiver) == []
        whmcs.execute("DROP TRIGGER crash")

        run_cron(whmcs, receiver, ORDER)

        assert_purged_client_erased(whmcs)
        assert snapshot(whmcs) == before
        (report,) = reports(receiver)
        counts = dict(report["vars"]["counts"])
        # Files deleted in the run that crashed before it emptied their names are not counted again.
        assert counts.pop("attachments") <= 2
        assert counts == {k: v for k, v in EXPECTED_COUNTS.items() if k != "attachments"}

    def test_a_finished_order_rerun_reports_with_zero_counts(self, whmcs, receiver):
        """Rule: a rerun of an order whose erasure finished touches nothing and counts 0."""
        build(whmcs)
        run_cron(whmcs, receiver, dict(ORDER, order_id="ord_0"))
        whmcs.execute("DELETE FROM mod_privacy_bridge_erasures")

        run_cron(whmcs, receiver, dict(ORDER, order_id="ord_0"))

        second = reports(receiver)[-1]
        assert set(second["vars"]["counts"].values()) == {0}

    def test_a_missing_table_or_column_is_skipped_not_fatal(self, whmcs, receiver):
        """Rule: each table and column is checked first; what cannot be reached is reported in skipped."""
        build(whmcs, with_title=False)
        whmcs.execute("DROP TABLE tblmarketing_consent")

        run_cron(whmcs, receiver, ORDER)

        (report,) = reports(receiver)
        skipped = report["vars"]["skipped"]
        assert {"table": "tblmarketing_consent", "reason": "table not found"} in skipped
        assert {"table": "tbltickets", "column": "title", "reason": "column not found"} in skipped
        assert "tblmarketing_consent" not in report["vars"]["counts"]
        assert report["vars"]["counts"]["tbltickets"] == 2

    def test_without_an_attachments_folder_the_names_are_kept_and_reported(self, whmcs, receiver):
        """Rule: attachments that cannot be deleted are reported in skipped, and their names kept for a rerun."""
        build(whmcs)
        for path in (whmcs.root / "attachments").iterdir():
            path.unlink()
        (whmcs.root / "attachments").rmdir()

        run_cron(whmcs, receiver, ORDER)

        skipped = reports(receiver)[0]["vars"]["skipped"]
        assert {"table": "tbltickets", "column": "attachment",
                "reason": "the attachments folder was not found; files and names kept"} in skipped  # fmt: skip
        assert whmcs.query("SELECT attachment FROM tbltickets WHERE id = 1") == [{"attachment": "a1_shot.png"}]

    def test_the_delete_strategy_deletes_the_lines_and_tickets(self, whmcs, receiver):
        """Rule: strategy "delete" removes the client's activity lines, tickets and replies instead of redacting."""
        build(whmcs)
        before = snapshot(whmcs)

        run_cron(whmcs, receiver, dict(ORDER, strategy="delete"))

        assert whmcs.query("SELECT id FROM tblactivitylog WHERE id IN (101, 102)") == []
        assert whmcs.query("SELECT id FROM tbltickets WHERE id IN (1, 2)") == []
        assert whmcs.query("SELECT id FROM tblticketreplies WHERE id IN (1, 2, 3)") == []
        assert snapshot(whmcs) == before

    def test_malformed_orders_and_a_missing_endpoint_do_nothing(self, whmcs, receiver):
        """Rule: only well-formed orders run; a bridge without the work endpoint (404) is no error."""
        build(whmcs)
        before = whmcs.query("SELECT * FROM tblemails ORDER BY id")

        run = run_cron(whmcs, receiver, {"order_id": "x", "client_id": "42", "emails": [], "strategy": "anonymize"},
                       {"order_id": "y", "client_id": 42, "emails": [], "strategy": "shred"})  # fmt: skip
        whmcs.fire("AfterCronJob", {}, cron())

        assert whmcs.query("SELECT * FROM tblemails ORDER BY id") == before
        assert sum("malformed" in line for line in run.activity) == 2
        assert reports(receiver) == []

    def test_the_report_is_retried_through_the_outbox(self, whmcs, receiver):
        """Rule: the report goes through the outbox, so a bridge that is down gets it on a later run."""
        build(whmcs)
        receiver.queue(EVENTS_PATH, Reply(503, {}))

        run_cron(whmcs, receiver, ORDER)
        whmcs.make_due()
        receiver.queue(WORK_PATH, Reply(200, {"orders": [ORDER]}))
        whmcs.fire("AfterCronJob", {}, cron())

        delivered = reports(receiver)
        assert len(delivered) == 2 and delivered[0]["outbox_id"] == delivered[1]["outbox_id"]
        assert len(whmcs.query("SELECT id FROM mod_privacy_bridge_outbox WHERE event = 'PrivacyBridgeErased'")) == 1
        assert json.loads(json.dumps(delivered[1]["vars"]["counts"])) == EXPECTED_COUNTS


class TestErasureTable:
    def test_activation_and_upgrade_make_the_table_and_no_hook_does(self, whmcs, receiver):
        """Rule: the erasure-order table is made by _activate/_upgrade only; without it cron erases nothing."""
        assert whmcs.query("SELECT name FROM sqlite_master WHERE name = 'mod_privacy_bridge_erasures'")
        build(whmcs)
        whmcs.execute("DROP TABLE mod_privacy_bridge_erasures")

        run_cron(whmcs, receiver, ORDER)

        assert not whmcs.query("SELECT name FROM sqlite_master WHERE name = 'mod_privacy_bridge_erasures'")
        assert receiver.requests(WORK_PATH) == [] and len(whmcs.query("SELECT id FROM tblemails")) == 2
        upgraded = whmcs.call("privacy_bridge_upgrade", {"version": "2.0"})
        assert upgraded["status"] == "success" and "erasure orders table created" in upgraded["description"]
        assert whmcs.query("SELECT name FROM sqlite_master WHERE name = 'mod_privacy_bridge_erasures'")
