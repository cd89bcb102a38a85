"""Billing disclosure (verified customers only) and third-party disclosures (three grounds only)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bridge import vocabulary
from bridge.errors import InvalidGround, VerificationRequired, WhmcsNotConfigured
from bridge.ledger.entries import Actor, EntryDraft, EventType, Subject
from bridge.ledger.service import Ledger
from bridge.verification.service import VerificationService

GROUNDS = ("legal_process", "rights_protection", "emergency")
OPEN_INVOICE_STATUSES = ("Unpaid", "Overdue", "Payment Pending", "Collections")
ADDRESS_FIELDS = ("companyname", *vocabulary.ADDRESS_FIELDS)


@dataclass(frozen=True)
class ThirdPartyDisclosure:
    recipient: str
    ground: str
    reference: str
    categories: Sequence[str]


class DisclosureService:
    def __init__(self, *, ledger: Ledger, verifications: VerificationService, whmcs: Any) -> None:
        self.ledger, self.verifications, self.whmcs = ledger, verifications, whmcs

    def disclose_billing(self, client_id: int, *, channel: str, purpose: str, actor: Actor,
                         user_id: int | None = None) -> dict[str, Any]:
        """The billing summary, only with a current verification; the attempt is recorded either way.
        Raises VerificationRequired (after recording the refusal)."""
        now = self.ledger.clock.now()
        verified = self.verifications.current(client_id, at=now, user_id=user_id)
        event = EventType.DISCLOSURE_BILLING if verified else EventType.DISCLOSURE_BILLING_REFUSED
        summary = self._summary(client_id) if verified else None
        self.ledger.append([EntryDraft(
            event_type=event, occurred_at=now, subject=Subject.of("client", client_id), actor=actor,
            client_id=client_id, details={"channel": channel, "verification_id": verified.id if verified else None},
            private={"purpose": purpose})])
        if summary is None:
            raise VerificationRequired("billing information is disclosed only to a verified customer")
        return summary

    def _summary(self, client_id: int) -> dict[str, Any]:
        if self.whmcs is None:
            raise WhmcsNotConfigured("billing disclosure reads WHMCS; set BRIDGE_WHMCS_API_URL and credentials")
        client = self.whmcs.get_client(client_id)
        fields = client.fields()
        address = {k: fields[k] for k in ADDRESS_FIELDS}
        pay_methods = [{"type": m.type, "last_four": m.last_four or None, "description": m.description}
                       for m in self.whmcs.get_pay_methods(client_id)]
        invoices = [{"id": i.id, "status": i.status, "total": i.total,
                     "due": i.duedate.isoformat() if i.duedate else None}
                    for i in self.whmcs.iter_invoices(client_id) if i.status in OPEN_INVOICE_STATUSES]
        return {"client_id": client_id, "name": f"{client.firstname} {client.lastname}".strip(),
                "address": address, "tax_id": client.tax_id, "pay_methods": pay_methods, "open_invoices": invoices}

    def record_third_party(self, client_id: int, disclosure: ThirdPartyDisclosure, *, actor: Actor) -> int:
        if disclosure.ground not in GROUNDS:
            raise InvalidGround("the policy allows disclosure only on legal process, to protect the company's rights, "
                                "or in an emergency", errors={"ground": [f"one of {', '.join(GROUNDS)}"]})
        result = self.ledger.append([EntryDraft(
            event_type=EventType.DISCLOSURE_THIRD_PARTY, occurred_at=self.ledger.clock.now(),
            subject=Subject.of("client", client_id), actor=actor, client_id=client_id,
            details={"ground": disclosure.ground, "categories": list(disclosure.categories)},
            private={"recipient": disclosure.recipient, "reference": disclosure.reference})])
        return result.seqs[0]

    def third_party(self, client_id: int) -> list[dict[str, Any]]:
        items = []
        for entry in self.ledger.entries_of_type(client_id, EventType.DISCLOSURE_THIRD_PARTY, reveal=True):
            d = entry["details"]
            items.append({"seq": entry["seq"], "recorded_at": entry["recorded_at"], "recipient": d["recipient"],
                          "ground": d["ground"], "reference": d["reference"], "categories": d["categories"],
                          "recorded_by": entry["actor"]["id"]})
        return items
