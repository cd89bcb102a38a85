"""`bridge emulator serve`: the WHMCS API emulator on its own, for trying the bridge or a hook."""

from __future__ import annotations

import threading
from collections.abc import Callable

import click

from bridge.whmcs.emulator.seed import DEMO_IDENTIFIER, DEMO_SECRET, seed_demo
from bridge.whmcs.emulator.server import api_url, running_emulator
from bridge.whmcs.emulator.state import LOOPBACK, EmulatorState


def build_state(
    seed: str | None, *, identifier: str, secret: str, allowed_ips: tuple[str, ...] = LOOPBACK,
    access_key: str | None = None,
) -> EmulatorState:
    """A fresh state with one API credential, seeded with the demo customers when asked. The IP
    allow-list is on, as in WHMCS: only `allowed_ips` (or a caller with the access key) get in."""
    state = EmulatorState(allowed_ips=allowed_ips, access_key=access_key)
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
@click.option("--allow-ip", "allow_ips", multiple=True, default=LOOPBACK, show_default=True,
              help="An address allowed to call the API (repeat for more), as in WHMCS's API IP "
                   "Access Restriction.")
@click.option("--access-key", default=None,
              help="An access key that lets any address in (WHMCS's $api_access_key).")
def serve(
    host: str, port: int, seed: str | None, identifier: str, secret: str,
    allow_ips: tuple[str, ...], access_key: str | None,
) -> None:
    """Run the emulator until interrupted; state is in memory and lost on exit."""
    state = build_state(seed, identifier=identifier, secret=secret, allowed_ips=tuple(allow_ips),
                        access_key=access_key)
    serve_emulator(state, host=host, port=port, stop=threading.Event())
