"""The action table: WHMCS action name -> handler. Names match case-insensitively, as in WHMCS."""

from __future__ import annotations

from collections.abc import Callable

from bridge.whmcs.emulator.actions import billing, clients, contacts, misc, users
from bridge.whmcs.emulator.store import ActionResult, Call, Store

Handler = Callable[[Store, Call], ActionResult]

HANDLERS: dict[str, Handler] = {
    "GetClients": clients.get_clients,
    "GetClientsDetails": clients.get_clients_details,
    "UpdateClient": clients.update_client,
    "CloseClient": clients.close_client,
    "DeleteClient": clients.delete_client,
    "GetContacts": contacts.get_contacts,
    "AddContact": contacts.add_contact,
    "UpdateContact": contacts.update_contact,
    "DeleteContact": contacts.delete_contact,
    "GetInvoices": billing.get_invoices,
    "GetPayMethods": billing.get_pay_methods,
    "DeletePayMethod": billing.delete_pay_method,
    "GetClientsProducts": billing.get_clients_products,
    "GetUsers": users.get_users,
    "UpdateUser": users.update_user,
    "DeleteUserClient": users.delete_user_client,
    "ValidateLogin": users.validate_login,
    "LogActivity": misc.log_activity,
    "GetActivityLog": misc.get_activity_log,
    "AddClientNote": misc.add_client_note,
    "SendEmail": misc.send_email,
}
_BY_LOWER = {name.lower(): name for name in HANDLERS}


def canonical(action: str) -> str | None:
    """WHMCS's spelling of an action name given in any case; None if the emulator lacks it."""
    return _BY_LOWER.get(action.strip().lower())
