"""`bridge emulator serve`: the WHMCS API emulator on its own, for trying the bridge or a hook."""

from __future__ import annotations

import threading
from collections.abc import Callable

import click

from bridge.whmcs.emulator.seed import DEMO_IDENTIFIER, DEMO_SECRET, seed_demo
from bridge.whmcs.emulator.server import api_url, running_emulator
from bridge.whmcs.emulator.state import EmulatorState


def build_state(seed: str | None, *, identifier: str, secret: str) -> EmulatorState:
    """A fresh state with one API credential, seeded with the demo customers when asked."""
    state = EmulatorState()
    if seed == "demo":
        seed_demo(state)
    state.add_credential(identifier, secret)
    return state


def serve_emulator(
    state: EmulatorState, *, host: str, port: int, stop: threading.Event,
    echo: Callable[[str], None] = click.echo,
) -> None:
    """Serve until `stop` is set (or the process is interrupted)."""
    with running_emulator(state, host=host, port=port) as base:
        echo(f"WHMCS API emulator at {api_url(base)}")
        echo(f"API identifier: {list(state.access.credentials)[-1]}")
        try:
            stop.wait()
        except KeyboardInterrupt:
            echo("stopped")


@click.group("emulator")
def emulator() -> None:
    """The built-in WHMCS API emulator."""


@emulator.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8081, show_default=True, type=click.IntRange(0, 65535))
@click.option("--seed", type=click.Choice(["demo"]), default=None,
              help="Load the demo customers, contacts, invoices and pay methods.")
@click.option("--identifier", default=DEMO_IDENTIFIER, show_default=True,
              help="API identifier the emulator accepts.")
@click.option("--secret", default=DEMO_SECRET, show_default=True,
              help="API secret the emulator accepts (a demo value, not a real credential).")
def serve(host: str, port: int, seed: str | None, identifier: str, secret: str) -> None:
    """Run the emulator until interrupted; state is in memory and lost on exit."""
    state = build_state(seed, identifier=identifier, secret=secret)
    serve_emulator(state, host=host, port=port, stop=threading.Event())
