"""The WHMCS vocabulary: field names by category, hook (event) names and form names.

One place for each name the bridge and the addon module share. Everything here is a plain string,
a tuple of strings or a frozenset of strings; this package imports nothing, so any layer may use
it. The module's `lib/Vocabulary.php` is generated from it (`python -m bridge.vocabulary --php`)
and `--check` tells when that file is out of date (docs/vocabulary.md).
"""

from __future__ import annotations

# -- field names by category ---------------------------------------------------------------------

# A client's or a contact's postal address, as WHMCS names its columns and hook vars.
ADDRESS_FIELDS = ("address1", "address2", "city", "state", "postcode", "country")
# The contact category (contract section 2): who the customer is and how to reach them.
CONTACT_FIELDS = ("firstname", "lastname", "companyname", "email", *ADDRESS_FIELDS, "phonenumber")
TAX_ID = "tax_id"
# The personal fields a client account and a contact both have (GetClientsDetails, GetContacts).
PROFILE_FIELDS = (*CONTACT_FIELDS, TAX_ID)
# tblclients calls the client's payment gateway `defaultgateway`; the API and the ledger say
# `paymentmethod`.
GATEWAY_COLUMN = "defaultgateway"
NOTES = "notes"
# The billing fields WHMCS's client hooks and forms carry ...
BILLING_HOOK_FIELDS = (TAX_ID, "paymentmethod", "billingcid", "currency")
# ... and the billing category: those plus the masked stored pay methods the bridge polls for.
PAYMETHODS = "paymethods"
BILLING_FIELDS = (*BILLING_HOOK_FIELDS, PAYMETHODS)

# WHMCS 8 has two spellings of marketing consent plus the legacy opt-out flag; all are tracked so
# a change through any of them shows. email_preferences[<kind>] (7.10+) is matched by prefix.
MARKETING_OPT_IN = "marketing_emails_opt_in"
EMAIL_OPT_OUT = "emailoptout"
CONSENT_FIELDS = (MARKETING_OPT_IN, "isOptedInToMarketingEmails", EMAIL_OPT_OUT)
# The consent state the bridge keeps per client (what EmailPreSend decides on).
CONSENT_STATE = (MARKETING_OPT_IN, EMAIL_OPT_OUT)
EMAIL_PREFERENCES = "email_preferences"
# The kinds of service mail, in WHMCS's order of a contact's switches (`generalemails` ...).
EMAIL_KINDS = ("general", "product", "domain", "invoice", "support", "affiliate")
# Non-personal account settings whose changes matter to staff (closure, billing behaviour).
ACCOUNT_FIELDS = (
    "status", "groupid", "language", "taxexempt", "latefeeoveride", "overideduenotices",
    "separateinvoices", "disableautocc", "overrideautoclose", "allow_sso", "email_verified",
)
# The yes/no settings of a client account GetClientsDetails returns.
CLIENT_FLAGS = (
    "taxexempt", "latefeeoveride", "overideduenotices", "separateinvoices", "disableautocc",
    EMAIL_OPT_OUT, MARKETING_OPT_IN, "overrideautoclose", "email_verified",
)
# A contact's notification switches: routing of service mail, not marketing consent.
CONTACT_SWITCHES = tuple(f"{kind}emails" for kind in EMAIL_KINDS)
USER_FIELDS = ("firstname", "lastname", "email", "language")
CARD_FIELDS = ("cardtype", "cardlastfour")

# -- event (hook) names --------------------------------------------------------------------------
# An event outside these sets is not an error: the bridge answers "ignored" and moves on, because
# WHMCS grows new hooks and an outbox must never loop on one it cannot place.

HANDLED_EVENTS = frozenset(
    {
        "ClientAdd",
        "ClientEdit",
        "ClientClose",
        "PreDeleteClient",
        "ClientDelete",  # deprecated since WHMCS 8.0 in favour of PreDeleteClient; older installs
        "ClientChangePassword",
        "UserAdd",
        "UserEdit",
        "UserChangePassword",
        "UserLogin",
        "ContactAdd",
        "ContactEdit",
        "ContactDelete",
        "CCUpdate",
        "AfterClientMerge",
        "DailyCronJob",
    }
)
CLIENT_VALIDATION_EVENT = "ClientDetailsValidation"
CONTACT_VALIDATION_EVENT = "ContactDetailsValidation"
EMAIL_EVENT = "EmailPreSend"
VALIDATE_EVENTS = frozenset({CLIENT_VALIDATION_EVENT, CONTACT_VALIDATION_EVENT, EMAIL_EVENT})
# The panels: three WHMCS hooks the module registers, and the module's own privacy page.
PANEL_HOOKS = ("AdminAreaClientSummaryPage", "ClientAreaHomepage", "ClientAreaHeaderOutput")
PRIVACY_PAGE_EVENT = "ClientAreaPrivacyPage"
PANEL_EVENTS = frozenset({*PANEL_HOOKS, PRIVACY_PAGE_EVENT})
# The addon module's own calls (section 11): its report of a residual erasure (an outbox event,
# handled by the retention service that issued the order, not by a drafting handler), its cron's
# request for work, and the customer's own export.
ERASED_EVENT = "PrivacyBridgeErased"
WORK_EVENT = "AfterCronJob"
EXPORT_EVENT = "ClientAreaExport"
MODULE_EVENTS = frozenset({ERASED_EVENT, WORK_EVENT, EXPORT_EVENT})

# -- form names ----------------------------------------------------------------------------------

# The client profile form posts the marketing checkbox as `marketingoptin`, UpdateClient's name too
# (docs/whmcs-forms.md); the others come from the admin area and the API.
MARKETING_OPT_IN_FORM = "marketingoptin"
CONSENT_FORM = (MARKETING_OPT_IN_FORM, MARKETING_OPT_IN, EMAIL_OPT_OUT, EMAIL_PREFERENCES)
# The bridge's writes to the WHMCS API carry this POST field; the module's hooks in the same
# request read it and echo it (contract section 6).
CHANGE_ID = "bridge_change_id"
# The privacy page's export form (rendered by the bridge, answered by the module).
EXPORT_ACTION_FIELD = "do"
EXPORT_ACTION = "export"
EXPORT_PASSWORD_FIELD = "password"  # noqa: S105 - a form field's name, not a password


def email_preference_form(kind: str) -> str:
    """The form and API name of one email preference: `email_preferences[general]`."""
    return f"{EMAIL_PREFERENCES}[{kind}]"
