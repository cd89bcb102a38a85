from datetime import UTC, datetime, timedelta, timezone

import pytest

from bridge.ingest import HookEnvelope, WhmcsInfo
from bridge.ledger.entries import Actor


def make(occurred_at):
    return HookEnvelope(
        event="ClientClose", occurred_at=occurred_at, whmcs=WhmcsInfo("8.13.1"),
        actor=Actor("cron"), outbox_id=1, vars={"userid": 1},
    )


class TestHookEnvelope:
    def test_a_naive_time_is_refused(self):
        with pytest.raises(ValueError, match="aware"):
            make(datetime(2026, 11, 24, 20))  # noqa: DTZ001 - the point of the test

    def test_an_aware_time_is_kept_in_utc(self):
        at = datetime(2026, 11, 24, 21, tzinfo=timezone(timedelta(hours=1)))
        envelope = make(at)
        assert envelope.occurred_at == at and envelope.occurred_at.tzinfo is UTC

    def test_it_is_immutable(self):
        with pytest.raises(AttributeError):
            make(datetime(2026, 11, 24, tzinfo=UTC)).event = "ClientAdd"
