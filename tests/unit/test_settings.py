import base64

import pytest

from bridge.errors import ConfigError
from bridge.settings import CONTACT_FIELDS, load_settings

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
        ],
    )
    def test_a_bad_value_names_the_setting_and_never_echoes_it(self, name, value):
        with pytest.raises(ConfigError) as caught:
            load_settings(environ={name: value})
        assert name in caught.value.message
        assert value not in caught.value.message

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
