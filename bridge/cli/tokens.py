"""`bridge token create|list|revoke`: staff API tokens. A token is printed once, never again."""

from __future__ import annotations

import click

from bridge.cli.base import exits, state
from bridge.clock import SystemClock
from bridge.db.token_store import SqlTokenStore
from bridge.tokens import ROLES, Tokens


def _tokens() -> Tokens:
    return Tokens(store=SqlTokenStore(engine=state().engine()), clock=SystemClock())


@click.group()
def token() -> None:
    """Staff API tokens."""


@token.command()
@click.option("--name", required=True, help="Who or what holds the token (shown in the ledger).")
@click.option("--role", required=True, type=click.Choice(ROLES), help="auditor < agent < dpo.")
@click.option("--console", is_flag=True,
              help="For the WHMCS addon's staff console: may act for the WHMCS admin named in X-Acting-Admin, "
                   "with the lower of this role and X-Acting-Role.")
@exits
def create(name: str, role: str, console: bool) -> None:
    """Create a token; it is printed alone on the last line and stored only hashed."""
    secret = _tokens().create(name=name, role=role, console=console)
    kind = "console token" if console else "token"
    click.echo(f"created {kind} {name!r} with role {role}; store it now, it is not shown again:")
    click.echo(secret)


@token.command("list")
@exits
def list_() -> None:
    """List tokens (names, roles, dates; never the tokens)."""
    for info in _tokens().list():
        status = f"revoked {info.revoked_at:%Y-%m-%d}" if info.revoked_at else "active"
        kind = "\tconsole" if info.console else ""
        click.echo(f"{info.name}\t{info.role}\tcreated {info.created_at:%Y-%m-%d}\t{status}{kind}")


@token.command()
@click.argument("name")
@exits
def revoke(name: str) -> None:
    """Revoke the token NAME."""
    _tokens().revoke(name)
    click.echo(f"revoked {name!r}")
