"""Last known field values per client or contact, sealed under the client's data key: what the
validate check compares against when WHMCS sends no `current`, and gone with the key on purge."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from bridge.crypto import KeyUnavailable, open_value, seal_value
from bridge.ledger.keyring import Keyring
from bridge.verification.store import VerificationStore


def client_ref(client_id: int) -> str:
    return f"client:{client_id}"


def contact_ref(contact_id: int) -> str:
    return f"contact:{contact_id}"


class KnownStates:
    def __init__(self, *, store: VerificationStore, keyring: Keyring) -> None:
        self.store, self.keyring = store, keyring

    def record(self, client_id: int, subject: str, values: Mapping[str, Any], *, seq: int | None) -> None:
        """Remember `values` (None values are skipped) as known as of ledger entry `seq`, in the
        caller's unit of work."""
        values = {k: v for k, v in values.items() if v is not None}
        if not values:
            return
        key = self.keyring.for_writing(client_ref(client_id))
        sealed = {
            name: json.dumps(seal_value(value, data_key=key.key, kid=key.kid, entry_id=f"state|{subject}", field=name))
            for name, value in values.items()
        }
        self.store.put_state(subject, client_id, sealed, seq)

    def subjects_of(self, client_id: int) -> list[str]:
        """The client's own subject and its contacts' that have a known state."""
        return self.store.subjects_of(client_id)

    def get(self, subject: str, *, client_id: int | None = None) -> dict[str, Any] | None:
        """The known values, or None when nothing is known (or the key is shredded). With
        `client_id`, only what is known of this subject as that client's (a contact id posted with
        another client's id finds nothing)."""
        raw, records = self.store.state_with_keys(subject, client_id=client_id)
        return self._open(subject, raw, records)

    def get_for_clients(self, client_ids: Sequence[int]) -> dict[str, dict[str, Any]]:
        """subject -> known values, for every client and contact of these clients, read at once
        (bulk readers such as sync); subjects with nothing known (or shredded) are left out."""
        states, records = self.store.states_of_clients(client_ids)
        opened = {subject: self._open(subject, raw, records) for subject, raw in states.items()}
        return {subject: values for subject, values in opened.items() if values}

    def _open(self, subject: str, raw: Mapping[str, str], records: Mapping[str, Any]) -> dict[str, Any] | None:
        sealed = {name: json.loads(value) for name, value in raw.items()}
        if not sealed:
            return None
        keys = self.keyring.unwrap(records, [v["kid"] for v in sealed.values()])
        values = {}
        for name, item in sealed.items():
            key = keys.get(item["kid"])
            if key is None:
                return None
            try:
                values[name] = open_value(item, data_key=key, entry_id=f"state|{subject}", field=name)
            except KeyUnavailable:
                return None
        return values
