"""`bridge serve` really serves: gunicorn workers plus the job worker, stopped cleanly by SIGTERM."""

import os
import signal
import subprocess
import sys
import threading
import time

import requests

from tests.support.fixtures import hook
from tests.support.servers import free_port, wait_ready
from tests.support.web import Signer


def test_serve_answers_ingests_and_stops_on_sigterm(base_env, tmp_path, clock):
    port = free_port()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("BRIDGE_")}, **base_env}
    proc = subprocess.Popen([sys.executable, "-m", "bridge.cli", "serve", "--port", str(port), "--workers", "2"],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        url = f"http://127.0.0.1:{port}"
        wait_ready(url, timeout=60)
        deadline = time.monotonic() + 60
        while not any("worker started" in line for line in list(lines)) and time.monotonic() < deadline:
            time.sleep(0.05)  # the job worker runs beside gunicorn: stop it once it is up
        import datetime

        signer = Signer(base_env["BRIDGE_WEBHOOK_SECRET"], type("Now", (), {"now": staticmethod(
            lambda: datetime.datetime.now(datetime.UTC))})())
        body, headers = signer.request(hook("ClientAdd"))
        response = requests.post(f"{url}/v1/hooks/whmcs", data=body, headers=headers, timeout=5)
        assert response.status_code == 202 and response.json()["status"] == "recorded"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        reader.join(10)
        proc.stdout.close()
    output = "".join(lines)
    assert proc.returncode == 0, output[-2000:]
    assert "worker stopped" in output
    for secret in (base_env["BRIDGE_WEBHOOK_SECRET"], base_env["BRIDGE_MASTER_KEY"], "jane"):
        assert secret not in output
