"""Staff tokens: random, shown once, stored only as a SHA-256 digest; roles nest
auditor < agent < dpo."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from bridge.clock import Clock
from bridge.errors import NotFound, ValidationFailed

ROLES = ("auditor", "agent", "dpo")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,79}$")
TOKEN_PREFIX = "pbt_"  # noqa: S105 - a public prefix that makes leaked tokens easy to spot


def role_allows(held: str, needed: str) -> bool:
    return held in ROLES and ROLES.index(held) >= ROLES.index(needed)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class TokenInfo:
    name: str
    role: str
    created_at: datetime
    revoked_at: datetime | None
    token_hash: str = ""
    console: bool = False  # may act for a named WHMCS admin (the addon module's staff console)


class TokenStore(Protocol):
    def add(self, *, name: str, role: str, token_hash: str, at: datetime, console: bool = False) -> None:
        """Raise Conflict when the name exists."""

    def by_hash(self, token_hash: str) -> TokenInfo | None: ...

    def list(self) -> list[TokenInfo]: ...

    def revoke(self, name: str, *, at: datetime) -> bool: ...


class Tokens:
    def __init__(self, *, store: TokenStore, clock: Clock) -> None:
        self.store, self.clock = store, clock

    def create(self, *, name: str, role: str, console: bool = False) -> str:
        """Return the new token; only its digest is stored, so this is the one time it exists. A
        console token may act for a WHMCS admin named in each request (see `acting`)."""
        if not _NAME.match(name or ""):
            raise ValidationFailed("invalid token name", errors={"name": ["letters, digits and . _ @ - only, 1-80"]})
        if role not in ROLES:
            raise ValidationFailed("invalid role", errors={"role": [f"one of {', '.join(ROLES)}"]})
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.store.add(name=name, role=role, token_hash=digest(token), at=self.clock.now(), console=console)
        return token

    def authenticate(self, token: str) -> TokenInfo | None:
        """The live token's info, or None. The lookup is by digest; the final comparison is
        constant-time so a partial match reveals nothing."""
        if not token or len(token) > 200:
            return None
        wanted = digest(token)
        info = self.store.by_hash(wanted)
        if info is None or info.revoked_at is not None:
            return None
        if not hmac.compare_digest(info.token_hash, wanted):
            return None
        return info

    def list(self) -> list[TokenInfo]:
        return self.store.list()

    def revoke(self, name: str) -> None:
        if not self.store.revoke(name, at=self.clock.now()):
            raise NotFound("no live token with that name")





_ADMIN = re.compile(r"^[^\x00-\x1f\x7f/]{1,64}$")


def lower_role(a: str, b: str) -> str:
    return ROLES[min(ROLES.index(a), ROLES.index(b))]


def acting(info: TokenInfo, *, admin: str | None, role: str | None) -> TokenInfo:
    """Who a request acts as. A console token names the WHMCS admin at the keyboard and that admin's
    role: the request acts with the lower of the two roles, as "<token name>/<admin>". On any other
    token the headers are refused, so they cannot be used to pose as someone else."""
    if admin is None and role is None:
        return info
    if not info.console:
        raise ValidationFailed("X-Acting-Admin and X-Acting-Role need a console token",
                               errors={"X-Acting-Admin": ["only with a token created with --console"]})
    admin = (admin or "").strip()
    if not _ADMIN.match(admin):
        raise ValidationFailed("invalid X-Acting-Admin", errors={"X-Acting-Admin": ["a WHMCS admin username, 1-64"]})
    role = (role or "auditor").strip().lower()
    if role not in ROLES:
        raise ValidationFailed("invalid X-Acting-Role", errors={"X-Acting-Role": [f"one of {', '.join(ROLES)}"]})
    return replace(info, name=f"{info.name}/{admin}", role=lower_role(info.role, role))
