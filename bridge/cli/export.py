"""`bridge export CLIENT_ID [--out FILE]`: the subject-access export, as the API's."""

from __future__ import annotations

import json
import os

import click

from bridge.cli.base import exits, state


@click.command("export")
@click.argument("client_id", type=click.IntRange(1, 2**63 - 1))
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True),
              help="Write the JSON here (created with owner-only permissions) instead of stdout.")
@click.option("--operator", default=None, help="Who runs the export (recorded as the actor; default: $USER).")
@exits
def export(client_id: int, out: str | None, operator: str | None) -> None:
    """Export everything held on CLIENT_ID (needs a current verification; recorded)."""
    from bridge.export import export_client
    from bridge.ledger.entries import Actor
    from bridge.services import build_services

    settings = state().settings()
    settings.require("master_key")
    services = build_services(settings, engine=state().engine())
    actor = Actor(type="staff", id=f"cli:{operator or os.environ.get('USER', 'unknown')}")
    document = json.dumps(export_client(services.views, client_id, actor=actor), indent=2, sort_keys=True)
    if out is None:
        click.echo(document)
        return
    descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(document + "\n")
    click.echo(f"wrote the export of client {client_id} to {out}", err=True)
