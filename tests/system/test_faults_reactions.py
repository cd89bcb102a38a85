"""No window between an event's entries and what they imply: the database fails in the middle of an
event's reactions (after its entries were appended), so the sender gets a 503 and retries. The event
is one unit of work, so the failed attempt left nothing behind, and the retry records the event, the
revert of an unverified change, or the purge schedule of a closure, exactly once."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from bridge.clock import FixedClock
from bridge.demo.world import running_world
from tests.conftest import T0

ADMIN = {"type": "admin", "id": 1, "ip": "198.51.100.7"}



class DatabaseGone(OperationalError):
    def __init__(self) -> None:
        super().__init__("SELECT 1", {}, Exception("server closed the connection unexpectedly"))


@pytest.fixture
def world(tmp_path):
    with running_world(f"sqlite:///{tmp_path}/bridge.db", FixedClock(T0)) as started:
        yield started


def fail_once(monkeypatch, target, name: str) -> None:
    original = getattr(target, name)
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise DatabaseGone()
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, failing)


def deliver_twice(world, event: str, vars_: dict) -> tuple[int, int]:
    first = world.hook(event, vars_, actor=ADMIN, webhook_id="msg_reaction_window")
    retry = world.hook(event, vars_, actor=ADMIN, webhook_id="msg_reaction_window")
    return first.status_code, retry.status_code


def count(world, sql: str) -> int:
    with world.services.engine.connect() as conn:
        return conn.execute(text(sql)).scalar_one()


@pytest.mark.slow

def test_an_unverified_change_is_still_reverted_when_its_first_attempt_failed_after_commit(world, monkeypatch):
    ada = world.customers()["Ada"]
    fail_once(monkeypatch, world.services.queue, "enqueue")
    statuses = deliver_twice(world, "ClientEdit", {"userid": ada, "email": "new@example.com",
                                                   "olddata": {"email": "ada@example.com"}})
    assert statuses == (503, 202)  # the first attempt's entries were rolled back with it
    assert count(world, "SELECT count(*) FROM ledger_entries WHERE event_type = 'client.updated'") == 1
    assert count(world, "SELECT count(*) FROM jobs WHERE kind = 'revert'") == 1


@pytest.mark.slow

def test_a_closure_is_still_scheduled_when_its_first_attempt_failed_after_commit(world, monkeypatch):
    alan = world.customers()["Alan"]
    fail_once(monkeypatch, world.services.retention, "record_status")
    assert deliver_twice(world, "ClientClose", {"userid": alan}) == (503, 202)
    assert count(world, "SELECT count(*) FROM ledger_entries WHERE event_type = 'client.closed'") == 1
    assert world.services.retention.retention_status(alan)["status"] == "scheduled"
