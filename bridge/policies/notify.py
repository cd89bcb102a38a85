"""Sending the notice of a policy version to every customer through WHMCS SendEmail.

Resumable: each customer notified gets a `policy.notified` entry whose id is derived from the
version and the client, so a rerun (after a crash or Ctrl-C) skips everyone already notified and
nobody is mailed twice by the bridge."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bridge.errors import NotFound
from bridge.ledger.entries import Actor, EntryDraft, EventType, Subject
from bridge.ledger.service import Ledger
from bridge.policies.service import Policies
from bridge.whmcs.api import WhmcsRejected, WhmcsUnavailable

DEFAULT_TEMPLATE = "Privacy Policy Update"


@dataclass
class NoticeReport:
    sent: int = 0
    skipped: int = 0
    errors: list[dict] = field(default_factory=list)


def notice_id(version: str, client_id: int) -> str:
    return f"bridge:policy-notified:{version}:{client_id}"


def notify_policy(*, ledger: Ledger, policies: Policies, whmcs, version: str, issue_change: Callable[[int, str], str],  # noqa: ANN001
                  template: str = DEFAULT_TEMPLATE, actor: Actor,
                  progress: Callable[[int], None] = lambda _n: None) -> NoticeReport:
    policy = next((p for p in policies.all(fresh=True) if p.version == version), None)
    if policy is None:
        raise NotFound("no such policy version (publish it first)")
    report = NoticeReport()
    for client in whmcs.iter_clients():
        progress(1)
        if client.status == "Closed" or ledger.store.webhook_seen(notice_id(version, client.id)):
            report.skipped += 1
            continue
        try:
            whmcs.send_email(template, client.id, change_id=issue_change(client.id, f"notice:{version}:{client.id}"),
                             custom_vars={"policy_version": version, "policy_url": policy.url or "",
                                          "policy_effective_at": policy.effective_at.date().isoformat()})
        except (WhmcsUnavailable, WhmcsRejected) as exc:
            report.errors.append({"client_id": client.id, "detail": str(exc)})
            continue
        ledger.append([EntryDraft(event_type=EventType.POLICY_NOTIFIED, occurred_at=ledger.clock.now(),
                                  subject=Subject.of("client", client.id), actor=actor, client_id=client.id,
                                  details={"version": version, "template": template})],
                      webhook_id=notice_id(version, client.id))
        report.sent += 1
    return report
