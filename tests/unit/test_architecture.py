"""Import direction: domain code never loads Flask, requests or SQLAlchemy; importing the package
loads nothing."""

import subprocess
import sys

import pytest

DOMAIN = ["bridge", "bridge.clock", "bridge.errors", "bridge.signing", "bridge.crypto", "bridge.settings",
          "bridge.tokens", "bridge.ledger.entries", "bridge.ledger.chain", "bridge.ledger.service",
          "bridge.ledger.keyring", "bridge.ledger.anchoring", "bridge.jobs.queue", "bridge.jobs.worker",
          "bridge.retention.planner", "bridge.retention.checks", "bridge.retention.store", "bridge.retention.service",
          "bridge.retention.erase", "bridge.retention.runner", "bridge.retention.jobs"]
FORBIDDEN = ("flask", "werkzeug", "requests", "sqlalchemy", "marshmallow")


@pytest.mark.parametrize("module", DOMAIN)
def test_domain_modules_import_no_framework(module):
    code = (f"import sys, {module}\n"
            f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})\n"
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"{module} pulls in {out}"


def test_migrations_match_the_models(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from bridge.db.base import Base

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
