"""`bridge demo` tells the whole story on a fresh machine: exit 0, under a minute, no secrets."""

import os
import subprocess
import sys
import time


def test_the_demo_tells_the_story_and_leaves_the_configured_database_alone(tmp_path):
    configured = tmp_path / "must-not-exist.db"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("BRIDGE_")},
           "BRIDGE_DATABASE_URL": f"sqlite:///{configured}"}
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "bridge.cli", "demo"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    took = time.monotonic() - started
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == "The story holds: every promise was kept by software."
    assert took < 60
    story = result.stdout
    for milestone in ("bridge sync", "blocked", "verification recorded", "reverts it", "refused", "disclosed",
                      "leaves", "purges", "[shredded]", "ok ", "FAIL seq="):
        assert milestone in story, milestone
    for secret in ("pbt_", "whsec_", "demo-bridge-secret"):
        assert secret not in story + result.stderr
    assert not configured.exists()
