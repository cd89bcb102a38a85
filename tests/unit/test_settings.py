import base64

import pytest

from bridge.errors import ConfigError
from bridge.settings import load_settings
from bridge.vocabulary import CONTACT_FIELDS

GOOD_KEY = base64.b64encode(b"k" * 32).decode()
GOOD_SECRET = "whsec_" + base64.b64encode(b"s" * 24).decode()


class TestLoadSettings:
    def test_defaults_apply_when_nothing_is_set(self, tmp_path, monkeypatch):
        monkeypatch.chdir(tmp_path)
        settings = load_settings(environ={})
        assert settings.database_url == "sqlite:///instance/bridge.db"
        assert (settings.retention_months, settings.retention_strategy) == (12, "anonymize")
        assert settings.protected_fields[: len(CONTACT_FIELDS)] == CONTACT_FIELDS
        assert settings.enforce_actors == ("client", "admin", "api")

    def test_environment_beats_toml_which_beats_defaults(self, tmp_path):
        config = tmp_path / "bridge.toml"
        config.write_text('retention_months = 6\nretention_strategy = "delete"\n')
        settings = load_settings(config, environ={"BRIDGE_RETENTION_MONTHS": "18"})
        assert (settings.retention_months, settings.retention_strategy) == (18, "delete")

    def test_bridge_config_names_the_file(self, tmp_path):
        config = tmp_path / "x.toml"
        config.write_text("verification_ttl_days = 7\n")
        assert load_settings(environ={"BRIDGE_CONFIG": str(config)}).verification_ttl_days == 7

    def test_lists_are_comma_separated(self):
        settings = load_settings(environ={"BRIDGE_PROTECTED_FIELDS": "email, tax_id ,",
                                          "BRIDGE_WEBHOOK_SECRET": f"{GOOD_SECRET},{GOOD_SECRET}",
                                          "BRIDGE_MASTER_KEY": GOOD_KEY})
        assert settings.protected_fields == ("email", "tax_id")
        assert len(settings.webhook_secret) == 2 and settings.webhook_secret[0] == b"s" * 24
        assert settings.master_key[0].kid.startswith("mk_")

    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("BRIDGE_MASTER_KEY", "not-base64!"),
            ("BRIDGE_MASTER_KEY", base64.b64encode(b"short").decode()),
            ("BRIDGE_WEBHOOK_SECRET", "plainsecret"),
            ("BRIDGE_WEBHOOK_SECRET", "whsec_@@@"),
            ("BRIDGE_WHMCS_API_URL", "ftp://billing.example.com/includes/api.php"),
            ("BRIDGE_WHMCS_API_URL", "not a url"),
            ("BRIDGE_RETENTION_STRATEGY", "shred-everything"),
            ("BRIDGE_RETENTION_MONTHS", "-1"),
            ("BRIDGE_RETENTION_MONTHS", "twelve"),
            ("BRIDGE_RETENTION_AUTORUN", "maybe"),
            ("BRIDGE_DATABASE_URL", "mysql://x"),
            ("BRIDGE_LOG_FORMAT", "xml"),
            ("BRIDGE_WHMCS_CONNECT_TIMEOUT", "five"),
            ("BRIDGE_WHMCS_CONNECT_TIMEOUT", "0.0"),
            ("BRIDGE_WHMCS_READ_TIMEOUT", "-3"),
            ("BRIDGE_WHMCS_READ_TIMEOUT", "20000"),
            ("BRIDGE_WHMCS_READ_DEADLINE", "nan"),
            ("BRIDGE_WHMCS_READ_DEADLINE", "inf"),
            ("BRIDGE_WHMCS_READ_ATTEMPTS", "-2"),
            ("BRIDGE_WHMCS_READ_ATTEMPTS", "2.5"),
            ("BRIDGE_WHMCS_READ_ATTEMPTS", "11"),
            ("BRIDGE_WHMCS_RETRY_BACKOFF", "-0.5"),
            ("BRIDGE_WHMCS_RETRY_BACKOFF_CAP", "a while"),
        ],
    )
    def test_a_bad_value_names_the_setting_and_never_echoes_it(self, name, value):
        with pytest.raises(ConfigError) as caught:
            load_settings(environ={name: value})
        assert name in caught.value.message
        assert value not in caught.value.message

    def test_the_whmcs_retry_policy_has_defaults_and_takes_seconds_from_env_or_toml(self, tmp_path):
        defaults = load_settings(environ={})
        assert (defaults.whmcs_connect_timeout, defaults.whmcs_read_timeout, defaults.whmcs_read_attempts,
                defaults.whmcs_read_deadline, defaults.whmcs_retry_backoff,
                defaults.whmcs_retry_backoff_cap) == (5.0, 20.0, 3, 45.0, 0.5, 8.0)
        config = tmp_path / "bridge.toml"
        config.write_text("whmcs_read_timeout = 7.5\nwhmcs_read_deadline = 30\nwhmcs_retry_backoff = 0\n")
        settings = load_settings(config, environ={"BRIDGE_WHMCS_READ_ATTEMPTS": "1",
                                                  "BRIDGE_WHMCS_CONNECT_TIMEOUT": " 2.5 "})
        assert settings.whmcs_read_timeout == 7.5 and settings.whmcs_read_deadline == 30.0
        assert settings.whmcs_retry_backoff == 0.0
        assert (settings.whmcs_read_attempts, settings.whmcs_connect_timeout) == (1, 2.5)

    @pytest.mark.parametrize(("name", "value", "says"), [
        ("BRIDGE_WHMCS_READ_TIMEOUT", "abc", "expected a number of seconds"),
        ("BRIDGE_WHMCS_READ_TIMEOUT", "0", "must be more than 0 seconds"),
        ("BRIDGE_WHMCS_READ_DEADLINE", "600", "must be at most 300 seconds"),
        ("BRIDGE_WHMCS_RETRY_BACKOFF", "-1", "must be at least 0 seconds"),
        ("BRIDGE_WHMCS_READ_ATTEMPTS", "20", "must be at most 10"),
        ("BRIDGE_WHMCS_READ_ATTEMPTS", "0", "must be at least 1"),
    ])
    def test_a_bad_whmcs_timing_says_what_is_wrong(self, name, value, says):
        with pytest.raises(ConfigError) as caught:
            load_settings(environ={name: value})
        assert caught.value.message == f"{name}: {says}"

    def test_a_toml_boolean_is_not_a_number_of_seconds(self, tmp_path):
        config = tmp_path / "bridge.toml"
        config.write_text("whmcs_read_deadline = true\n")
        with pytest.raises(ConfigError, match="BRIDGE_WHMCS_READ_DEADLINE: expected a number of seconds"):
            load_settings(config, environ={})

    def test_unknown_toml_keys_are_reported(self, tmp_path):
        config = tmp_path / "bridge.toml"
        config.write_text("retention_monthz = 3\n")
        with pytest.raises(ConfigError, match="retention_monthz"):
            load_settings(config, environ={})

    def test_a_broken_toml_file_is_one_clear_error(self, tmp_path):
        config = tmp_path / "bridge.toml"
        config.write_text("retention_months = = 3\n")
        with pytest.raises(ConfigError, match="not valid TOML"):
            load_settings(config, environ={})

    def test_require_names_the_missing_setting(self):
        settings = load_settings(environ={})
        with pytest.raises(ConfigError, match="BRIDGE_MASTER_KEY"):
            settings.require("master_key")

    def test_settings_are_frozen_and_repr_hides_secrets(self):
        settings = load_settings(environ={"BRIDGE_MASTER_KEY": GOOD_KEY, "BRIDGE_WHMCS_SECRET": "s3cr3t-value"})
        with pytest.raises(AttributeError):
            settings.retention_months = 1
        assert "s3cr3t-value" not in repr(settings) and GOOD_KEY not in repr(settings)

    def test_the_example_config_documents_every_setting(self):
        from pathlib import Path

        from bridge.settings import _SPEC

        text = (Path(__file__).resolve().parents[2] / "config" / "bridge.example.toml").read_text()
        for name in _SPEC:
            assert f"{name} =" in text or f"# {name} =" in text, name
