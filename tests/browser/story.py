"""A customer's story for the panels: requests as WHMCS sends them, and a retention status of the
shape the retention module reports (until it lands, tests install it as `retention_status`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

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
    body, headers = signer.request(hook(name, **overrides))
    assert client.post(path, data=body, headers=headers).status_code in (200, 202)


def blocked_and_reverted(client, signer) -> None:  # noqa: ANN001
    """The customer tries to change protected details (blocked), then an admin changes them anyway
    (recorded, a revert queued)."""
    send(client, signer, "ClientDetailsValidation")
    send(client, signer, "ClientEdit", actor={"type": "admin", "id": 3})


def closed_status(clock, *, holds: list[dict[str, Any]] | None = None) -> dict[str, Any]:  # noqa: ANN001
    closed = clock.now() - timedelta(days=30)
    return {"closed_at": closed.isoformat(), "purge_due_at": closed.replace(year=closed.year + 1).isoformat(),
            "holds": holds or []}


def install_retention(services, status: dict[str, Any] | None) -> None:  # noqa: ANN001
    services.extras["retention_status"] = lambda client_id: status
