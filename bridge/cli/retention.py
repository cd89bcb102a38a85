"""`bridge retention plan|run`: who is due, held, reactivated; purge what is due."""

from __future__ import annotations

import json
import sys
from datetime import datetime

import click

from bridge.cli.base import Progress, exits, state

_DAY = click.DateTime(formats=["%Y-%m-%d"])


def _services():  # noqa: ANN202
    from bridge.services import build_services

    settings = state().settings()
    settings.require("master_key")
    return build_services(settings, engine=state().engine())


def _table(title: str, rows: list[dict], columns: tuple[str, ...]) -> None:
    click.echo(f"{title} ({len(rows)})")
    if not rows:
        return
    widths = [max(len(c), *(len(str(r.get(c) if r.get(c) is not None else "-")) for r in rows)) for c in columns]
    click.echo("  " + "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    for row in rows:
        cells = (str(row.get(c) if row.get(c) is not None else "-") for c in columns)
        click.echo("  " + "  ".join(v.ljust(w) for v, w in zip(cells, widths, strict=True)))


@click.group()
def retention() -> None:
    """Retention: purge customers the set number of months after closure, unless held."""


@retention.command()
@click.option("--as-of", "as_of", type=_DAY, help="Plan as of the start of this day (UTC; default today).")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@exits
def plan(as_of: datetime | None, as_json: bool) -> None:
    """Who is due, who is held and why, who was reactivated, who is scheduled."""
    from bridge.retention.service import plan_report

    services = _services()
    report = plan_report(services.retention, (as_of or services.clock.now()).date(), reveal=False)
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    click.echo(f"retention plan as of {report['as_of']}")
    _table("due", report["due"], ("client_id", "closed_at", "purge_due_at"))
    _table("held", report["held"], ("client_id", "hold_id", "reason", "reference"))
    _table("reactivated", report["reactivated"], ("client_id", "reactivated_at"))
    _table("scheduled", report["scheduled"], ("client_id", "purge_due_at"))


@retention.command()
@click.option("--as-of", "as_of", type=_DAY, help="Run as of the start of this day (UTC; default today).")
@click.option("--dry-run", is_flag=True, help="Report what would happen; change nothing.")
@click.option("--limit", default=100_000, show_default=True, type=click.IntRange(1, 1_000_000),
              help="Purge at most this many customers.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@exits
def run(as_of: datetime | None, dry_run: bool, limit: int, as_json: bool) -> None:
    """Purge the customers that are due. Exit 1 when any customer errored."""
    from bridge.errors import Unprocessable, WhmcsNotConfigured
    from bridge.retention.service import check_as_of

    services = _services()
    now = services.clock.now()
    day = (as_of or now).date()
    try:
        check_as_of(day, now=now, dry_run=dry_run)
    except Unprocessable:
        raise click.UsageError("a future --as-of is only allowed with --dry-run") from None
    if services.whmcs is None and not dry_run:
        raise WhmcsNotConfigured("a retention run needs BRIDGE_WHMCS_API_URL and credentials")
    progress = Progress("customers", every=1 if sys.stderr.isatty() else 100)
    report = services.retention_runner().run(day, dry_run=dry_run, limit=limit, progress=progress.step)
    progress.done()
    _print_report(report.as_dict(), as_json)
    sys.exit(1 if report.errors else 0)


def _print_report(report: dict, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    mode = " (dry run)" if report["dry_run"] else ""
    click.echo(f"retention run as of {report['as_of']}{mode}")
    _table("purged", report["purged"], ("client_id", "strategy"))
    _table("held", report["held"], ("client_id", "hold_id", "reason", "reference"))
    _table("errors", report["errors"], ("client_id", "detail"))
    click.echo(f"remaining {report['remaining']}")
