import base64

from sqlalchemy import text

from bridge.clock import SystemClock
from bridge.db.token_store import SqlTokenStore
from bridge.tokens import Tokens
from tests.support.ledger import email_change, make_ledger


class TestTokenCommands:
    def test_create_prints_the_token_alone_on_the_last_line_and_stores_only_its_hash(self, run, engine):
        result = run("token", "create", "--name", "alice", "--role", "agent")
        assert result.exit_code == 0
        token = result.output.strip().splitlines()[-1]
        assert token.startswith("pbt_") and " " not in token
        info = Tokens(store=SqlTokenStore(engine=engine), clock=SystemClock()).authenticate(token)
        assert (info.name, info.role) == ("alice", "agent")
        with engine.connect() as conn:
            stored = " ".join(str(v) for row in conn.execute(text("SELECT * FROM staff_tokens")) for v in row)
        assert token not in stored

    def test_list_never_prints_a_token_and_revoke_ends_it(self, run, engine):
        token = run("token", "create", "--name", "bob", "--role", "dpo").output.strip().splitlines()[-1]
        listed = run("token", "list")
        assert listed.exit_code == 0 and "bob\tdpo" in listed.output and token not in listed.output
        assert run("token", "revoke", "bob").exit_code == 0
        assert "revoked" in run("token", "list").output
        assert Tokens(store=SqlTokenStore(engine=engine), clock=SystemClock()).authenticate(token) is None
        again = run("token", "revoke", "bob")
        assert again.exit_code == 1 and again.output.startswith("error:")

    def test_console_tokens_are_made_with_console_and_listed_as_such(self, run, engine):
        """Section 11: `bridge token create --console` makes the token the WHMCS console uses."""
        result = run("token", "create", "--console", "--name", "whmcs", "--role", "dpo")
        assert result.exit_code == 0 and "console token" in result.output
        token = result.output.strip().splitlines()[-1]
        info = Tokens(store=SqlTokenStore(engine=engine), clock=SystemClock()).authenticate(token)
        assert (info.name, info.role, info.console) == ("whmcs", "dpo", True)
        run("token", "create", "--name", "plain", "--role", "dpo")
        listed = run("token", "list").output.splitlines()
        assert [line.endswith("\tconsole") for line in listed] == [False, True]  # plain, whmcs

    def test_bad_role_or_name_is_a_usage_error(self, run):
        assert run("token", "create", "--name", "x", "--role", "root").exit_code == 2
        bad = run("token", "create", "--name", "has space", "--role", "agent")
        assert bad.exit_code == 1 and "invalid token name" in bad.output

    def test_a_duplicate_name_is_refused(self, run):
        run("token", "create", "--name", "carol", "--role", "auditor")
        dup = run("token", "create", "--name", "carol", "--role", "auditor")
        assert dup.exit_code == 1 and "exists" in dup.output

    def test_token_commands_need_no_secrets(self, run):
        result = run("token", "create", "--name", "dave", "--role", "auditor",
                     env={"BRIDGE_WEBHOOK_SECRET": "", "BRIDGE_MASTER_KEY": ""})
        assert result.exit_code == 0


