"""`bridge demo`: always a fresh temporary database and an in-process emulator, never
BRIDGE_DATABASE_URL (the story tampers with its ledger on purpose)."""

from __future__ import annotations

import sys

import click

from bridge.cli.base import exits


@click.command()
@exits
def demo() -> None:
    """Walk the whole story on SQLite and the built-in WHMCS emulator, one line per step."""
    from bridge.demo.story import run

    sys.exit(run(click.echo))
