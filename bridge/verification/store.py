"""What verification needs from storage. Writes join the caller's unit of work (Ledger.unit), so a
row and its ledger entry commit together."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from bridge.ledger.store import KeyRecord
from bridge.verification.policy import NewVerification, Verification


@dataclass(frozen=True)
class PendingRequest:
    client_id: int
    requested_at: datetime
    fields: list[str]
    actor: Mapping[str, Any]


class VerificationStore(Protocol):
    def add(self, verification: NewVerification) -> None: ...

    def revoke(self, client_id: int, *, at: datetime, by: str) -> None: ...

    def add_request(self, client_id: int, *, at: datetime, fields: Sequence[str], actor: Mapping[str, Any]) -> None:
        """Open a pending request, or widen the client's open one with more fields."""

    def resolve(self, client_id: int, *, at: datetime) -> None: ...

    def for_client(self, client_id: int) -> list[Verification]: ...

    def pending(self) -> list[PendingRequest]: ...

    def open_request(self, client_id: int) -> PendingRequest | None: ...

    def issue_change(self, change_id: str, *, client_id: int | None, purpose: str, at: datetime,
                     expires_at: datetime, subject: str | None = None) -> None: ...

    def change_for(self, purpose: str) -> str | None:
        """The change id issued for a purpose (e.g. one revert job), if any."""

    def claim_change(self, change_id: str, *, client_id: int, subject: str, at: datetime, by: str = "",
                     skew: timedelta = timedelta(0)) -> bool:
        """True once for a change id issued for this client and subject, claimed at a time between
        its issue (less `skew`) and its expiry, and unused; False for anything else."""

    def add_allowance(self, subject: str, digest: str, *, at: datetime, received_at: datetime) -> None: ...

    def has_allowance(self, subject: str, digest: str, *, occurred: tuple[datetime, datetime],
                      received: tuple[datetime, datetime]) -> bool:
        """An allowance whose call's occurred_at lies in `occurred` or whose arrival lies in
        `received` (each a closed interval)."""

    def put_state(self, subject: str, client_id: int, sealed: Mapping[str, str], seq: int | None) -> None:
        """Record sealed values as the subject's known state, as of ledger entry `seq`."""

    def state(self, subject: str) -> dict[str, str]: ...

    def state_with_keys(self, subject: str, *, client_id: int | None = None) -> tuple[dict[str, str],
                                                                                      dict[str, KeyRecord]]: ...

    def states_of_clients(self, client_ids: Sequence[int]) -> tuple[dict[str, dict[str, str]],
                                                                      dict[str, KeyRecord]]: ...

    def subjects_of(self, client_id: int) -> list[str]: ...
