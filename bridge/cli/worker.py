"""`bridge worker`: the job worker (reverts, notes, retention, pay-method polls, anchoring, notices)."""

from __future__ import annotations

import logging
import signal
import threading

import click

from bridge.cli.base import exits, state

log = logging.getLogger("bridge.jobs")


def run_worker(services, *, poll_s: float = 2.0, stop: threading.Event | None = None,  # noqa: ANN001
               max_idle_polls: int | None = None) -> int:
    """Run due jobs until `stop` is set (or `max_idle_polls` empty polls); returns jobs run."""
    from bridge.jobs.worker import Worker

    stop = stop or threading.Event()
    worker = Worker(queue=services.queue, handlers=services.job_handlers(), clock=services.clock)
    ran, idle = 0, 0
    while not stop.is_set():
        if worker.run_once():
            ran, idle = ran + 1, 0
            continue
        idle += 1
        if max_idle_polls is not None and idle >= max_idle_polls:
            break
        stop.wait(poll_s)
    return ran


@click.command()
@click.option("--poll", "poll_s", default=2.0, show_default=True, type=click.FloatRange(0.05, 60),
              help="Seconds to wait when no job is due.")
@click.option("--drain", is_flag=True, help="Run what is due now, then exit.")
@exits
def worker(poll_s: float, drain: bool) -> None:
    """Run durable jobs until stopped (SIGTERM or Ctrl-C finish the current job first)."""
    from bridge.logs import configure
    from bridge.services import build_services

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):  # first: a stop while starting up is a clean stop
        signal.signal(signum, lambda *_: stop.set())
    settings = state().settings()
    settings.require("master_key")
    configure(settings.log_format)
    services = build_services(settings, engine=state().engine())
    if services.whmcs is None:
        click.echo("warning: WHMCS is not configured; jobs that call its API wait until it is", err=True)
    click.echo("worker started")
    ran = run_worker(services, poll_s=poll_s, stop=stop, max_idle_polls=1 if drain else None)
    click.echo(f"worker stopped after {ran} jobs")
