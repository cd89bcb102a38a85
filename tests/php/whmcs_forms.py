"""Form posts as WHMCS's own client-area templates send them, decoded the way PHP fills $_POST.

Each constant is what one template posts (docs/whmcs-forms.md names the template and repository):
field names and value shapes follow the template's inputs. A checkbox posts its value only when
checked; `email_preferences[...]` has a hidden "0" before each checkbox, so every key is posted;
a disabled input (a field locked by the admin) is not posted at all.
"""

from __future__ import annotations

from typing import Any

PERSON = {
    "firstname": "Ada", "lastname": "Lovelace", "companyname": "Engines Ltd",
    "email": "ada@example.com", "address1": "1 Analytical Way", "address2": "",
    "city": "London", "state": "Greater London", "postcode": "N1 1AA", "country": "GB",
    "phonenumber": "+44.2071234567",
}  # fmt: skip
EMAIL_PREFERENCES = {"general": "1", "invoice": "1", "support": "0", "product": "1", "domain": "0", "affiliate": "0"}

# templates-twenty-one clientareadetails.tpl: every field editable, the default gateway chosen
# ("none"), the marketing switch on.
TWENTY_ONE_DETAILS: dict[str, Any] = {
    "token": "csrf-token", **PERSON, "paymentmethod": "none", "billingcid": "0",
    "accountLanguage": "", "tax_id": "GB123", "customfield": {"1": "blue"},
    "email_preferences": EMAIL_PREFERENCES, "marketingoptin": "1", "save": "Save Changes",
}  # fmt: skip

# The same page with firstname, lastname, email and tax_id locked (disabled, so not posted),
# the marketing switch off (an unchecked checkbox posts nothing), a gateway chosen.
TWENTY_ONE_DETAILS_LOCKED: dict[str, Any] = {
    key: value
    for key, value in TWENTY_ONE_DETAILS.items()
    if key not in {"firstname", "lastname", "email", "tax_id", "marketingoptin"}
} | {"paymentmethod": "stripe"}

# templates-six clientareadetails.tpl: no email preferences nor language in this version.
SIX_DETAILS: dict[str, Any] = {
    "token": "csrf-token", **PERSON, "paymentmethod": "none", "billingcid": "0",
    "tax_id": "GB123", "customfield": {"1": "blue"}, "marketingoptin": "1", "save": "Save Changes",
}  # fmt: skip

# account-contacts-manage.tpl (Twenty-One and Six post the same fields): an existing contact.
CONTACT_MANAGE: dict[str, Any] = {
    "token": "csrf-token", "contactid": "5", **PERSON, "email": "billing@example.com",
    "tax_id": "", "email_preferences": EMAIL_PREFERENCES, "save": "Save Changes",
}  # fmt: skip

# account-contacts-new.tpl: the same fields without contactid.
CONTACT_NEW: dict[str, Any] = {k: v for k, v in CONTACT_MANAGE.items() if k != "contactid"}

# clientregister.tpl: a sign-up, before any client account exists.
REGISTER: dict[str, Any] = {
    "token": "csrf-token", "register": "true", **PERSON, "tax_id": "", "currency": "1",
    "customfield": {"1": "blue"}, "password": "s3cret-Passw0rd", "password2": "s3cret-Passw0rd",
    "securityqid": "1", "securityqans": "mother's maiden", "marketingoptin": "1", "accepttos": "on",
}  # fmt: skip

# What the hook may forward from the client and contact forms (the rest is form plumbing,
# custom fields or secrets).
CLIENT_FORM_FIELDS = {
    *PERSON, "tax_id", "paymentmethod", "billingcid", "currency", "marketingoptin",
    "marketing_emails_opt_in", "emailoptout", "email_preferences",
}  # fmt: skip
CONTACT_FORM_FIELDS = {
    *PERSON, "contactid", "tax_id", "email_preferences", "generalemails", "productemails",
    "domainemails", "invoiceemails", "supportemails", "affiliateemails",
}  # fmt: skip


def forwardable(post: dict[str, Any], fields: set[str]) -> dict[str, Any]:
    return {key: value for key, value in post.items() if key in fields}
