"""check_whmcs: a readiness answer for every outcome, never an exception."""

from __future__ import annotations

import pytest
import requests

from bridge.whmcs.api import check_whmcs
from tests.unit.whmcs.conftest import API_URL, SECRET


@pytest.mark.parametrize(("answer", "detail"), [
    ({"json": {"result": "success", "totalresults": 0}}, "reachable"),
    ({"status": 403, "json": {"result": "error", "message": "Authentication Failed"}},
     "authentication failed"),
    ({"status": 403, "json": {"result": "error", "message": "Invalid IP 203.0.113.9"}},
     "ip refused"),
    ({"status": 403, "json": {"result": "error",
                              "message": 'Invalid Permissions: API action "getclients" is not allowed'}},
     "permission denied"),
    ({"json": {"result": "error", "message": "Something else"}}, "rejected"),
    ({"body": requests.ConnectionError("refused")}, "unreachable"),
    ({"status": 503, "body": "down"}, "unreachable"),
])
def test_reports_each_outcome(mocked, make_client, answer, detail):
    mocked.post(API_URL, **answer)
    result = check_whmcs(make_client(attempts=1))
    assert result == {"ok": detail == "reachable", "detail": detail}
    assert SECRET not in str(result)


def test_never_raises_even_for_unexpected_failures():
    class Broken:
        def get_clients(self, **_):
            raise RuntimeError("bug")

    assert check_whmcs(Broken()) == {"ok": False, "detail": "error"}
