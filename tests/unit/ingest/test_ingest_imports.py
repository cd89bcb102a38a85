"""The ingest domain stays free of web, HTTP and database frameworks (and of marshmallow)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
FORBIDDEN = ("flask", "werkzeug", "requests", "sqlalchemy", "marshmallow")


@pytest.mark.parametrize("module", ["bridge.ingest", "bridge.ledger.entries"])
def test_importing_loads_no_framework(module):
    code = (
        f"import sys, {module}\n"
        f"print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "", f"{module} pulls in {result.stdout.strip()}"
