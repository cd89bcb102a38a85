"""The request parameters WHMCS documents for each API action the bridge uses.

One table, read by both sides: `HttpWhmcsClient` refuses to send a parameter that is not listed
(a bridge bug, caught before WHMCS silently ignores it), and the emulator drops unlisted
parameters before an action sees them, as WHMCS does. The source of each row is the action's page
in the WHMCS developer documentation, `api-reference/<action lower case>.md`; docs/whmcs-api.md
lists them with the notes on versions.

Besides the action's own parameters every call carries the transport and authentication fields
(`TRANSPORT`), and the bridge's writes carry `bridge_change_id`: WHMCS ignores it, the hook in
the same request reads it from the POST and echoes it (contract section 6).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bridge.vocabulary import (
    CHANGE_ID,
    CONTACT_FIELDS,
    EMAIL_KINDS,
    MARKETING_OPT_IN_FORM,
    TAX_ID,
    email_preference_form,
)

TRANSPORT = frozenset({"action", "responsetype", "identifier", "secret", "username", "password",
                       "accesskey"})

_PAGING = ("limitstart", "limitnum")
_ADDRESS = CONTACT_FIELDS
EMAIL_PREFERENCES = tuple(email_preference_form(kind) for kind in EMAIL_KINDS)

PARAMETERS: Mapping[str, frozenset[str]] = {
    name: frozenset(params) for name, params in {
        "GetClients": (*_PAGING, "sorting", "status", "search", "orderby"),
        "GetClientsDetails": ("clientid", "email", "stats"),
        "UpdateClient": (
            "clientid", "clientemail", *_ADDRESS, TAX_ID, "currency", "groupid", "customfields",
            "language", "clientip", "notes", "status", "paymentmethod", *EMAIL_PREFERENCES,
            MARKETING_OPT_IN_FORM, "clearcreditcard", "skipvalidation", "latefeeoveride",
            "overideduenotices", "taxexempt", "separateinvoices", "disableautocc",
            "overrideautoclose",
        ),
        "CloseClient": ("clientid",),
        "DeleteClient": ("clientid", "deleteusers", "deletetransactions"),
        "GetContacts": (*_PAGING, "userid", *_ADDRESS),
        "AddContact": ("clientid", *_ADDRESS, TAX_ID, *EMAIL_PREFERENCES),
        "UpdateContact": ("contactid", *_ADDRESS, *EMAIL_PREFERENCES),
        "DeleteContact": ("contactid",),
        "GetInvoices": (*_PAGING, "userid", "status", "orderby", "order"),
        "GetPayMethods": ("clientid", "paymethodid", "type"),
        "DeletePayMethod": ("clientid", "paymethodid", "failonremotefailure"),
        "GetClientsProducts": (*_PAGING, "clientid", "serviceid", "pid", "domain", "username2"),
        "GetUsers": (*_PAGING, "sorting", "search"),
        "UpdateUser": ("user_id", "firstname", "lastname", "email", "language"),
        "DeleteUserClient": ("user_id", "client_id"),
        "ValidateLogin": ("email", "password2"),
        "LogActivity": ("clientid", "description"),
        # `userid` is the pre-8.5 name of the clientid filter, still accepted (its version history)
        "GetActivityLog": (*_PAGING, "clientid", "userid", "date", "user", "description",
                           "ipaddress"),
        "AddClientNote": ("userid", "notes", "sticky"),
        "SendEmail": ("messagename", "id", "customtype", "custommessage", "customsubject",
                      "customvars"),
    }.items()
}


# The actions WHMCS documents as changing nothing: the only ones the client may send more than once
# (`bridge.whmcs.retry`). Every other action in PARAMETERS is a write, sent exactly once.
READS = frozenset({
    "GetClients", "GetClientsDetails", "GetContacts", "GetInvoices", "GetPayMethods",
    "GetClientsProducts", "GetUsers", "ValidateLogin", "GetActivityLog",
})


def is_read(action: str) -> bool:
    return action in READS


def source(action: str) -> str:
    """Where the action's parameters are documented (path in WHMCS's developer-docs repository)."""
    return f"api-reference/{action.lower()}.md"


def undocumented(action: str, names: Iterable[str]) -> list[str]:
    """The names among `names` that `action` does not document (transport fields and the
    bridge's change id are always allowed), sorted."""
    known = PARAMETERS.get(action, frozenset()) | TRANSPORT | {CHANGE_ID}
    return sorted(set(names) - known)


# Names the hooks and GetClientsDetails use, mapped to UpdateClient's parameter names, so a
# revert can send `olddata` back as it came.
API_NAMES = {"marketing_emails_opt_in": "marketingoptin", "defaultgateway": "paymentmethod"}


def api_name(field: str) -> str:
    return API_NAMES.get(field, field)


def split_writable(action: str, fields: Iterable[str]) -> tuple[list[str], list[str]]:
    """Fields (hook or API names) that `action` can set, and those it cannot, in the order given.
    A mapping field such as `email_preferences` counts as its bracketed parameters."""
    known = PARAMETERS.get(action, frozenset())
    names = list(fields)

    def settable(name: str) -> bool:
        return api_name(name) in known or f"{name}[general]" in known

    return [n for n in names if settable(n)], [n for n in names if not settable(n)]
