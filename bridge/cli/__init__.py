"""The `bridge` command line. Each command parses, calls a plain function, prints, and returns an
exit code: 0 success, 1 a failed check or run, 2 usage or configuration errors."""

from __future__ import annotations

import click

from bridge.cli.base import CliState
from bridge.cli.db import db
from bridge.cli.demo import demo
from bridge.cli.emulator import emulator
from bridge.cli.export import export
from bridge.cli.ledger import key, ledger
from bridge.cli.policy import policy
from bridge.cli.retention import retention
from bridge.cli.serve import serve
from bridge.cli.sync import sync
from bridge.cli.tokens import token
from bridge.cli.worker import worker


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="TOML settings file (default: $BRIDGE_CONFIG, else config/bridge.toml if present).")
@click.version_option(package_name="whmcs-privacy-bridge")
@click.pass_context
def main(ctx: click.Context, config_path: str | None) -> None:
    """WHMCS Privacy Bridge: keeps a privacy policy's promises for WHMCS in software."""
    ctx.obj = CliState(config_path=config_path)
    ctx.call_on_close(ctx.obj.close)


for _command in (db, token, ledger, key, serve, worker, export, policy, sync, retention, emulator, demo):
    main.add_command(_command)
