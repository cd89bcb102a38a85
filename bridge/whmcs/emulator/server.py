"""`running_emulator(state)`: the emulator on a real socket, in a background thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from bridge.whmcs.emulator.app import API_PATH, make_emulator_server
from bridge.whmcs.emulator.state import EmulatorState


def api_url(base_url: str) -> str:
    return base_url.rstrip("/") + API_PATH


@contextmanager
def running_emulator(
    state: EmulatorState, host: str = "127.0.0.1", port: int = 0,
) -> Iterator[str]:
    """Serve `state` (threaded werkzeug server) and yield its base URL, e.g.
    "http://127.0.0.1:54321"; `api_url(base)` is what a client posts to. Port 0 picks a free
    port. On exit, sleeping fault injections are woken and the server is shut down."""
    server = make_emulator_server(state, host, port)
    # A short poll interval makes shutdown quick; tests start and stop many servers.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="whmcs-emulator",
        daemon=True,
    )
    thread.start()
    state.faults.rearm()
    shown = f"[{host}]" if ":" in host else host
    try:
        yield f"http://{shown}:{server.port}"
    finally:
        state.faults.release()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
