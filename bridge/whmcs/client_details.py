"""GetClientsDetails, typed. Only the nested `client` object is read: WHMCS repeats the same fields
at the top level of the answer for old callers, and those copies are deprecated."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bridge.vocabulary import CLIENT_FLAGS, EMAIL_KINDS, EMAIL_PREFERENCES, GATEWAY_COLUMN, MARKETING_OPT_IN, NOTES
from bridge.whmcs.results import (
    ClientStats,
    ClientUserLink,
    Profile,
    Row,
    personal_field,
    to_bool,
    to_int,
    to_text,
)


@dataclass(frozen=True, slots=True)
class ClientDetails(Profile):
    """A client account as GetClientsDetails describes it.

    `fields()` gives the contact and billing fields under the contract's names (section 2), the
    shape the ledger snapshots and `olddata` comparisons use.
    """

    id: int
    status: str
    owner_user_id: int = 0
    uuid: str = ""
    groupid: int = 0
    currency: int = 0
    billingcid: int = 0
    defaultgateway: str = ""
    language: str = ""
    credit: str = "0.00"
    flags: Mapping[str, bool] = field(default_factory=dict)
    email_preferences: Mapping[str, bool] = field(default_factory=dict)
    users: tuple[ClientUserLink, ...] = ()
    stats: ClientStats | None = None
    notes: str = personal_field()

    @property
    def marketing_opt_in(self) -> bool:
        return self.flags.get(MARKETING_OPT_IN, False)

    def fields(self) -> dict[str, str]:
        values = Profile.fields(self)
        values.update(
            paymentmethod=self.defaultgateway, billingcid=str(self.billingcid),
            currency=str(self.currency),
        )
        return values

    @classmethod
    def from_api(cls, answer: Row) -> ClientDetails:
        row: Row = answer.get("client") or {}
        stats = answer.get("stats")
        return cls(
            id=to_int(row.get("id", row.get("client_id"))), status=to_text(row.get("status")),
            owner_user_id=to_int(row.get("owner_user_id")), uuid=to_text(row.get("uuid")),
            groupid=to_int(row.get("groupid")), currency=to_int(row.get("currency")),
            billingcid=to_int(row.get("billingcid")),
            defaultgateway=to_text(row.get(GATEWAY_COLUMN)),
            language=to_text(row.get("language")), credit=to_text(row.get("credit")) or "0.00",
            flags={name: to_bool(row.get(name)) for name in CLIENT_FLAGS if name in row},
            email_preferences=_preferences(row.get(EMAIL_PREFERENCES)),
            users=_users(row.get("users")),
            stats=ClientStats.from_api(stats) if isinstance(stats, Mapping) else None,
            notes=to_text(row.get(NOTES)), **Profile.read(row),
        )


def _preferences(raw: object) -> dict[str, bool]:
    if not isinstance(raw, Mapping):
        return {}
    return {key: to_bool(raw[key]) for key in EMAIL_KINDS if key in raw}


def _users(raw: object) -> tuple[ClientUserLink, ...]:
    rows = raw.get("user") if isinstance(raw, Mapping) else raw
    if isinstance(rows, Mapping):
        rows = [rows]
    if not isinstance(rows, list):
        return ()
    return tuple(
        ClientUserLink(to_int(row.get("id")), to_bool(row.get("is_owner")))
        for row in rows if isinstance(row, Mapping)
    )
