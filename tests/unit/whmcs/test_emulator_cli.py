"""`bridge emulator serve`: options, and a served emulator that answers until stopped."""

from __future__ import annotations

import threading

import requests
from click.testing import CliRunner

from bridge.cli.emulator import build_state, emulator, serve_emulator
from bridge.whmcs.emulator.seed import DEMO_IDENTIFIER, DEMO_SECRET


def test_serve_help_lists_the_options():
    result = CliRunner().invoke(emulator, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--seed"):
        assert option in result.output


def test_an_unknown_seed_is_a_usage_error():
    result = CliRunner().invoke(emulator, ["serve", "--seed", "everything"])
    assert result.exit_code == 2


def test_serves_the_seeded_emulator_until_stopped():
    lines: list[str] = []
    ready, stop = threading.Event(), threading.Event()

    def echo(line: str) -> None:
        lines.append(line)
        ready.set()

    state = build_state("demo", identifier=DEMO_IDENTIFIER, secret=DEMO_SECRET)
    worker = threading.Thread(target=serve_emulator, args=(state,),
                              kwargs={"host": "127.0.0.1", "port": 0, "stop": stop, "echo": echo})
    worker.start()
    try:
        assert ready.wait(5)
        url = lines[0].rsplit(" ", 1)[-1]
        answer = requests.post(url, timeout=5, data={
            "action": "GetClients", "identifier": DEMO_IDENTIFIER, "secret": DEMO_SECRET,
            "responsetype": "json"}).json()
        assert answer["totalresults"] == 6
    finally:
        stop.set()
        worker.join(5)
    assert not worker.is_alive()
    assert all(DEMO_SECRET not in line for line in lines)
