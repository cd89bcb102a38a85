"""`bridge serve` really serves: gunicorn workers plus the job worker, stopped cleanly by SIGTERM."""

import os
import signal
import socket
import subprocess
import sys
import time

import requests

from tests.support.fixtures import hook
from tests.support.web import Signer


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_answers_ingests_and_stops_on_sigterm(base_env, tmp_path, clock):
    port = _free_port()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("BRIDGE_")}, **base_env}
    proc = subprocess.Popen([sys.executable, "-m", "bridge.cli", "serve", "--port", str(port), "--workers", "2"],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if requests.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        else:
            raise AssertionError("bridge serve did not become ready")
        import datetime

        signer = Signer(base_env["BRIDGE_WEBHOOK_SECRET"], type("Now", (), {"now": staticmethod(
            lambda: datetime.datetime.now(datetime.UTC))})())
        body, headers = signer.request(hook("ClientAdd"))
        response = requests.post(f"{url}/v1/hooks/whmcs", data=body, headers=headers, timeout=5)
        assert response.status_code == 202 and response.json()["status"] == "recorded"
    finally:
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, output[-2000:]
    assert "worker stopped" in output
    for secret in (base_env["BRIDGE_WEBHOOK_SECRET"], base_env["BRIDGE_MASTER_KEY"], "jane"):
        assert secret not in output
