"""The composition root: every service of the bridge, built eagerly from Settings in one place and
read top to bottom (`build_services`). Web, CLI and the job worker all use the one `Services`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from bridge.clock import Clock, SystemClock
from bridge.consent.service import APPLY_CONSENT_JOB, ConsentChanges, ConsentService
from bridge.db.base import make_engine
from bridge.db.job_store import SqlJobQueue
from bridge.db.ledger_store import SqlLedgerStore
from bridge.db.residual_store import SqlResidualStore
from bridge.db.retention_store import SqlRetentionStore
from bridge.db.sync_store import SqlSyncStore
from bridge.db.token_store import SqlTokenStore
from bridge.db.verification_store import SqlVerificationStore
from bridge.disclosure.service import DisclosureService
from bridge.errors import WhmcsNotConfigured
from bridge.ingest.handlers import FieldPolicy
from bridge.ingest.service import IngestService
from bridge.jobs.daily import DailyJobs
from bridge.jobs.worker import Handler
from bridge.ledger.anchoring import ANCHOR_JOB, anchor_job
from bridge.ledger.keyring import Keyring, MasterKeyRef
from bridge.ledger.service import Ledger
from bridge.policies.service import Policies, PolicyVersions
from bridge.privacy import AccountViews, PanelSettings
from bridge.retention import jobs as retention_jobs
from bridge.retention.residual import ResidualOrders, known_emails
from bridge.retention.runner import RetentionRunner
from bridge.retention.service import ORPHAN_USERS_JOB, RUN_JOB, RetentionService
from bridge.settings import Settings
from bridge.sync.paymethods import PAYMETHOD_POLL_JOB, PayMethodPoll
from bridge.sync.service import SyncService
from bridge.tokens import Tokens
from bridge.verification.changes import ChangeIds
from bridge.verification.gate import REVERT_JOB, Gate, GateConfig
from bridge.verification.revert import NOTE_JOB, Reverter, run_note
from bridge.verification.service import VerificationService
from bridge.verification.state import KnownStates
from bridge.vocabulary import ERASED_EVENT
from bridge.whmcs.api import WhmcsClient
from bridge.whmcs.http import HttpWhmcsClient
from bridge.whmcs.retry import RetryPolicy
from bridge.whmcs.session import build_session


@dataclass(frozen=True)
class Stores:
    """One adapter per table group, all over the one engine (so one unit of work covers them)."""

    ledger: SqlLedgerStore
    verification: SqlVerificationStore
    retention: SqlRetentionStore
    residual: SqlResidualStore
    jobs: SqlJobQueue
    tokens: SqlTokenStore
    sync: SqlSyncStore

    @classmethod
    def over(cls, engine: Engine, clock: Clock) -> Stores:
        return cls(ledger=SqlLedgerStore(engine=engine), verification=SqlVerificationStore(engine=engine),
                   retention=SqlRetentionStore(engine=engine), residual=SqlResidualStore(engine=engine),
                   jobs=SqlJobQueue(engine=engine), tokens=SqlTokenStore(engine=engine),
                   sync=SqlSyncStore(engine=engine, clock=clock))


@dataclass(frozen=True)
class Services:
    """Everything a request, a command or a job needs, built once."""

    settings: Settings
    clock: Clock
    engine: Engine
    stores: Stores
    whmcs: WhmcsClient | None  # None when BRIDGE_WHMCS_* are not set
    ledger: Ledger
    policies: Policies
    tokens: Tokens
    queue: SqlJobQueue
    states: KnownStates
    verifications: VerificationService
    changes: ChangeIds
    gate: Gate
    consent: ConsentService
    consent_changes: ConsentChanges
    disclosures: DisclosureService
    retention: RetentionService
    residual: ResidualOrders
    daily: DailyJobs
    ingest: IngestService
    views: AccountViews

    def dispose(self) -> None:
        self.engine.dispose()

    def sync(self) -> SyncService:
        """`bridge sync`: reads WHMCS, so only when it is configured."""
        return SyncService(ledger=self.ledger, whmcs=self._whmcs("sync reads WHMCS"), states=self.states,
                           store=self.stores.sync, on_closed=self.retention.schedule_synced_closure)

    def retention_runner(self, **options: Any) -> RetentionRunner:
        """A runner over WHMCS (without WHMCS: dry runs only); every write gets a fresh change id."""
        return RetentionRunner(service=self.retention, whmcs=self.whmcs, strategy=self.settings.retention_strategy,
                               issue_change=self.changes.for_purge, residual=self.residual, **options)

    def job_handlers(self) -> dict[str, Handler]:
        """What the worker runs: every job calls WHMCS, so none without it."""
        if self.whmcs is None:
            return {}
        whmcs = self.whmcs
        reverter = Reverter(ledger=self.ledger, whmcs=whmcs, store=self.stores.verification, queue=self.queue)
        return {
            REVERT_JOB: reverter.run,
            NOTE_JOB: run_note(whmcs),
            APPLY_CONSENT_JOB: self.consent_changes.apply(whmcs),
            RUN_JOB: retention_jobs.run_retention(self.retention_runner(), self.retention),
            ORPHAN_USERS_JOB: retention_jobs.shred_orphan_users(self.ledger, whmcs),
            ANCHOR_JOB: anchor_job(self.ledger, whmcs),
            PAYMETHOD_POLL_JOB: PayMethodPoll(ledger=self.ledger, retention=self.stores.retention, whmcs=whmcs,
                                              states=self.states),
        }

    def _whmcs(self, why: str) -> WhmcsClient:
        if self.whmcs is None:
            raise WhmcsNotConfigured(f"{why}; set BRIDGE_WHMCS_API_URL and credentials")
        return self.whmcs


def build_whmcs_client(settings: Settings) -> WhmcsClient | None:
    """The one HttpWhmcsClient over the one requests.Session, or None when WHMCS is not configured."""
    if not settings.whmcs_configured:
        return None
    return HttpWhmcsClient(session=build_session(), url=settings.whmcs_api_url,
                           identifier=settings.whmcs_identifier, secret=settings.whmcs_secret,
                           accesskey=settings.whmcs_accesskey, policy=RetryPolicy.from_settings(settings))


def build_services(settings: Settings, *, clock: Clock | None = None, engine: Engine | None = None,
                   whmcs: WhmcsClient | None = None) -> Services:
    """Everything the bridge needs, from settings, in dependency order."""
    s = settings
    clock = clock or SystemClock()
    engine = engine or make_engine(s.database_url)
    whmcs = whmcs if whmcs is not None else build_whmcs_client(s)
    stores = Stores.over(engine, clock)

    # the ledger, stamping every entry with the policy version in force at its occurred_at
    versions = PolicyVersions(store=stores.ledger)
    keyring = Keyring(store=stores.ledger, masters=[MasterKeyRef(kid=m.kid, key=m.key) for m in s.master_key],
                      clock=clock)
    ledger = Ledger(store=stores.ledger, keyring=keyring, clock=clock, policy_lookup=versions.in_force)
    policies = Policies(ledger=ledger, versions=versions, notice_days=s.policy_notice_days)

    # verification: known state, attestations, the bridge's own change ids, the gate
    states = KnownStates(store=stores.verification, keyring=keyring)
    verifications = VerificationService(store=stores.verification, ledger=ledger, ttl_days=s.verification_ttl_days)
    changes = ChangeIds(store=stores.verification, clock=clock)
    gate = Gate(config=GateConfig(protected=frozenset(s.protected_fields), enforce_actors=frozenset(s.enforce_actors),
                                  exempt_api_identifiers=frozenset(s.exempt_api_identifiers),
                                  bridge_identifier=s.whmcs_identifier),
                ledger=ledger, verifications=verifications, states=states, queue=stores.jobs)

    # consent, disclosure, retention
    consent = ConsentService(ledger=ledger, states=states, marketing_templates=s.marketing_templates)
    consent_changes = ConsentChanges(ledger=ledger, queue=stores.jobs, issue_change=changes.issue)
    disclosures = DisclosureService(ledger=ledger, verifications=verifications, whmcs=whmcs)
    residual = ResidualOrders(store=stores.residual, ledger=ledger,
                              emails_of=lambda client_id: known_emails(states, states.subjects_of(client_id)))
    retention = RetentionService(store=stores.retention, ledger=ledger, queue=stores.jobs, months=s.retention_months,
                                 residual=residual)
    daily = DailyJobs(queue=stores.jobs, clock=clock, retention_autorun=s.retention_autorun)

    # one hook event, one unit of work
    ingest = IngestService(ledger=ledger, fields=FieldPolicy.from_settings(s), gate=gate, retention=retention,
                           daily=daily, owners={ERASED_EVENT: residual.report})

    # what the summary, the panels and the exports read
    views = AccountViews(ledger=ledger, verifications=verifications, states=states, jobs=stores.jobs,
                         retention=retention, disclosures=disclosures,
                         clock=clock, panel=PanelSettings(protected_fields=tuple(s.protected_fields),
                                                          enforce_actors=tuple(s.enforce_actors),
                                                          retention_months=s.retention_months))
    return Services(settings=s, clock=clock, engine=engine, stores=stores, whmcs=whmcs, ledger=ledger,
                    policies=policies, tokens=Tokens(store=stores.tokens, clock=clock), queue=stores.jobs,
                    states=states, verifications=verifications, changes=changes, gate=gate, consent=consent,
                    consent_changes=consent_changes, disclosures=disclosures, retention=retention,
                    residual=residual, daily=daily, ingest=ingest, views=views)
