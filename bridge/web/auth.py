"""Bearer tokens to roles. `require_role("agent")` guards a view; the staff identity is passed to
services explicitly as the actor, never read from globals inside the domain."""

from __future__ import annotations

from functools import wraps

from flask import current_app, g, request

from bridge.tokens import acting, role_allows
from bridge.web.problems import problem

ACTING_ADMIN, ACTING_ROLE = "X-Acting-Admin", "X-Acting-Role"


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def require_role(role: str):
    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            token = _bearer()
            info = current_app.extensions["bridge"].tokens.authenticate(token) if token else None
            if info is None:
                return problem(401, "unauthorized", "a valid bearer token is required",
                               headers={"WWW-Authenticate": "Bearer"})
            info = acting(info, admin=request.headers.get(ACTING_ADMIN), role=request.headers.get(ACTING_ROLE))
            if not role_allows(info.role, role):
                return problem(403, "forbidden", f"this needs the {role} role")
            g.staff = info
            return view(*args, **kwargs)

        guarded.required_role = role
        return guarded

    return decorate
