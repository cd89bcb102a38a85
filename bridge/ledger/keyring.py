"""Per-subject data keys: created on first use, unwrapped on demand, shredded on purge, re-wrapped
on master-key rotation. The first configured master key wraps; every configured key unwraps."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bridge.clock import Clock
from bridge.crypto import KeyUnavailable, WrappedKey, new_data_key, unwrap_key, wrap_key
from bridge.errors import ConfigError
from bridge.ledger.store import KeyRecord, LedgerStore

WRITE_CACHE_SECONDS = 60.0
WRITE_CACHE_SIZE = 10_000


@dataclass(frozen=True)
class MasterKeyRef:
    kid: str
    key: bytes


@dataclass(frozen=True)
class DataKeyHandle:
    kid: str
    key: bytes


@dataclass(frozen=True)
class Rotation:
    """What `rotate` did. `retired`: each master key id that no live data key is wrapped under any
    more -> the shredded subjects it still covered (their wrapped keys may live on in old database
    pages, WAL, replicas and backups), each subject counted by the first rotation retiring its key
    only. `still_covered`: shredded subjects whose last wrapping is under the current key."""

    master_kid: str
    rewrapped: int
    retired: dict[str, int]
    still_covered: int


class Keyring:
    def __init__(self, *, store: LedgerStore, masters: Sequence[MasterKeyRef], clock: Clock) -> None:
        self._store, self._masters, self._clock = store, list(masters), clock
        self._cache: dict[str, tuple[DataKeyHandle, float]] = {}

    @property
    def _pairs(self) -> list[tuple[str, bytes]]:
        return [(m.kid, m.key) for m in self._masters]

    def for_writing(self, subject: str) -> DataKeyHandle:
        """The subject's data key, created if missing. For a shredded subject, a throwaway key
        under the tombstone's id: whatever is written now is born shredded.

        Cached briefly per process. That is safe for writing only: a key shredded meanwhile by
        another process has lost its wrapped copy, so what is sealed with the cached key can no
        longer be read by anyone. Reads never use this cache."""
        cached = self._cache.get(subject)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        handle = self._load_for_writing(subject)
        self._remember(subject, handle)
        return handle

    def prepare_for_writing(self, subjects: Iterable[str]) -> None:
        """Load (and create where missing) the data keys of many subjects at once: one read and at
        most one write transaction for all of them instead of one each. For bulk writers (sync)."""
        now = time.monotonic()
        wanted = sorted({s for s in subjects if not ((c := self._cache.get(s)) and c[1] > now)})
        if not wanted:
            return
        records = self._store.keys_for_subjects(wanted)
        missing = [s for s in wanted if s not in records]
        if missing:
            records.update(self._store.create_keys([self._new_key(s) for s in missing], at=self._clock.now()))
        for subject in wanted:
            self._remember(subject, self._handle(records[subject]))

    def _remember(self, subject: str, handle: DataKeyHandle) -> None:
        """Cache a key once it is committed: a key created in a unit of work that rolls back is
        never cached (what was sealed with it would be unreadable by anyone)."""
        self._store.after_commit(lambda: self._cache_key(subject, handle))

    def _cache_key(self, subject: str, handle: DataKeyHandle) -> None:
        self._cache[subject] = (handle, time.monotonic() + WRITE_CACHE_SECONDS)
        if len(self._cache) > WRITE_CACHE_SIZE:
            self._cache.pop(next(iter(self._cache)))

    def _handle(self, record: KeyRecord) -> DataKeyHandle:
        if record.shredded:
            return DataKeyHandle(kid=record.kid, key=new_data_key())
        return DataKeyHandle(kid=record.kid, key=unwrap_key(record.wrapped, self._pairs))

    def _load_for_writing(self, subject: str) -> DataKeyHandle:
        record = self._store.key_for(subject)
        if record is None:
            record = self._create(subject)
        return self._handle(record)

    def _first_master(self) -> MasterKeyRef:
        if not self._masters:
            raise ConfigError("BRIDGE_MASTER_KEY is required to write or read personal values")
        return self._masters[0]

    def _create(self, subject: str) -> KeyRecord:
        """A new key for the subject, or the one another writer created first."""
        return self._store.create_keys([self._new_key(subject)], at=self._clock.now())[subject]

    def _new_key(self, subject: str) -> WrappedKey:
        master = self._first_master()
        kid = "dk_" + uuid.UUID(bytes=os.urandom(16)).hex
        return wrap_key(new_data_key(), kid=kid, subject=subject, master_kid=master.kid, master=master.key)

    def for_reading(self, kids: Sequence[str]) -> dict[str, bytes | None]:
        """kid -> key, or None when the key is shredded, unknown or unwrappable."""
        return self.unwrap(self._store.keys_by_kid(sorted(set(kids))), kids)

    def unwrap(self, found: Mapping[str, KeyRecord], kids: Iterable[str]) -> dict[str, bytes | None]:
        """kid -> key for records already read; None for shredded, unknown or unwrappable."""
        keys: dict[str, bytes | None] = {}
        for kid in set(kids):
            record = found.get(kid)
            try:
                keys[kid] = unwrap_key(record.wrapped, self._pairs) if record and record.wrapped else None
            except KeyUnavailable:
                keys[kid] = None
        return keys

    def shred(self, subject: str) -> bool:
        self._cache.pop(subject, None)
        return self._store.shred(subject, at=self._clock.now())

    def rotate(self) -> Rotation:
        """Re-wrap every live data key under the first master key, which retires every other one:
        the configured ones, those the moved keys were under and those shredded keys were under."""
        target = self._first_master()
        moved, sources = [], set()
        for record in self._store.all_keys():
            if record.wrapped is None or record.wrapped.master_kid == target.kid:
                continue
            plain = unwrap_key(record.wrapped, self._pairs)
            sources.add(record.wrapped.master_kid)
            moved.append(wrap_key(plain, kid=record.kid, subject=record.subject,
                                  master_kid=target.kid, master=target.key))
        rewrapped = self._store.replace_wrapping(moved)
        unreported = self._store.unreported_shreds()
        retiring = ({m.kid for m in self._masters} | sources | set(unreported)) - {target.kid}
        retired = self._store.retire_master_keys(sorted(retiring), at=self._clock.now())
        return Rotation(master_kid=target.kid, rewrapped=rewrapped, retired=retired,
                        still_covered=unreported.get(target.kid, 0))
