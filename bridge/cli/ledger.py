"""`bridge ledger verify|head|anchor` and `bridge key rotate`."""

from __future__ import annotations

import re
import sys

import click

from bridge.cli.base import Progress, exits, state
from bridge.ledger.chain import verify_pages

_AGAINST = re.compile(r"^(\d{1,19}):([0-9a-f]{64})$")


def _ledger():  # noqa: ANN202
    return state().services().ledger


def _parse_against(value: str | None) -> dict[int, str]:
    if value is None:
        return {}
    match = _AGAINST.match(value.strip().lower())
    if not match:
        raise click.BadParameter("expected SEQ:HASH (a number, a colon, 64 hex digits)", param_hint="--against")
    return {int(match.group(1)): match.group(2)}


@click.group()
def ledger() -> None:
    """The privacy ledger."""


@ledger.command()
@click.option("--against", metavar="SEQ:HASH", help="Also check against a head recorded elsewhere.")
@click.option("--whmcs", "use_whmcs", is_flag=True, help="Also check the anchors logged in WHMCS's activity log.")
@exits
def verify(against: str | None, use_whmcs: bool) -> None:
    """Recompute the whole chain in constant memory. Exit 0 with `ok N HASH`, 1 with `FAIL seq=N reason`."""
    checkpoints = _parse_against(against)
    led = _ledger()
    anchors = led.store.anchors()
    if anchors:
        newest = max(anchors, key=lambda a: a.seq)
        checkpoints.setdefault(newest.seq, newest.hash)
    if use_whmcs:
        from bridge.errors import WhmcsNotConfigured
        from bridge.ledger.anchors_whmcs import whmcs_anchor_checkpoints
        from bridge.services import build_whmcs_client

        whmcs = build_whmcs_client(state().settings())
        if whmcs is None:
            raise WhmcsNotConfigured(
                "--whmcs needs BRIDGE_WHMCS_API_URL, BRIDGE_WHMCS_IDENTIFIER and BRIDGE_WHMCS_SECRET")
        for seq, digest in whmcs_anchor_checkpoints(whmcs).items():
            if checkpoints.setdefault(seq, digest) != digest:
                click.echo(f"FAIL seq={seq} anchor-mismatch")
                sys.exit(1)
    progress = Progress("verified")

    def pages():
        for page in led.store.chain_pages():
            progress.step(len(page))
            yield page

    result = verify_pages(pages(), checkpoints=checkpoints)
    progress.done()
    led.remember_verify(result)
    click.echo(result.line())
    sys.exit(0 if result.ok else 1)


@ledger.command()
@exits
def head() -> None:
    """Print `<seq> <hash>` of the current head (`0 <64 zeros>` when empty)."""
    seq, digest = _ledger().head()
    click.echo(f"{seq} {digest}")


@ledger.command()
@exits
def anchor() -> None:
    """Record the head in the anchors table (and through WHMCS LogActivity when configured)."""
    from bridge.ledger.anchoring import anchor_head

    settings = state().settings()
    whmcs = None
    if settings.whmcs_configured:
        from bridge.services import build_whmcs_client

        whmcs = build_whmcs_client(settings)
    seq, digest, logged = anchor_head(_ledger(), whmcs=whmcs)
    where = "anchors table and WHMCS activity log" if logged else "anchors table"
    click.echo(f"anchored {seq} {digest} ({where})")


@click.group()
def key() -> None:
    """Master keys."""


@key.command()
@exits
def rotate() -> None:
    """Re-wrap every data key under the first key of BRIDGE_MASTER_KEY, retiring the others, and say
    how many shredded subjects each retired key still covered (old pages and backups keep them)."""
    state().settings().require("master_key")
    led = _ledger()
    rotation = led.keyring.rotate()
    from bridge.ledger.anchoring import record_rotation

    record_rotation(led, rotation)
    click.echo(f"re-wrapped {rotation.rewrapped} data keys under {rotation.master_kid}")
    for kid, count in rotation.retired.items():
        click.echo(f"retired key {kid} still covered {count} shredded subjects in old database pages and "
                   "backups: remove it from BRIDGE_MASTER_KEY and from every secret store")
    if rotation.still_covered:
        click.echo(f"{rotation.still_covered} shredded subjects are still covered by the current key "
                   f"{rotation.master_kid} in old database pages and backups, until a later rotation retires it")
