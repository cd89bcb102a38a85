"""`bridge sync [--concurrency N]`: back-fill existing WHMCS customers (resumable)."""

from __future__ import annotations

import sys

import click

from bridge.cli.base import Progress, exits, state


@click.command("sync")
@click.option("--concurrency", default=4, show_default=True, type=click.IntRange(1, 32),
              help="Customers read from WHMCS at once.")
@click.option("--restart", is_flag=True, help="Ignore the checkpoint of an interrupted run and start over.")
@exits
def sync(concurrency: int, restart: bool) -> None:
    """Record every WHMCS customer as a baseline snapshot; a rerun records only what changed."""
    from bridge.services import build_services

    settings = state().settings()
    settings.require("master_key")
    service = build_services(settings, engine=state().engine()).sync()
    if restart:
        service.store.finish()
    progress = Progress("customers", every=100)
    report = service.run(concurrency=concurrency, progress=progress.step)
    progress.done()
    if report.resumed_from:
        click.echo(f"resumed after client {report.resumed_from}")
    click.echo(f"customers read {report.seen}, recorded {report.recorded}, unchanged {report.unchanged}, "
               f"closed and scheduled {len(report.closed)}, errors {len(report.errors)}")
    for error in report.errors:
        click.echo(f"error client {error['client_id']}: {error['detail']}", err=True)
    if report.errors:
        click.echo("the checkpoint stays before the first failed batch; rerun `bridge sync` to resume", err=True)
    sys.exit(1 if report.errors else 0)
