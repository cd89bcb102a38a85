"""A customer's story for the panels, told through the bridge's own endpoints: hook calls as WHMCS
sends them and staff calls as the API takes them."""

from __future__ import annotations

import uuid
from typing import Any

from bridge.clock import parse_rfc3339
from tests.support.fixtures import hook

PANEL = "/v1/hooks/whmcs/panel"
CLIENT = 1042
PANEL_EVENTS = ("AdminAreaClientSummaryPage", "ClientAreaHomepage", "ClientAreaHeaderOutput")


def post_panel(client, signer, event: str, *, vars_: dict | None = None, actor: dict | None = None, **kwargs):  # noqa: ANN001, ANN201
    data = hook(event)
    if vars_ is not None:
        data["vars"] = {**data["vars"], **vars_}
    if actor is not None:
        data["actor"] = actor
    body, headers = signer.request(data, **kwargs)
    return client.post(PANEL, data=body, headers=headers)


def render(client, signer, event: str, **kwargs: Any) -> str:  # noqa: ANN001
    response = post_panel(client, signer, event, **kwargs)
    assert response.status_code == 200, response.get_json()
    assert set(response.get_json()) == {"html"}
    return response.get_json()["html"]


def send(client, signer, name: str, **overrides: Any) -> None:  # noqa: ANN001
    """One hook call: validate events to /validate, everything else to the events endpoint."""
    path = "/v1/hooks/whmcs/validate" if name.endswith("Validation") else "/v1/hooks/whmcs"
    data = hook(name, **overrides)
    sent = parse_rfc3339(data["occurred_at"])
    if sent > signer.clock.now():  # the bridge hears of each call when WHMCS makes it
        signer.clock.set(sent)
    body, headers = signer.request(data)
    assert client.post(path, data=body, headers=headers).status_code in (200, 202)


def blocked_and_reverted(client, signer) -> None:  # noqa: ANN001
    """The customer tries to change protected details (blocked), then an admin changes them anyway
    (recorded, a revert queued)."""
    send(client, signer, "ClientDetailsValidation")
    send(client, signer, "ClientEdit", actor={"type": "admin", "id": 3})


def close_account(client, signer) -> None:  # noqa: ANN001
    """The admin closes the account (ClientClose at 20:02): the bridge schedules the purge."""
    send(client, signer, "ClientClose")


def place_hold(client, services, *, reason: str = "accounting_irregularity", reference: str = "INV-2231",  # noqa: ANN001
               note: str = "customer disputes the last invoice") -> str:
    """A DPO's hold through the staff API; returns its id."""
    token = services.tokens.create(name=f"dpo-{uuid.uuid4().hex[:8]}", role="dpo")
    response = client.post(f"/v1/clients/{CLIENT}/holds", json={"reason": reason, "reference": reference,
                                                                 "note": note},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["hold_id"]


def install_retention(services, status: dict[str, Any] | None) -> None:  # noqa: ANN001
    """Replace the retention module's answer (None: as if no retention module answered)."""
    services.retention.retention_status = lambda client_id: status


# -- the scenes shown in docs/panels/*.png and checked in Chromium --------------------------------

def admin_scene(client, signer, services, clock) -> str:  # noqa: ANN001
    """A closed customer on an accounting hold, with a blocked change, a queued revert and a dead
    outbox event."""
    blocked_and_reverted(client, signer)
    close_account(client, signer)
    place_hold(client, services)
    outbox = {"pending": 3, "dead": 1, "oldest_pending_at": "2026-11-24T19:55:00Z"}
    return render(client, signer, "AdminAreaClientSummaryPage", vars_={"outbox": outbox})


def client_home_scene(client, signer, services, clock) -> str:  # noqa: ANN001
    """An open account whose owner just tried to change protected details."""
    send(client, signer, "ClientDetailsValidation")
    return render(client, signer, "ClientAreaHomepage")


def client_details_scene(client, signer, services, clock) -> str:  # noqa: ANN001
    """A customer whose identity was checked today."""
    from bridge.ledger.entries import Actor
    from bridge.verification.service import Attestation

    services.verifications.record_verification(
        CLIENT, Attestation(document_type="passport", issuing_country="GB"), actor=Actor("staff", "support-desk"))
    return render(client, signer, "ClientAreaHeaderOutput")


SCENES = {
    "admin-summary": ("AdminAreaClientSummaryPage", admin_scene),
    "client-home": ("ClientAreaHomepage", client_home_scene),
    "client-details": ("ClientAreaHeaderOutput", client_details_scene),
}
