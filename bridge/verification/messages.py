"""Texts shown to customers inside WHMCS. Each has a stable id so a deployment can translate it."""

from __future__ import annotations

from collections.abc import Iterable

FIELD_LABELS = {
    "firstname": "first name", "lastname": "last name", "companyname": "company name",
    "email": "email address", "address1": "address", "address2": "address", "city": "city",
    "state": "state or region", "postcode": "postcode", "country": "country",
    "phonenumber": "phone number", "tax_id": "tax ID", "paymentmethod": "payment method",
    "billingcid": "billing contact", "currency": "currency", "paymethods": "payment details",
}

MESSAGES = {
    "verification-required": (
        "For your security we need to confirm your identity before your {fields} can be changed. "
        "Please contact our support team to complete a quick ID check. Nothing was saved."
    ),
}


def labels(fields: Iterable[str]) -> str:
    unique = list(dict.fromkeys(FIELD_LABELS.get(name, name) for name in fields))
    if len(unique) == 1:
        return unique[0]
    return ", ".join(unique[:-1]) + " and " + unique[-1]


def verification_required(fields: Iterable[str]) -> str:
    return MESSAGES["verification-required"].format(fields=labels(fields))
