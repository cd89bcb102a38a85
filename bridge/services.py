"""The single composition root: builds every real adapter from Settings, for web and CLI alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from bridge.clock import Clock, SystemClock
from bridge.db.base import make_engine
from bridge.db.ledger_store import SqlLedgerStore
from bridge.db.token_store import SqlTokenStore
from bridge.ledger.keyring import Keyring, MasterKeyRef
from bridge.ledger.service import Ledger
from bridge.settings import Settings
from bridge.tokens import Tokens


@dataclass
class Services:
    settings: Settings
    clock: Clock
    engine: Engine
    ledger: Ledger
    tokens: Tokens
    extras: dict[str, Any] = field(default_factory=dict)

    def dispose(self) -> None:
        self.engine.dispose()

    @property
    def ingest(self):  # noqa: ANN201 - built lazily: only hook traffic needs it
        if "ingest" not in self.extras:
            from bridge.ingest.handlers import FieldPolicy
            from bridge.ingest.service import IngestService

            self.extras["ingest"] = IngestService(
                ledger=self.ledger, fields=FieldPolicy.from_settings(self.settings)
            )
        return self.extras["ingest"]


def build_ledger(*, settings: Settings, engine: Engine, clock: Clock) -> Ledger:
    store = SqlLedgerStore(engine=engine)
    masters = [MasterKeyRef(kid=m.kid, key=m.key) for m in settings.master_key]
    return Ledger(store=store, keyring=Keyring(store=store, masters=masters, clock=clock), clock=clock)


def build_services(settings: Settings, *, clock: Clock | None = None, engine: Engine | None = None) -> Services:
    """Everything the bridge needs, from settings. Requires the master key (the ledger needs it)."""
    settings.require("master_key")
    clock = clock or SystemClock()
    engine = engine or make_engine(settings.database_url)
    return Services(
        settings=settings,
        clock=clock,
        engine=engine,
        ledger=build_ledger(settings=settings, engine=engine, clock=clock),
        tokens=Tokens(store=SqlTokenStore(engine=engine), clock=clock),
    )
