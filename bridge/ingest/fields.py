"""Which hook fields the ledger tracks, and under which category.

Built once from Settings (`FieldPolicy.from_settings`), never from the environment. A field not
tracked here is never copied into a ledger entry, whatever WHMCS sends.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from bridge.ledger.entries import Category
from bridge.settings import Settings
from bridge.vocabulary import (
    ACCOUNT_FIELDS,
    BILLING_FIELDS,
    CONSENT_FIELDS,
    CONTACT_FIELDS,
    CONTACT_SWITCHES,
    EMAIL_PREFERENCES,
    USER_FIELDS,
)

# The field names and their categories live in bridge.vocabulary; a field's category here is the
# vocabulary list that names it (the first one, for a name in two: contact before billing ...).


def _categorise(*groups: tuple[Iterable[str], Category]) -> Mapping[str, Category]:
    """Field -> category; the first group naming a field wins (contact before billing ...)."""
    table: dict[str, Category] = {}
    for names, category in groups:
        for name in names:
            table.setdefault(name, category)
    return MappingProxyType(table)


@dataclass(frozen=True)
class FieldPolicy:
    """Tracked fields by subject kind, each with its ledger category.

    `protected` is the set of client fields that need verification to change; every protected
    field is tracked (a protected field outside the known categories is tracked as "account").
    """

    client: Mapping[str, Category]
    contact: Mapping[str, Category]
    user: Mapping[str, Category]
    protected: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_settings(cls, settings: Settings) -> FieldPolicy:
        return cls.build(protected=settings.protected_fields)

    @classmethod
    def build(cls, *, protected: Iterable[str] = CONTACT_FIELDS + BILLING_FIELDS) -> FieldPolicy:
        protected = frozenset(protected)
        client = _categorise(
            (CONTACT_FIELDS, Category.CONTACT),
            (BILLING_FIELDS, Category.BILLING),
            (CONSENT_FIELDS, Category.CONSENT),
            (ACCOUNT_FIELDS, Category.ACCOUNT),
            (sorted(protected), Category.ACCOUNT),
        )
        # Contacts carry the contact fields and tax_id; they have no consent or account state.
        personal = {n: c for n, c in client.items() if c in (Category.CONTACT, Category.BILLING)}
        contact = MappingProxyType(personal | dict.fromkeys(CONTACT_SWITCHES, Category.ACCOUNT))
        user = _categorise((USER_FIELDS, Category.USER))
        return cls(client=client, contact=contact, user=user, protected=protected)

    def client_category(self, name: str) -> Category | None:
        """The category of a client field, or None when it is not tracked."""
        if name.startswith(EMAIL_PREFERENCES + "["):
            return Category.CONSENT
        return self.client.get(name)
