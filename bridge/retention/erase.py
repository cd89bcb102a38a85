"""The WHMCS side of a purge, one idempotent step at a time: each step re-reads what is left and
erases it, so repeating a step after a crash or a lost answer erases nothing twice and misses
nothing. Every write carries a fresh change id issued before it is sent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bridge.vocabulary import MARKETING_OPT_IN_FORM, NOTES, PROFILE_FIELDS
from bridge.whmcs.api import WhmcsClient, WhmcsNotFound, WhmcsRejected

ChangeIds = Callable[[int], str]  # client id -> a fresh bridge_change_id, registered before the write
DELETED_NAME = "Deleted"
ERASED_CLIENT_FIELDS = (*PROFILE_FIELDS, NOTES, "marketing opt-in")
_PLACEHOLDER_FIELDS = ("firstname", "lastname", "email")  # WHMCS requires them: replaced, not blanked


def placeholder_email(client_id: int) -> str:
    return f"deleted-{client_id}@invalid.example"


def placeholder_user_email(user_id: int) -> str:
    return f"deleted-user-{user_id}@invalid.example"


def client_placeholders(client_id: int) -> dict[str, Any]:
    blank = dict.fromkeys((*(n for n in PROFILE_FIELDS if n not in _PLACEHOLDER_FIELDS), NOTES), "")
    return {"firstname": DELETED_NAME, "lastname": DELETED_NAME, "email": placeholder_email(client_id), **blank,
            MARKETING_OPT_IN_FORM: False, "status": "Closed"}  # UpdateClient documents no emailoptout


def users_plan(whmcs: WhmcsClient, client_id: int, details: Any) -> dict[str, list[int]]:
    """Which 8.x Users to anonymise (linked to this account only), unlink (linked elsewhere too),
    or keep (the owner, linked elsewhere: WHMCS cannot remove an account owner)."""
    wanted = {link.user_id: link.is_owner for link in details.users}
    found: dict[int, Any] = {}
    if wanted and details.email:  # usually the owner shares the account's email: one cheap search
        found.update({u.id: u for u in whmcs.iter_users(search=details.email) if u.id in wanted})
    if set(wanted) - set(found):
        for user in whmcs.iter_users():
            if user.id in wanted:
                found[user.id] = user
            if set(found) >= set(wanted):
                break
    plan: dict[str, list[int]] = {"anonymize": [], "unlink": [], "kept_owner": []}
    for user_id in sorted(found):
        others = found[user_id].client_ids - {client_id}
        key = "anonymize" if not others else ("kept_owner" if wanted[user_id] else "unlink")
        plan[key].append(user_id)
    return plan


def update_client(whmcs: WhmcsClient, client_id: int, ids: ChangeIds) -> dict[str, Any]:
    whmcs.update_client(client_id, client_placeholders(client_id), change_id=ids(client_id), skip_validation=True)
    return {"action": "UpdateClient", "erased": list(ERASED_CLIENT_FIELDS), "status": "Closed"}


def delete_contacts(whmcs: WhmcsClient, client_id: int, ids: ChangeIds) -> dict[str, Any]:
    deleted = []
    for contact in list(whmcs.iter_contacts(client_id)):
        try:
            whmcs.delete_contact(contact.id, change_id=ids(client_id))
        except WhmcsNotFound:
            pass  # gone already (a retry after a lost answer)
        deleted.append(contact.id)
    return {"action": "DeleteContact", "contact_ids": deleted}


def delete_pay_methods(whmcs: WhmcsClient, client_id: int, ids: ChangeIds) -> dict[str, Any]:
    deleted = []
    for method in whmcs.get_pay_methods(client_id):
        try:
            whmcs.delete_pay_method(client_id, method.id, change_id=ids(client_id))
        except WhmcsNotFound:
            pass
        deleted.append(method.id)
    return {"action": "DeletePayMethod", "paymethod_ids": deleted}


def erase_users(whmcs: WhmcsClient, client_id: int, plan: dict[str, list[int]], ids: ChangeIds) -> list[dict]:
    for user_id in plan["anonymize"]:
        whmcs.update_user(user_id, {"firstname": DELETED_NAME, "lastname": DELETED_NAME,
                                    "email": placeholder_user_email(user_id)}, change_id=ids(client_id))
    for user_id in plan["unlink"]:
        try:
            whmcs.delete_user_client(user_id, client_id, change_id=ids(client_id))
        except WhmcsRejected as exc:
            if "not associated" not in exc.whmcs_message.lower() and not isinstance(exc, WhmcsNotFound):
                raise  # anything but "already unlinked" is a real refusal
    return [{"action": "UpdateUser", "user_ids": plan["anonymize"], "erased": ["firstname", "lastname", "email"]},
            {"action": "DeleteUserClient", "user_ids": plan["unlink"]}]


def confirm(whmcs: WhmcsClient, client_id: int) -> bool:
    """Re-read the account: WHMCS may ignore an empty value instead of clearing the field."""
    details = whmcs.get_client(client_id)
    return (details.email == placeholder_email(client_id) and details.firstname == DELETED_NAME
            and details.lastname == DELETED_NAME and not details.address1 and not details.phonenumber
            and not details.marketing_opt_in)


def delete_client(whmcs: WhmcsClient, client_id: int, ids: ChangeIds) -> dict[str, Any]:
    try:
        whmcs.delete_client(client_id, change_id=ids(client_id), delete_users=True)
    except WhmcsNotFound:
        pass  # deleted by the attempt whose answer was lost
    return {"action": "DeleteClient", "deleteusers": True}
