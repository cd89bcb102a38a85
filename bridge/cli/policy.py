"""`bridge policy notify VERSION`."""

from __future__ import annotations

import sys

import click

from bridge.cli.base import Progress, exits, state


@click.group()
def policy() -> None:
    """Privacy policy versions."""


@policy.command()
@click.argument("version")
@click.option("--template", default="Privacy Policy Update", show_default=True,
              help="The WHMCS email template that carries the notice.")
@exits
def notify(version: str, template: str) -> None:
    """Send the notice of VERSION to every customer not yet notified (resumable)."""
    from bridge.errors import WhmcsNotConfigured
    from bridge.ledger.entries import Actor
    from bridge.policies.notify import notify_policy
    from bridge.services import build_services

    settings = state().settings()
    settings.require("master_key")
    services = build_services(settings, engine=state().engine())
    if services.whmcs is None:
        raise WhmcsNotConfigured("sending notices needs BRIDGE_WHMCS_API_URL and credentials")
    progress = Progress("customers", every=100)
    report = notify_policy(ledger=services.ledger, policies=services.policies, whmcs=services.whmcs,
                           version=version, template=template,
                           issue_change=services.changes.issue, actor=Actor("system", "bridge-cli"),
                           progress=progress.step)
    progress.done()
    click.echo(f"notified {report.sent}, already notified or closed {report.skipped}, errors {len(report.errors)}")
    for error in report.errors:
        click.echo(f"error client {error['client_id']}: {error['detail']}", err=True)
    sys.exit(1 if report.errors else 0)
