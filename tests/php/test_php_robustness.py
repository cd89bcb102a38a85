"""Contract section 10 on the WHMCS side: the hook file under php-cli with the real Capsule."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta

import pytest

from tests.php.whmcs_harness import (
    EVENTS_PATH,
    PANEL_PATH,
    VALIDATE_PATH,
    Reply,
    admin_area,
    bridge_accepts,
    client_area,
)

pytestmark = pytest.mark.php

MAX_STRING = 65536
MAX_BODY = 1048576
UNAVAILABLE = "Changes to these details are temporarily unavailable. Please try again later."


def days_ago(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%d %H:%M:%S")


@pytest.fixture
def client42(whmcs):
    whmcs.seed("tblclients", id=42, email="ada@example.com", defaultgateway="")
    return whmcs


class TestFailOpenOnlyWhenUnreachable:
    """Section 10, fail_open: the hook lets a change through without an answer only for a
    connection error, a timeout or a 5xx; any other answer without `allowed: true` blocks it."""

    @pytest.mark.parametrize(
        "reply",
        [
            Reply(400, {"title": "bad request"}),
            Reply(403),
            Reply(404),
            Reply(413),
            Reply(302),
            Reply(204, ""),
            Reply(200, "not json"),
            Reply(200, "[]"),
            Reply(200, '"allowed"'),
            Reply(200, {"errors": []}),
            Reply(200, {"allowed": "true", "errors": []}),
            Reply(200, {"allowed": 1, "errors": []}),
        ],
        ids=["400", "403", "404", "413", "302", "204", "not-json", "list", "string", "no-allowed",
             "allowed-string", "allowed-1"],
    )  # fmt: skip
    def test_any_other_answer_blocks_with_the_generic_message(self, client42, receiver, reply):
        receiver.queue(VALIDATE_PATH, reply)

        run = client42.fire("ClientDetailsValidation", {"email": "new@example.com"}, client_area(42))

        assert len(receiver.requests(VALIDATE_PATH)) == 1
        assert run.result == [UNAVAILABLE]
        assert any("unusable answer" in line for line in run.activity)

    def test_a_contact_form_is_blocked_the_same_way(self, whmcs, receiver):
        receiver.queue(VALIDATE_PATH, Reply(400))

        run = whmcs.fire("ContactDetailsValidation", {"contactid": "5", "email": "x@example.com"}, client_area(42))

        assert run.result == [UNAVAILABLE]

    @pytest.mark.parametrize("reply", [Reply(500), Reply(503), Reply(504)])
    def test_a_5xx_still_fails_open(self, client42, receiver, reply):
        receiver.queue(VALIDATE_PATH, reply)

        run = client42.fire("ClientDetailsValidation", {"email": "new@example.com"}, client_area(42))

        assert len(receiver.requests(VALIDATE_PATH)) == 1 and run.result == []

    def test_a_401_blocks_and_names_the_secret(self, client42, receiver):
        receiver.queue(VALIDATE_PATH, Reply(401))

        run = client42.fire("ClientDetailsValidation", {"email": "new@example.com"}, client_area(42))

        assert run.result == [UNAVAILABLE]
        assert any("webhook_secret" in line for line in run.activity)

    def test_allowed_true_lets_it_through(self, client42, receiver):
        receiver.queue(VALIDATE_PATH, Reply(200, {"allowed": True, "errors": []}))

        run = client42.fire("ClientDetailsValidation", {"email": "new@example.com"}, client_area(42))

        assert len(receiver.requests(VALIDATE_PATH)) == 1 and run.result == []


def euro_text(nbytes: int) -> str:
    """Three-byte characters, so that a cut at 65536 bytes would fall inside one."""
    return "\u20ac" * (nbytes // 3)


class TestSizeLimits:
    """Section 10, size: the hook never builds a request the bridge must refuse for its size:
    each string value is cut to 64 KiB (listed in the envelope's `truncated`) and an event over
    1 MiB is sent with its largest values dropped, never lost."""

    def test_long_strings_are_cut_at_a_character_and_listed(self, whmcs, receiver):
        vars_ = {
            "userid": 42,
            "address1": euro_text(70000),
            "city": "London",
            "olddata": {"address1": euro_text(MAX_STRING + 3), "address2": "x" * 70000, "city": "Paris"},
        }

        whmcs.fire("ClientEdit", vars_, client_area())

        [envelope] = receiver.events()
        sent = envelope["vars"]
        assert sent["address1"] == "\u20ac" * (MAX_STRING // 3)  # 65535 bytes: the next one would split
        assert sent["olddata"] == {
            "address1": "\u20ac" * (MAX_STRING // 3),
            "address2": "x" * MAX_STRING,
            "city": "Paris",
        }
        assert sent["city"] == "London"
        assert sorted(envelope["truncated"]) == ["address1", "olddata.address1", "olddata.address2"]
        bridge_accepts(envelope, kind="event")

    def test_nothing_cut_means_no_truncated_key(self, whmcs, receiver):
        whmcs.fire("ClientEdit", {"userid": 42, "address1": "x" * MAX_STRING}, client_area())

        [envelope] = receiver.events()
        assert len(envelope["vars"]["address1"]) == MAX_STRING and "truncated" not in envelope

    def test_an_event_over_1_mib_drops_its_largest_values_first(self, whmcs, receiver):
        # A quote is escaped to two bytes: 11 fields of about 60 000 quotes make about 1.3 MB.
        fields = ["firstname", "lastname", "companyname", "email", "address1", "address2", "city",
                  "state", "postcode", "country", "phonenumber"]  # fmt: skip
        vars_ = {"userid": 42} | {name: '"' * (60000 - 100 * i) for i, name in enumerate(fields)}

        whmcs.fire("ClientEdit", vars_, client_area())

        [request] = receiver.requests(EVENTS_PATH)
        assert request.verified and len(request.body) <= MAX_BODY
        envelope = request.envelope
        dropped = fields[: len(envelope["truncated"])]  # the largest come first
        assert envelope["truncated"] == dropped and 1 <= len(dropped) < len(fields)
        assert not set(dropped) & set(envelope["vars"])
        for name in fields[len(dropped) :]:
            assert envelope["vars"][name] == vars_[name]
        assert len(request.body) + 2 * 60000 > MAX_BODY  # one value fewer dropped would not fit
        assert whmcs.outbox()[0]["delivered_at"] is not None
        bridge_accepts(envelope, kind="event")

    def test_a_stored_event_keeps_its_truncated_list_for_the_retry(self, whmcs, receiver):
        receiver.queue(EVENTS_PATH, Reply(503))
        whmcs.fire("ClientEdit", {"userid": 42, "address1": "y" * 70000}, client_area())
        whmcs.make_due()

        whmcs.fire("AfterCronJob", {})

        first, second = receiver.requests(EVENTS_PATH)
        assert first.body == second.body and second.envelope["truncated"] == ["address1"]

    def test_a_validate_call_is_fitted_the_same_way(self, whmcs, receiver):
        whmcs.seed("tblclients", id=42, address1="z" * 70000, city='"' * 64500, state='"' * 64400)
        form = {"address1": '"' * 65000, "address2": '"' * 64000, "city": '"' * 63000,
                "state": '"' * 62000, "postcode": '"' * 61000, "companyname": '"' * 60000,
                "firstname": "Ada", "email": "e" * 70000}  # fmt: skip

        whmcs.fire("ClientDetailsValidation", form, client_area(42))

        [request] = receiver.requests(VALIDATE_PATH)
        envelope = request.envelope
        assert len(request.body) <= MAX_BODY and request.verified
        assert envelope["truncated"][:2] == ["email", "current.address1"]  # cut, then dropped
        assert "address1" in envelope["truncated"] and "address1" not in envelope["vars"]
        assert envelope["vars"]["firstname"] == "Ada" and "outbox_id" not in envelope
        bridge_accepts(envelope, kind="validate")


def pending_head(whmcs, receiver) -> dict:
    """One pending row (the bridge answered 500) and a second queued behind it."""
    receiver.queue(EVENTS_PATH, Reply(500))
    whmcs.fire("ClientClose", {"userid": 1}, client_area())
    whmcs.fire("ClientClose", {"userid": 2}, client_area())
    first, second = whmcs.outbox()
    assert first["attempts"] == 1 and first["dead_at"] is None and second["attempts"] == 0
    return first


UNREADABLE = {
    "not-json": "{not json",
    "list": "[1, 2]",
    "scalar": '"text"',
    "no-event": json.dumps({"occurred_at": "2026-01-01T00:00:00Z", "whmcs": {}, "actor": {}, "vars": {}}),
    "event-not-string": json.dumps({"event": 5, "occurred_at": "x", "whmcs": {}, "actor": {}, "vars": {}}),
    "vars-not-object": json.dumps(
        {"event": "ClientClose", "occurred_at": "2026-01-01T00:00:00Z", "whmcs": {}, "actor": {}, "vars": "x"}
    ),
    "empty": "",
    "null": None,
}


class TestUnreadableOutboxRows:
    """Section 10, pipeline: an outbox row that cannot be read or decoded is marked dead with the
    reason, shown in the admin panel, and never delays the rows after it."""

    @pytest.mark.parametrize("payload", UNREADABLE.values(), ids=list(UNREADABLE))
    def test_cron_sets_it_aside_and_delivers_the_rows_after_it(self, whmcs, receiver, payload):
        head = pending_head(whmcs, receiver)
        whmcs.execute("UPDATE mod_privacy_bridge_outbox SET payload = ? WHERE id = ?", (payload, head["id"]))
        whmcs.make_due()

        run = whmcs.fire("AfterCronJob", {})

        first, second = whmcs.outbox()
        assert first["dead_at"] is not None and first["last_error"].startswith("unreadable: ")
        assert second["delivered_at"] is not None
        assert [e["vars"]["userid"] for e in receiver.events()] == [1, 2]  # the 500, then row 2
        assert any(f"#{head['id']} set aside" in line for line in run.activity)

    def test_the_next_event_sets_an_unreadable_head_aside(self, whmcs, receiver):
        head = pending_head(whmcs, receiver)
        whmcs.execute("UPDATE mod_privacy_bridge_outbox SET payload = 'garbage' WHERE id = ?", (head["id"],))

        whmcs.fire("ClientClose", {"userid": 3}, client_area())

        first, second, third = whmcs.outbox()
        assert first["dead_at"] is not None and "not valid JSON" in first["last_error"]
        assert second["delivered_at"] is None  # still behind: it waits for cron, order is kept
        assert third["delivered_at"] is None
        whmcs.fire("AfterCronJob", {})
        assert [e["vars"]["userid"] for e in receiver.events()] == [1, 2, 3]

    def test_the_first_pending_row_unreadable_lets_the_new_one_go_at_once(self, whmcs, receiver):
        receiver.queue(EVENTS_PATH, Reply(500))
        whmcs.fire("ClientClose", {"userid": 1}, client_area())
        whmcs.execute("UPDATE mod_privacy_bridge_outbox SET payload = '[]' WHERE id = 1")

        whmcs.fire("ClientClose", {"userid": 2}, client_area())

        first, second = whmcs.outbox()
        assert first["dead_at"] is not None and second["delivered_at"] is not None

    def test_it_is_counted_dead_in_the_admin_panel(self, whmcs, receiver):
        head = pending_head(whmcs, receiver)
        whmcs.execute("UPDATE mod_privacy_bridge_outbox SET payload = '{' WHERE id = ?", (head["id"],))
        whmcs.make_due()
        whmcs.fire("AfterCronJob", {})

        whmcs.fire("AdminAreaClientSummaryPage", {"userid": 42}, admin_area(3))

        outbox = receiver.requests(PANEL_PATH)[0].envelope["vars"]["outbox"]
        assert outbox["dead"] == 1 and outbox["pending"] == 0


FAILURES = {
    # A table from an older or foreign install: the insert names columns it does not have.
    "missing-columns": (
        "DROP TABLE mod_privacy_bridge_outbox; "
        "CREATE TABLE mod_privacy_bridge_outbox (id INTEGER PRIMARY KEY, payload TEXT)"
    ),
    # No hook creates the table any more (contract 11): a module never activated has none.
    "missing-table": "DROP TABLE mod_privacy_bridge_outbox",
    # The database refuses the write (as a full disk or a lock would).
    "write-refused": (
        "CREATE TRIGGER refuse_outbox BEFORE INSERT ON mod_privacy_bridge_outbox "
        "BEGIN SELECT RAISE(ABORT, 'refused for new@example.com'); END"
    ),
}


class TestFailedOutboxInsert:
    """Section 10, pipeline: a failed outbox insert (database error) still sends the event
    directly once, and logs only the exception class and SQLSTATE, never SQL or values."""

    @pytest.mark.parametrize("ddl", FAILURES.values(), ids=list(FAILURES))
    def test_the_event_is_sent_once_and_the_log_has_no_sql(self, whmcs, receiver, ddl):
        whmcs.executescript(ddl)
        vars_ = {"userid": 42, "email": "new@example.com", "olddata": {"email": "old@example.com"}}

        run = whmcs.fire("ClientEdit", vars_, client_area())

        assert run.result is None
        [request] = receiver.requests(EVENTS_PATH)
        envelope = request.envelope
        assert request.verified and envelope["vars"]["email"] == "new@example.com"
        assert isinstance(envelope["outbox_id"], int) and envelope["outbox_id"] > 0
        bridge_accepts(envelope, kind="event")
        [line] = [a for a in run.activity if "outbox could not store" in a]
        assert "Illuminate\\Database\\QueryException, SQLSTATE " in line
        assert line.rsplit("SQLSTATE ", 1)[1][:5].isalnum()
        lowered = line.lower()
        assert not any(word in lowered for word in ("insert", "mod_privacy", "example.com", "refused", "column"))
        if ddl != FAILURES["missing-table"]:
            assert whmcs.query("SELECT count(*) AS n FROM mod_privacy_bridge_outbox")[0]["n"] == 0
        else:
            assert not whmcs.query("SELECT name FROM sqlite_master WHERE name = 'mod_privacy_bridge_outbox'")

    def test_a_failed_direct_send_is_logged_too(self, whmcs, receiver):
        whmcs.executescript(FAILURES["missing-columns"])
        receiver.queue(EVENTS_PATH, Reply(503))

        run = whmcs.fire("ClientClose", {"userid": 42}, client_area())

        assert len(receiver.requests(EVENTS_PATH)) == 1
        assert any("could not be stored nor delivered: HTTP 503" in line for line in run.activity)


class TestIncludedTwice:
    """Section 10, pipeline: the module's hooks.php may be included twice (a stray copy) without a
    fatal error, and its hooks are registered once."""

    def test_a_second_include_and_a_stray_copy_register_nothing_twice(self, whmcs, receiver):
        stray = whmcs.module_dir / "hooks (copy).php"
        shutil.copy(whmcs.module_hooks, stray)
        context = client_area()
        context["include_again"] = [str(whmcs.module_hooks), str(stray)]

        run = whmcs.fire("ClientClose", {"userid": 42}, context)

        assert run.results == [None]  # one ClientClose hook, not three
        assert len(receiver.events()) == 1 and len(whmcs.outbox()) == 1

    def test_a_validation_hook_answers_once(self, whmcs, receiver):
        context = client_area(42)
        context["include_again"] = [str(whmcs.module_hooks)]

        run = whmcs.fire("ClientDetailsValidation", {"email": "a@example.com"}, context)

        assert run.results == [[]] and len(receiver.requests(VALIDATE_PATH)) == 1


class TestDeadPayloads:
    """Section 10, erasure: dead outbox rows keep no payload beyond 7 days (rows still go after 30)."""

    def test_cron_clears_the_payload_of_rows_dead_for_over_7_days(self, whmcs, receiver):
        receiver.queue(EVENTS_PATH, Reply(500))  # the first row stays pending, the others wait behind it
        for user in range(4):
            whmcs.fire("ClientClose", {"userid": user}, client_area())
        assert all(row["payload"] for row in whmcs.outbox())
        for row_id, days in ((1, 8), (2, 6), (3, 31)):
            whmcs.execute("UPDATE mod_privacy_bridge_outbox SET dead_at = ? WHERE id = ?", (days_ago(days), row_id))
        whmcs.execute("UPDATE mod_privacy_bridge_outbox SET next_attempt_at = '2999-01-01 00:00:00' WHERE id = 4")

        whmcs.fire("AfterCronJob", {})

        rows = {row["id"]: row for row in whmcs.outbox()}
        assert set(rows) == {1, 2, 4}  # 31 days dead: deleted
        assert rows[1]["payload"] is None and rows[1]["dead_at"] is not None
        assert rows[2]["payload"]  # dead for 6 days: kept for the operator
        assert rows[4]["payload"]  # pending: kept
