"""Domain errors. Each carries a stable slug; the web layer maps slugs to HTTP statuses and the CLI
to exit codes. Messages are written for the reader of an API answer or a log line and must never
contain a personal value or a secret."""

from __future__ import annotations


class BridgeError(Exception):
    slug = "error"

    def __init__(self, message: str = "", *, errors: dict | None = None) -> None:
        super().__init__(message or self.slug)
        self.message = message or self.slug
        self.errors = errors


class ConfigError(BridgeError):
    """A setting is missing or malformed. The message names the setting, never its value."""

    slug = "configuration"


class ValidationFailed(BridgeError):
    slug = "validation"


class NotFound(BridgeError):
    slug = "not-found"


class Conflict(BridgeError):
    slug = "conflict"


class VerificationRequired(BridgeError):
    slug = "verification-required"


class InvalidGround(BridgeError):
    slug = "invalid-ground"


class Unprocessable(BridgeError):
    slug = "unprocessable"


class StorageUnavailable(BridgeError):
    """The database cannot be reached or is full; the caller may retry later."""

    slug = "storage-unavailable"


class WhmcsNotConfigured(BridgeError):
    """The command or request needs the WHMCS API and BRIDGE_WHMCS_* are not set."""

    slug = "whmcs-not-configured"
