"""After the whole run: no log line carries a seeded personal value, secret or token."""

import json

from tests.conftest import LOG_CAPTURE, TEST_MASTER_KEY, TEST_WEBHOOK_SECRET
from tests.support.fixtures import FIXTURES

PERSONAL_KEYS = {"firstname", "lastname", "companyname", "email", "address1", "address2", "city", "postcode",
                 "phonenumber", "tax_id", "password", "cardnum", "cardcvv", "ip", "securityqans", "authdata"}


def _seeded_values() -> set[str]:
    found: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in PERSONAL_KEYS and isinstance(value, str) and len(value) >= 5:
                    found.add(value)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in FIXTURES.glob("*.json"):
        walk(json.loads(path.read_text()))
    return found


def test_no_log_line_carries_a_personal_value_or_secret():
    lines = LOG_CAPTURE.lines
    assert len(lines) > 100, "the scan needs the rest of the suite to have run"
    secrets = {TEST_WEBHOOK_SECRET, TEST_WEBHOOK_SECRET.removeprefix("whsec_"), TEST_MASTER_KEY, "pbt_"}
    needles = _seeded_values() | secrets
    assert len(needles) > 20
    text = "\n".join(lines)
    leaked = sorted(n for n in needles if n in text)
    assert leaked == []
