"""`bridge db upgrade`."""

from __future__ import annotations

import click

from bridge.cli.base import exits, state
from bridge.db import migrate


@click.group()
def db() -> None:
    """Database schema."""


@db.command()
@exits
def upgrade() -> None:
    """Apply every Alembic migration to BRIDGE_DATABASE_URL."""
    engine = state().engine()
    migrate.upgrade(engine)
    click.echo(f"database at revision {migrate.current_revision(engine)}")
