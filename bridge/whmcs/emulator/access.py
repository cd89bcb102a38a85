"""API credentials, the IP allow-list and the access key, checked in WHMCS's order: where the
call comes from, then who it is, then whether the action exists, then whether the API role allows
it. Failures carry WHMCS's messages and HTTP 403."""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Credential:
    identifier: str
    secret: str
    # Canonical action names the API role allows; None allows every action.
    actions: frozenset[str] | None = None

    def allows(self, action: str) -> bool:
        return self.actions is None or action.lower() in {a.lower() for a in self.actions}


class AccessDenied(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AccessControl:
    """The allow-list is always on, as WHMCS's is by default: an address not in `allowed_ips`
    (one entry per address, no ranges) gets in only with the access key."""

    def __init__(self, *, allowed_ips: Iterable[str] = (), access_key: str | None = None) -> None:
        self.credentials: dict[str, Credential] = {}
        self.allowed_ips = set(allowed_ips)
        self.access_key = access_key

    def add(self, identifier: str, secret: str, actions: Iterable[str] | None = None) -> None:
        allowed = frozenset(actions) if actions is not None else None
        self.credentials[identifier] = Credential(identifier, secret, allowed)

    def authenticate(self, params: Mapping[str, str], remote_ip: str) -> Credential:
        self._check_origin(params, remote_ip)
        # Identifier and secret may also come in the legacy username/password fields.
        identifier = params.get("identifier") or params.get("username") or ""
        secret = params.get("secret") or params.get("password") or ""
        if not identifier or not secret:
            raise AccessDenied("Authentication Failed")
        credential = self.credentials.get(identifier)
        if credential is None:
            raise AccessDenied("Invalid or missing credentials")
        if not hmac.compare_digest(credential.secret.encode(), secret.encode()):
            raise AccessDenied("Authentication Failed")
        return credential

    def _check_origin(self, params: Mapping[str, str], remote_ip: str) -> None:
        key = params.get("accesskey", "")
        if self.access_key and key and hmac.compare_digest(self.access_key.encode(), key.encode()):
            return  # a valid access key bypasses the IP list, as in WHMCS
        if remote_ip not in self.allowed_ips:
            raise AccessDenied(f"Invalid IP {remote_ip}")

    @staticmethod
    def permit(credential: Credential, action: str) -> None:
        if not credential.allows(action):
            raise AccessDenied(f'Invalid Permissions: API action "{action.lower()}" is not allowed')
