"""The single composition root: builds every real adapter from Settings, for web and CLI alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from bridge.clock import Clock, SystemClock
from bridge.db.base import make_engine
from bridge.db.job_store import SqlJobQueue
from bridge.db.ledger_store import SqlLedgerStore
from bridge.db.token_store import SqlTokenStore
from bridge.db.verification_store import SqlVerificationStore
from bridge.ledger.keyring import Keyring, MasterKeyRef
from bridge.ledger.service import Ledger
from bridge.policies.service import Policies
from bridge.settings import Settings
from bridge.tokens import Tokens


@dataclass
class Services:
    """Everything a request or a command needs. Domain services are built on first use, so a
    command pays only for what it touches."""

    settings: Settings
    clock: Clock
    engine: Engine
    ledger: Ledger
    tokens: Tokens
    queue: SqlJobQueue
    whmcs: Any = None  # a WhmcsClient when BRIDGE_WHMCS_* are set
    extras: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # the privacy summary asks for a customer's retention block through this hook
        self.extras.setdefault("retention_status", lambda client_id: self.retention.retention_status(client_id))

    def dispose(self) -> None:
        close = getattr(self.ledger.store, "close", None)
        if close is not None:
            close()
        self.engine.dispose()

    def _once(self, name: str, build):  # noqa: ANN001, ANN202
        if name not in self.extras:
            self.extras[name] = build()
        return self.extras[name]

    @property
    def policies(self) -> Policies:
        return self.ledger.policies

    @property
    def verification_store(self) -> SqlVerificationStore:
        return self._once("verification_store", lambda: SqlVerificationStore(engine=self.engine))

    @property
    def verifications(self):  # noqa: ANN201
        from bridge.verification.service import VerificationService

        return self._once("verifications", lambda: VerificationService(
            store=self.verification_store, ledger=self.ledger, ttl_days=self.settings.verification_ttl_days))

    @property
    def gate(self):  # noqa: ANN201
        from bridge.verification.gate import Gate, GateConfig

        s = self.settings
        config = GateConfig(protected=frozenset(s.protected_fields), enforce_actors=frozenset(s.enforce_actors),
                            exempt_api_identifiers=frozenset(s.exempt_api_identifiers),
                            bridge_identifier=s.whmcs_identifier)
        return self._once("gate", lambda: Gate(config=config, ledger=self.ledger, verifications=self.verifications,
                                               states=self.states, queue=self.queue))

    @property
    def states(self):  # noqa: ANN201
        from bridge.verification.state import KnownStates

        return self._once("states", lambda: KnownStates(store=self.verification_store, keyring=self.ledger.keyring))

    @property
    def consent(self):  # noqa: ANN201
        from bridge.consent.service import ConsentService

        return self._once("consent", lambda: ConsentService(
            ledger=self.ledger, states=self.states, marketing_templates=self.settings.marketing_templates))

    @property
    def consent_changes(self):  # noqa: ANN201
        from bridge.consent.service import ConsentChanges

        return self._once("consent_changes", lambda: ConsentChanges(
            ledger=self.ledger, queue=self.queue, issue_change=self.issue_change))

    def issue_change(self, client_id: int | None, purpose: str) -> str:
        """A fresh bridge_change_id for one WHMCS write to a client account (or the one already
        issued for `purpose`), registered before the write so the hook's echo is recognised as
        the bridge's own."""
        import uuid

        from bridge.verification.policy import CHANGE_TTL
        from bridge.verification.state import client_ref

        existing = self.verification_store.change_for(purpose)
        if existing:
            return existing
        change_id, now = str(uuid.uuid4()), self.clock.now()
        subject = client_ref(client_id) if client_id is not None else None
        self.verification_store.issue_change(change_id, client_id=client_id, purpose=purpose, at=now,
                                             expires_at=now + CHANGE_TTL, subject=subject)
        return change_id

    @property
    def disclosures(self):  # noqa: ANN201
        from bridge.disclosure.service import DisclosureService

        return self._once("disclosures", lambda: DisclosureService(
            ledger=self.ledger, verifications=self.verifications, whmcs=self.whmcs))

    @property
    def ingest(self):  # noqa: ANN201
        from bridge.ingest.handlers import FieldPolicy
        from bridge.ingest.service import IngestService
        from bridge.retention.residual import ERASED_EVENT

        gate = self.gate
        return self._once("ingest", lambda: IngestService(
            ledger=self.ledger, fields=FieldPolicy.from_settings(self.settings),
            enrichers=[gate.fill_olddata], projections=[gate.state_ops], reactions=[gate.react, self.retention.react],
            owners={ERASED_EVENT: self.residual.report}))

    def sync(self):  # noqa: ANN201
        from bridge.db.sync_store import SqlSyncStore
        from bridge.errors import WhmcsNotConfigured
        from bridge.sync.service import SyncService

        if self.whmcs is None:
            raise WhmcsNotConfigured("sync reads WHMCS; set BRIDGE_WHMCS_API_URL and credentials")
        return SyncService(ledger=self.ledger, whmcs=self.whmcs, states=self.states,
                           store=SqlSyncStore(engine=self.engine, clock=self.clock),
                           on_closed=self.retention.schedule_synced_closure)

    def job_handlers(self) -> dict[str, Any]:
        """Handlers the worker runs; WHMCS-bound ones only when WHMCS is configured."""
        if self.whmcs is None:
            return {}
        from bridge.consent.service import APPLY_CONSENT_JOB
        from bridge.verification.gate import REVERT_JOB
        from bridge.verification.revert import NOTE_JOB, Reverter, run_note

        reverter = Reverter(ledger=self.ledger, whmcs=self.whmcs, store=self.verification_store, queue=self.queue)
        return {REVERT_JOB: reverter.run, NOTE_JOB: run_note(self.whmcs),
                APPLY_CONSENT_JOB: self.consent_changes.apply(self.whmcs), **self.retention_jobs()}

    @property
    def retention(self):  # noqa: ANN201
        from bridge.db.retention_store import SqlRetentionStore
        from bridge.retention.service import RetentionService

        s = self.settings
        return self._once("retention", lambda: RetentionService(
            store=SqlRetentionStore(engine=self.engine), ledger=self.ledger, queue=self.queue,
            months=s.retention_months, autorun=s.retention_autorun, residual=self.residual))

    def retention_runner(self, **options: Any):  # noqa: ANN201
        """A runner over WHMCS (None: dry runs only); every write gets a fresh change id."""
        import uuid

        from bridge.retention.runner import RetentionRunner

        return RetentionRunner(service=self.retention, whmcs=self.whmcs, strategy=self.settings.retention_strategy,
                               issue_change=lambda cid: self.issue_change(cid, f"purge:{uuid.uuid4().hex}"),
                               residual=self.residual, **options)

    @property
    def residual(self):  # noqa: ANN201
        from bridge.db.residual_store import SqlResidualStore
        from bridge.retention.residual import ResidualOrders, known_emails

        def emails_of(client_id: int) -> list[str]:
            return known_emails(self.states, self.verification_store.subjects_of(client_id))

        return self._once("residual", lambda: ResidualOrders(
            store=SqlResidualStore(engine=self.engine), ledger=self.ledger, emails_of=emails_of))

    def retention_jobs(self) -> dict[str, Any]:
        from bridge.retention import jobs
        from bridge.retention.service import ANCHOR_JOB, ORPHAN_USERS_JOB, PAYMETHOD_POLL_JOB, RUN_JOB

        return {RUN_JOB: jobs.run_retention(self.retention_runner(), self.retention),
                ANCHOR_JOB: jobs.anchor(self.ledger, self.whmcs),
                PAYMETHOD_POLL_JOB: jobs.PayMethodPoll(service=self.retention, whmcs=self.whmcs, states=self.states),
                ORPHAN_USERS_JOB: jobs.shred_orphan_users(self.ledger, self.whmcs)}


