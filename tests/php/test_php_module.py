"""The addon module's lifecycle (contract 11): activation, upgrade, deactivation, the import of a
loose install's settings, and the loose hook file standing down while the module is active."""

from __future__ import annotations

import shutil

import pytest

from tests.php.whmcs_harness import LEGACY_HOOK_FILES, Whmcs, client_area

pytestmark = pytest.mark.php

COLUMNS = {
    "id", "webhook_id", "event", "payload", "attempts", "next_attempt_at",
    "delivered_at", "dead_at", "last_error", "created_at",
}  # fmt: skip


def columns(whmcs: Whmcs) -> set[str]:
    return {c["name"] for c in whmcs.query("PRAGMA table_info(mod_privacy_bridge_outbox)")}


@pytest.fixture
def fresh(php, tmp_path, receiver) -> Whmcs:
    """A WHMCS install with the module copied in but not yet activated."""
    return Whmcs(php, tmp_path / "fresh", receiver)


def loose_install(whmcs: Whmcs, version: str, receiver) -> None:
    """includes/hooks/ of an install before the module: the loose file and its settings."""
    shutil.copy(LEGACY_HOOK_FILES[version], whmcs.hooks_dir / "privacy_bridge.php")
    whmcs.write_legacy_config(bridge_url=receiver.url, webhook_secret=receiver.secret, fail_open=False, max_attempts=7)


class TestActivate:
    def test_creates_the_outbox_table_and_answers_status_and_description(self, fresh):
        """Contract 11: _activate creates the outbox (section 8's columns), answers {status, description}."""
        answer = fresh.activate()

        assert answer["status"] == "success" and answer["description"]
        assert columns(fresh) == COLUMNS

    def test_no_hook_creates_the_table(self, fresh, receiver):
        """Contract 11: no hook runs DDL; without the table an event is sent directly once (section 10)."""
        fresh.configure()

        fresh.fire("ClientClose", {"userid": 1}, client_area())

        assert not fresh.query("SELECT name FROM sqlite_master WHERE name = 'mod_privacy_bridge_outbox'")
        assert len(receiver.events()) == 1


class TestUpgradeAndDeactivate:
    def test_upgrade_from_the_loose_files_table_keeps_its_rows(self, fresh, receiver):
        """Contract 11: _upgrade migrates the table of version 1.x (made by the loose hook file), rows kept."""
        loose_install(fresh, "last", receiver)
        fresh.hook_files = [fresh.hooks_dir / "privacy_bridge.php"]
        fresh.fire("ClientClose", {"userid": 5}, client_area())
        before = fresh.outbox()

        answer = fresh.call("privacy_bridge_upgrade", {"version": "1.0"})

        assert answer["status"] == "success" and len(before) == 1
        assert fresh.outbox() == before and columns(fresh) == COLUMNS

    def test_upgrade_adds_missing_columns_to_an_older_table(self, fresh):
        """Contract 11: _upgrade brings a table missing columns up to section 8's, rows kept."""
        fresh.fire("NoSuchHook")
        fresh.execute("CREATE TABLE mod_privacy_bridge_outbox (id INTEGER PRIMARY KEY, payload TEXT)")
        fresh.execute("INSERT INTO mod_privacy_bridge_outbox (payload) VALUES ('{}')")

        answer = fresh.call("privacy_bridge_upgrade", {"version": "1.0"})

        assert answer["status"] == "success" and columns(fresh) == COLUMNS
        assert [r["payload"] for r in fresh.outbox()] == ["{}"]

    def test_deactivate_keeps_the_table_and_its_rows(self, whmcs, receiver):
        """Contract 11: _deactivate keeps the table and its rows."""
        whmcs.fire("ClientClose", {"userid": 5}, client_area())

        answer = whmcs.call("privacy_bridge_deactivate")

        assert answer["status"] == "success" and len(whmcs.outbox()) == 1


class TestImportFromALooseInstall:
    def test_activation_imports_the_old_settings_once(self, fresh, receiver):
        """Contract 11: activation imports includes/hooks/privacy_bridge.config.php once."""
        loose_install(fresh, "shipped", receiver)

        answer = fresh.activate()

        settings = fresh.settings()
        assert settings["bridge_url"] == receiver.url and settings["webhook_secret"] == receiver.secret
        assert settings["fail_open"] == "" and settings["max_attempts"] == "7"
        assert "imported" in answer["description"] and "includes/hooks/privacy_bridge.php" in answer["description"]
        assert receiver.secret not in answer["description"]
        fresh.write_legacy_config(bridge_url="https://other.example.com", webhook_secret=receiver.secret)
        fresh.call("privacy_bridge_activate")
        assert fresh.settings()["bridge_url"] == receiver.url

    def test_the_imported_settings_file_is_retired_and_named_for_deletion(self, fresh, receiver):
        """Contract 11: the module's pages say which old files to delete."""
        loose_install(fresh, "last", receiver)

        answer = fresh.activate()

        assert not fresh.legacy_config_file.exists()
        assert (fresh.hooks_dir / "_privacy_bridge.config.imported.php").exists()
        assert "_privacy_bridge.config.imported.php" in answer["description"]


class TestTheLooseFileStandsDown:
    """Contract 11: while the loose file and the module are both present, only the module's hooks send."""

    @pytest.mark.parametrize("version", sorted(LEGACY_HOOK_FILES))
    @pytest.mark.parametrize("loose_first", [True, False], ids=["loose-first", "module-first"])
    def test_after_activation_only_the_module_sends(self, fresh, receiver, version, loose_first):
        loose_install(fresh, version, receiver)
        fresh.activate()
        loose = fresh.hooks_dir / "privacy_bridge.php"
        fresh.hook_files = [loose, fresh.module_hooks] if loose_first else [fresh.module_hooks, loose]

        fresh.fire("ClientClose", {"userid": 42}, client_area())

        [event] = receiver.events()
        assert event["outbox_id"] == fresh.outbox()[0]["id"] and len(fresh.outbox()) == 1
        assert receiver.requests()[0].headers["user-agent"].startswith("WHMCS-Privacy-Bridge-Module/")

    def test_the_last_loose_file_stands_down_by_its_guard_even_with_its_settings(self, fresh, receiver):
        """Its settings file put back after the import: the include guard defined by hooks.php stops it."""
        loose_install(fresh, "last", receiver)
        fresh.activate()
        fresh.write_legacy_config(bridge_url=receiver.url, webhook_secret=receiver.secret)
        fresh.hook_files = [fresh.module_hooks, fresh.hooks_dir / "privacy_bridge.php"]

        run = fresh.fire("ClientDetailsValidation", {"email": "a@example.com"}, client_area(42))

        assert run.results == [[]] and len(receiver.requests()) == 1
