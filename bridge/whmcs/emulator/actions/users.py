"""GetUsers, UpdateUser, DeleteUserClient (the 8.x Users API) and ValidateLogin."""

from __future__ import annotations

import hashlib

from bridge.whmcs.emulator import render
from bridge.whmcs.emulator.builders import password_matches
from bridge.whmcs.emulator.records import UserRecord
from bridge.whmcs.emulator.store import ActionResult, ApiError, Call, Store, page, valid_email

USER_FIELDS = ("firstname", "lastname", "email", "language")


def get_users(store: Store, call: Call) -> ActionResult:
    rows = sorted(store.users.values(), key=lambda u: u.id)
    search = call.text("search").strip().lower()
    if search:
        rows = [u for u in rows if search in f"{u.firstname} {u.lastname} {u.email}".lower()]
    if call.text("sorting").upper() == "DESC":
        rows.reverse()
    chosen, counters = page(rows, call)
    return {**counters, "users": [render.user(u) for u in chosen]}


def update_user(store: Store, call: Call) -> ActionResult:
    user = store.user(call.int("user_id"))
    if call.has("email"):
        _check_email(store, user, call.text("email"))
    before = _hook_vars(user)
    for name in USER_FIELDS:
        if call.has(name):
            setattr(user, name, call.text(name))
    call.fire("UserEdit", **_hook_vars(user), olddata=before)
    return {"user_id": str(user.id)}


def _check_email(store: Store, user: UserRecord, email: str) -> None:
    if not valid_email(email):
        raise ApiError("The email address entered is not valid")
    wanted = email.strip().lower()
    if any(u.id != user.id and u.email.lower() == wanted for u in store.users.values()):
        raise ApiError("A user already exists with that email address")


def delete_user_client(store: Store, call: Call) -> ActionResult:
    user = store.user(call.int("user_id"))
    client = store.client(call.int("client_id"))
    if client.id not in user.clients:
        raise ApiError("User is not associated with this client")
    if user.clients[client.id]:
        raise ApiError("You cannot remove the account owner")
    store.unlink(user, client.id)
    return {}


def _hook_vars(user: UserRecord) -> dict[str, object]:
    return {
        "user_id": user.id, "firstname": user.firstname, "lastname": user.lastname,
        "email": user.email,
    }


def validate_login(store: Store, call: Call) -> ActionResult:
    """A User's email and password (`password2`): the client id of the account the User owns (or
    the first linked one) and a session token; one error for any mismatch, as WHMCS answers."""
    wanted = call.text("email").strip().lower()
    user = next((u for u in store.users.values() if wanted and u.email.lower() == wanted), None)
    if user is None or not password_matches(user, call.text("password2")) or not user.clients:
        raise ApiError("Email or Password Invalid")
    owned = sorted(cid for cid, owner in user.clients.items() if owner) or sorted(user.clients)
    token = hashlib.sha256(f"{user.id}|{user.password_hash}".encode()).hexdigest()[:40]
    return {"userid": str(owned[0]), "passwordhash": token, "twoFactorEnabled": "false"}
