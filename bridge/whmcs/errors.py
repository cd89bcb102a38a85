"""What can go wrong talking to WHMCS, split by what the caller should do about it.

`WhmcsUnavailable` is worth retrying later (network, timeouts, 5xx, unreadable answers);
`WhmcsRejected` is WHMCS's final word (`result=error`). Exception text names actions and ids only:
never a credential and never a personal value, so it is safe to log and to show staff.
"""

from __future__ import annotations

import re

from bridge.errors import BridgeError

_EMAIL = re.compile(r"[^\s@\"']+@[^\s@\"']+")


def scrub(text: str) -> str:
    """WHMCS messages rarely echo input, but an email address is redacted if one ever does."""
    return _EMAIL.sub("[email]", text)


class WhmcsError(BridgeError):
    """Base of every WHMCS failure; `.action` is the API action that failed."""

    slug = "whmcs-error"

    def __init__(self, message: str, *, action: str) -> None:
        super().__init__(message)
        self.action = action


class WhmcsUnavailable(WhmcsError):
    """WHMCS could not be reached or answered something unreadable; retrying later may succeed.

    `.transient` says whether trying again within seconds may help (a timeout, a 5xx, a
    maintenance page): only then does the client retry a read (`bridge.whmcs.retry`). Either way
    the durable job that made the call retries it later."""

    slug = "whmcs-unavailable"
    retryable = True

    def __init__(self, action: str, reason: str, *, transient: bool = True) -> None:
        super().__init__(f"WHMCS unavailable during {action}: {reason}", action=action)
        self.reason = reason
        self.transient = transient


class WhmcsRedirected(WhmcsUnavailable):
    """WHMCS answered with a redirect, which the client never follows (the POST carries the API
    secret). `.location` is where it pointed, without query or user info; fix the URL setting."""

    slug = "whmcs-redirected"

    def __init__(self, action: str, location: str) -> None:
        self.location = location
        super().__init__(action, f"redirected to {location or 'nowhere'} (not followed; "
                                 "check BRIDGE_WHMCS_API_URL)", transient=False)


class WhmcsRejected(WhmcsError):
    """WHMCS answered `result=error`; final. `.whmcs_message` keeps WHMCS's own text."""

    slug = "whmcs-rejected"
    retryable = False
    hint = ""

    def __init__(self, action: str, whmcs_message: str, *, http_status: int = 200) -> None:
        self.whmcs_message = whmcs_message
        self.http_status = http_status
        text = f"WHMCS rejected {action}: {scrub(whmcs_message) or 'no message'}"
        super().__init__(f"{text} ({self.hint})" if self.hint else text, action=action)


class WhmcsAuthError(WhmcsRejected):
    slug = "whmcs-auth"
    hint = (
        "check BRIDGE_WHMCS_IDENTIFIER and BRIDGE_WHMCS_SECRET "
        "(and BRIDGE_WHMCS_ACCESSKEY if one is set)"
    )


class WhmcsIpRefused(WhmcsRejected):
    slug = "whmcs-ip-refused"
    hint = (
        "add this host's IP address to WHMCS's API IP Access Restriction list, "
        "or set BRIDGE_WHMCS_ACCESSKEY to the $api_access_key of configuration.php"
    )


class WhmcsPermissionDenied(WhmcsRejected):
    slug = "whmcs-permission-denied"

    def __init__(self, action: str, whmcs_message: str, *, http_status: int = 200) -> None:
        self.hint = f"add the action {action} to the API role of the bridge's API credential"
        super().__init__(action, whmcs_message, http_status=http_status)


class WhmcsNotFound(WhmcsRejected):
    """The client, contact, user or pay method the call named does not exist (any more)."""

    slug = "whmcs-not-found"


_AUTH = ("authentication failed", "invalid or missing credentials", "invalid access key")
_IP = ("invalid ip", "ip banned")
_PERMISSION = ("invalid permissions", "access denied")
_NOT_FOUND = re.compile(
    r"^(client|contact|user|invoice|service|pay ?method)( id)? not found"
    r"|^invalid (user|contact|client|pay ?method) id"
    r"|does not belong to passed client id",
    re.IGNORECASE,
)


def classify_rejection(action: str, message: str, *, http_status: int = 200) -> WhmcsRejected:
    """The most specific `WhmcsRejected` subclass for a WHMCS error message."""
    lowered = message.strip().lower()
    kind: type[WhmcsRejected] = WhmcsRejected
    if lowered.startswith(_AUTH):
        kind = WhmcsAuthError
    elif lowered.startswith(_IP):
        kind = WhmcsIpRefused
    elif lowered.startswith(_PERMISSION):
        kind = WhmcsPermissionDenied
    elif _NOT_FOUND.search(message.strip()):
        kind = WhmcsNotFound
    return kind(action, message, http_status=http_status)