class TestLedgerCommands:
    def test_head_of_an_empty_ledger(self, run):
        result = run("ledger", "head")
        assert (result.exit_code, result.output.strip()) == (0, "0 " + "0" * 64)

    def test_verify_ok_then_fail_after_tampering(self, run, engine, clock):
        ledger = make_ledger(engine, clock)
        for i in range(3):
            ledger.append([email_change(5, f"{i}@example.com", f"{i}x@example.com", clock.now())])
        seq, digest = ledger.head()
        ok = run("ledger", "verify")
        assert (ok.exit_code, ok.output.strip()) == (0, f"ok 3 {digest}")
        assert run("ledger", "head").output.strip() == f"{seq} {digest}"
        assert run("ledger", "verify", "--against", f"{seq}:{digest}").exit_code == 0
        wrong = run("ledger", "verify", "--against", f"{seq}:{'a' * 64}")
        assert wrong.exit_code == 1 and wrong.output.splitlines()[0] == f"FAIL seq={seq} anchor-mismatch"
        from tests.support.ledger import Tamper

        Tamper(engine).run("UPDATE ledger_entries SET body = :b WHERE seq = 2", b=b"{}")
        failed = run("ledger", "verify")
        assert failed.exit_code == 1 and failed.output.splitlines()[0] == "FAIL seq=2 hash-mismatch"

    def test_verify_fails_on_an_edited_indexed_column(self, run, engine, clock):
        """Section 10, Integrity covers what is read: an edit of the indexed event_type alone (the body
        untouched) makes `bridge ledger verify` print `FAIL seq=<n> hash-mismatch` and exit 1."""
        from tests.support.ledger import Tamper

        ledger = make_ledger(engine, clock)
        for i in range(3):
            ledger.append([email_change(5, f"{i}@example.com", f"{i}x@example.com", clock.now())])
        assert run("ledger", "verify").exit_code == 0
        Tamper(engine).run("UPDATE ledger_entries SET event_type = 'client.closed' WHERE seq = 2")
        failed = run("ledger", "verify")
        assert failed.exit_code == 1 and failed.output.splitlines()[0] == "FAIL seq=2 hash-mismatch"

    def test_verify_catches_truncation_against_the_newest_anchor(self, run, engine, clock):
        ledger = make_ledger(engine, clock)
        for i in range(4):
            ledger.append([email_change(5, f"{i}@example.com", "n@example.com", clock.now())])
        anchored = run("ledger", "anchor")
        assert anchored.exit_code == 0 and "anchored 4" in anchored.output
        from tests.support.ledger import Tamper

        Tamper(engine).run("DELETE FROM ledger_entries WHERE seq >= 4")
        result = run("ledger", "verify")
        assert result.output.splitlines()[0] == "FAIL seq=4 truncated"

    def test_against_must_be_seq_colon_hash(self, run):
        result = run("ledger", "verify", "--against", "12:xyz")
        assert result.exit_code == 2 and "SEQ:HASH" in result.output

    def test_key_rotate_rewraps_under_the_new_first_key(self, run, engine, clock, base_env):
        make_ledger(engine, clock).append([email_change(5, "a@example.com", "b@example.com", clock.now())])
        new = base64.b64encode(b"n" * 32).decode()
        rotated = run("key", "rotate", env={"BRIDGE_MASTER_KEY": f"{new},{base_env['BRIDGE_MASTER_KEY']}"})
        assert rotated.exit_code == 0 and "re-wrapped 1" in rotated.output
        only_new = run("ledger", "verify", env={"BRIDGE_MASTER_KEY": new})
        assert only_new.exit_code == 0

    def test_key_rotate_says_how_many_shredded_subjects_each_retired_key_still_covered(
            self, run, engine, clock, base_env):
        """Section 10, What is erased stays erased: `bridge key rotate` prints how many shredded
        subjects the keys it retires still covered, once; the key.rotated entry names no secret."""
        from tests.support.ledger import KEY_A, master

        ledger = make_ledger(engine, clock)
        for client_id in (1, 2, 3):
            ledger.append([email_change(client_id, "a@example.com", "b@example.com", clock.now())])
        assert ledger.shred("client:1") and ledger.shred("client:2")
        new_key = b"n" * 32
        new = base64.b64encode(new_key).decode()
        old_kid, new_kid = master(KEY_A).kid, master(new_key).kid
        both = {"BRIDGE_MASTER_KEY": f"{new},{base_env['BRIDGE_MASTER_KEY']}"}
        rotated = run("key", "rotate", env=both)
        assert rotated.exit_code == 0
        assert rotated.output.splitlines() == [
            f"re-wrapped 1 data keys under {new_kid}",
            f"retired key {old_kid} still covered 2 shredded subjects in old database pages and backups: "
            "remove it from BRIDGE_MASTER_KEY and from every secret store",
        ]
        again = run("key", "rotate", env=both)
        assert again.output.splitlines()[1] == (
            f"retired key {old_kid} still covered 0 shredded subjects in old database pages and backups: "
            "remove it from BRIDGE_MASTER_KEY and from every secret store")
        assert new not in rotated.output + again.output and base_env["BRIDGE_MASTER_KEY"] not in rotated.output
        entries = make_ledger(engine, clock).entries_of_type(None, "key.rotated", reveal=False)
        assert [e["details"]["retired"] for e in entries] == [{old_kid: 2}, {old_kid: 0}]
        assert run("ledger", "verify", env={"BRIDGE_MASTER_KEY": new}).exit_code == 0


class TestConfiguration:
    def test_a_malformed_setting_exits_2_with_one_line_naming_it(self, run):
        result = run("ledger", "head", env={"BRIDGE_MASTER_KEY": "not-base64!"})
        assert result.exit_code == 2
        assert result.output.strip() == "error: BRIDGE_MASTER_KEY: not base64"

    def test_a_missing_config_file_exits_2(self, run):
        result = run("--config", "nope.toml", "ledger", "head")
        assert result.exit_code == 2 and "config file not found" in result.output

    def test_db_upgrade_is_idempotent(self, run):
        first = run("db", "upgrade")
        assert first.exit_code == 0 and "revision" in first.output
        assert run("db", "upgrade").exit_code == 0