def build_ledger(*, settings: Settings, engine: Engine, clock: Clock) -> Ledger:
    """The ledger, stamping every entry with the policy version in force at its occurred_at."""
    store = SqlLedgerStore(engine=engine)
    masters = [MasterKeyRef(kid=m.kid, key=m.key) for m in settings.master_key]
    ledger = Ledger(store=store, keyring=Keyring(store=store, masters=masters, clock=clock), clock=clock)
    ledger.policies = Policies(ledger=ledger, notice_days=settings.policy_notice_days)
    ledger.policy_lookup = ledger.policies.in_force
    return ledger


def build_whmcs_client(settings: Settings):  # noqa: ANN201
    """The one HttpWhmcsClient over the one requests.Session, or None when WHMCS is not configured."""
    if not settings.whmcs_configured:
        return None
    from bridge.whmcs.http import HttpWhmcsClient
    from bridge.whmcs.session import build_session

    return HttpWhmcsClient(session=build_session(), url=settings.whmcs_api_url,
                           identifier=settings.whmcs_identifier, secret=settings.whmcs_secret,
                           accesskey=settings.whmcs_accesskey)


def build_services(settings: Settings, *, clock: Clock | None = None, engine: Engine | None = None,
                   whmcs: Any = None) -> Services:
    """Everything the bridge needs, from settings."""
    clock = clock or SystemClock()
    engine = engine or make_engine(settings.database_url)
    return Services(
        settings=settings,
        clock=clock,
        engine=engine,
        ledger=build_ledger(settings=settings, engine=engine, clock=clock),
        tokens=Tokens(store=SqlTokenStore(engine=engine), clock=clock),
        queue=SqlJobQueue(engine=engine),
        whmcs=whmcs if whmcs is not None else build_whmcs_client(settings),
    )
