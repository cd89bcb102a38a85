"""Configuration: a declared allow-list of keys, each with a default, a coercer and an env name.

Precedence: built-in defaults < TOML file < BRIDGE_* environment. `load_settings` is the only code
that reads os.environ or a config file; it runs once, at app or CLI start. A bad value stops
start-up with a ConfigError that names the setting and never echoes its value. Settings a command
does not use may stay unset: `Settings.require(...)` names the first missing one when it is needed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import math
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlsplit

from bridge.errors import ConfigError
from bridge.vocabulary import BILLING_FIELDS, CONTACT_FIELDS
from bridge.whmcs.retry import RetryPolicy

_RETRY = RetryPolicy()  # the WHMCS timeouts' and retries' defaults, in one place

DEFAULT_CONFIG_PATH = Path("config/bridge.toml")


@dataclass(frozen=True)
class MasterKey:
    kid: str
    key: bytes = field(repr=False)


def _text(name: str, raw: object) -> str:
    if not isinstance(raw, str | int):
        raise ConfigError(f"{name}: expected a string")
    return str(raw).strip()


def _optional_text(name: str, raw: object) -> str | None:
    value = _text(name, raw)
    return value or None


def _int_at_least(minimum: int) -> Callable[[str, object], int]:
    def coerce(name: str, raw: object) -> int:
        try:
            value = int(str(raw).strip())
        except ValueError:
            raise ConfigError(f"{name}: expected a whole number") from None
        if value < minimum:
            raise ConfigError(f"{name}: must be at least {minimum}")
        return value

    return coerce


def _int_between(minimum: int, maximum: int) -> Callable[[str, object], int]:
    at_least = _int_at_least(minimum)

    def coerce(name: str, raw: object) -> int:
        value = at_least(name, raw)
        if value > maximum:
            raise ConfigError(f"{name}: must be at most {maximum}")
        return value

    return coerce


def _seconds(*, maximum: float, zero: bool = False) -> Callable[[str, object], float]:
    """A number of seconds (a decimal point is fine: 0.5), more than 0 (or at least 0 when `zero`
    is allowed) and at most `maximum`, a bound that catches milliseconds given as seconds."""
    def coerce(name: str, raw: object) -> float:
        if isinstance(raw, bool):
            raise ConfigError(f"{name}: expected a number of seconds")
        try:
            value = float(raw if isinstance(raw, int | float) else str(raw).strip())
        except ValueError:
            raise ConfigError(f"{name}: expected a number of seconds") from None
        if not math.isfinite(value):
            raise ConfigError(f"{name}: expected a number of seconds")
        if value < 0 or (value == 0 and not zero):
            raise ConfigError(f"{name}: must be {'at least' if zero else 'more than'} 0 seconds")
        if value > maximum:
            raise ConfigError(f"{name}: must be at most {maximum:g} seconds")
        return value

    return coerce


def _bool(name: str, raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}: expected true or false")


def _csv(name: str, raw: object) -> tuple[str, ...]:
    items = raw if isinstance(raw, list) else str(raw).split(",")
    return tuple(str(item).strip() for item in items if str(item).strip())


def _choice(*options: str) -> Callable[[str, object], str]:
    def coerce(name: str, raw: object) -> str:
        value = _text(name, raw).lower()
        if value not in options:
            raise ConfigError(f"{name}: must be one of {', '.join(options)}")
        return value

    return coerce


def _database_url(name: str, raw: object) -> str:
    value = _text(name, raw)
    scheme = value.split("://", 1)[0] if "://" in value else ""
    if not scheme.startswith(("sqlite", "postgresql")):
        raise ConfigError(f"{name}: expected a sqlite:/// or postgresql+psycopg:// URL")
    return value


def _http_url(name: str, raw: object) -> str | None:
    value = _text(name, raw)
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ConfigError(f"{name}: expected an http(s) URL")
    return value


def _whmcs_url(name: str, raw: object) -> str | None:
    """The API URL carries the API secret in every request body: https, unless the host is this
    machine (127.0.0.0/8, ::1, localhost)."""
    value = _http_url(name, raw)
    if value and urlsplit(value).scheme != "https" and not _loopback(urlsplit(value).hostname):
        raise ConfigError(f"{name}: must be an https URL unless its host is a loopback address")
    return value


def _loopback(host: str | None) -> bool:
    if not host or host.lower() == "localhost":
        return bool(host)
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def decode_webhook_secret(name: str, item: str) -> bytes:
    if not item.startswith("whsec_"):
        raise ConfigError(f"{name}: each secret must start with whsec_")
    try:
        key = base64.b64decode(item[len("whsec_"):], validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError(f"{name}: the part after whsec_ is not base64") from None
    if len(key) < 16:
        raise ConfigError(f"{name}: a secret must decode to at least 16 bytes")
    return key


def _webhook_secrets(name: str, raw: object) -> tuple[bytes, ...]:
    return tuple(decode_webhook_secret(name, item) for item in _csv(name, raw))


def master_key_id(key: bytes) -> str:
    """A public fingerprint of a master key, stored beside what it wraps; reveals nothing of it."""
    return "mk_" + hashlib.sha256(b"bridge-master-key-id:" + key).hexdigest()[:16]


def _master_keys(name: str, raw: object) -> tuple[MasterKey, ...]:
    keys = []
    for item in _csv(name, raw):
        try:
            key = base64.b64decode(item, validate=True)
        except (binascii.Error, ValueError):
            raise ConfigError(f"{name}: not base64") from None
        if len(key) != 32:
            raise ConfigError(f"{name}: each key must be base64 of exactly 32 bytes")
        keys.append(MasterKey(kid=master_key_id(key), key=key))
    return tuple(keys)


# name -> (coercer, default). Order matters only for documentation.
_SPEC: dict[str, tuple[Callable[[str, object], object], object]] = {
    "database_url": (_database_url, "sqlite:///instance/bridge.db"),
    "webhook_secret": (_webhook_secrets, ()),
    "master_key": (_master_keys, ()),
    "whmcs_api_url": (_whmcs_url, None),
    "whmcs_identifier": (_optional_text, None),
    "whmcs_secret": (_optional_text, None),
    "whmcs_accesskey": (_optional_text, None),
    # the one retry policy for WHMCS calls (bridge/whmcs/retry.py); a read's deadline stays within
    # a job's five-minute lease
    "whmcs_connect_timeout": (_seconds(maximum=60), _RETRY.connect_timeout),
    "whmcs_read_timeout": (_seconds(maximum=300), _RETRY.read_timeout),
    "whmcs_read_attempts": (_int_between(1, 10), _RETRY.attempts),
    "whmcs_read_deadline": (_seconds(maximum=300), _RETRY.deadline),
    "whmcs_retry_backoff": (_seconds(maximum=60, zero=True), _RETRY.backoff),
    "whmcs_retry_backoff_cap": (_seconds(maximum=300, zero=True), _RETRY.backoff_cap),
    "retention_months": (_int_at_least(1), 12),
    "retention_strategy": (_choice("anonymize", "delete"), "anonymize"),
    "retention_autorun": (_bool, True),
    "verification_ttl_days": (_int_at_least(1), 30),
    "protected_fields": (_csv, CONTACT_FIELDS + BILLING_FIELDS),
    "enforce_actors": (_csv, ("client", "admin", "api")),
    "exempt_api_identifiers": (_csv, ()),
    "policy_notice_days": (_int_at_least(0), 30),
    "marketing_templates": (_csv, ()),
    "webhook_tolerance_s": (_int_at_least(1), 300),
    "log_format": (_choice("json", "text", "auto"), "auto"),
}
_SECRET_KEYS = {"webhook_secret", "master_key", "whmcs_secret", "whmcs_accesskey"}


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///instance/bridge.db"
    webhook_secret: tuple[bytes, ...] = field(default=(), repr=False)
    master_key: tuple[MasterKey, ...] = field(default=(), repr=False)
    whmcs_api_url: str | None = None
    whmcs_identifier: str | None = None
    whmcs_secret: str | None = field(default=None, repr=False)
    whmcs_accesskey: str | None = field(default=None, repr=False)
    whmcs_connect_timeout: float = _RETRY.connect_timeout
    whmcs_read_timeout: float = _RETRY.read_timeout
    whmcs_read_attempts: int = _RETRY.attempts
    whmcs_read_deadline: float = _RETRY.deadline
    whmcs_retry_backoff: float = _RETRY.backoff
    whmcs_retry_backoff_cap: float = _RETRY.backoff_cap
    retention_months: int = 12
    retention_strategy: str = "anonymize"
    retention_autorun: bool = True
    verification_ttl_days: int = 30
    protected_fields: tuple[str, ...] = CONTACT_FIELDS + BILLING_FIELDS
    enforce_actors: tuple[str, ...] = ("client", "admin", "api")
    exempt_api_identifiers: tuple[str, ...] = ()
    policy_notice_days: int = 30
    marketing_templates: tuple[str, ...] = ()
    webhook_tolerance_s: int = 300
    log_format: str = "auto"

    def require(self, *names: str) -> None:
        """Raise ConfigError naming the first of `names` that is unset."""
        for name in names:
            if name not in _SPEC:
                raise KeyError(name)
            if getattr(self, name) in (None, (), ""):
                raise ConfigError(f"BRIDGE_{name.upper()} is required for this command")

    @property
    def whmcs_configured(self) -> bool:
        return bool(self.whmcs_api_url and self.whmcs_identifier and self.whmcs_secret)

    def with_overrides(self, **values: object) -> Settings:
        """A copy with raw values coerced exactly as if they came from the environment."""
        merged = {f.name: getattr(self, f.name) for f in fields(self)}
        for name, raw in values.items():
            merged[name] = _coerce(name, raw)
        return Settings(**merged)


def _coerce(name: str, raw: object) -> object:
    coercer, _default = _SPEC[name]
    try:
        return coercer(f"BRIDGE_{name.upper()}", raw)
    except ConfigError:
        raise
    except Exception:  # any other parse failure is still the setting's fault, not a crash
        raise ConfigError(f"BRIDGE_{name.upper()}: malformed value") from None


def _read_toml(path: Path) -> dict[str, object]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {path} is not valid TOML ({exc.__class__.__name__})") from None
    unknown = sorted(set(data) - set(_SPEC))
    if unknown:
        raise ConfigError(f"config file {path}: unknown setting {unknown[0]}")
    return data


def load_settings(
    config_path: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Defaults < TOML (explicit path, else BRIDGE_CONFIG, else config/bridge.toml if present) < env."""
    env = os.environ if environ is None else environ
    raw: dict[str, object] = {}
    path = config_path or env.get("BRIDGE_CONFIG")
    if path:
        raw.update(_read_toml(Path(path)))
    elif DEFAULT_CONFIG_PATH.is_file():
        raw.update(_read_toml(DEFAULT_CONFIG_PATH))
    for name in _SPEC:
        env_value = env.get(f"BRIDGE_{name.upper()}")
        if env_value is not None:
            raw[name] = env_value
    values = {name: _coerce(name, value) for name, value in raw.items()}
    return Settings(**values)


def secret_setting_names() -> frozenset[str]:
    return frozenset(_SECRET_KEYS)
