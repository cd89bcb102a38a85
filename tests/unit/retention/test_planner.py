"""The pure planner: calendar months, the order of status events, and the plan as of a date."""

from datetime import UTC, date, datetime, timedelta

import pytest

from bridge.retention.planner import (
    CLOSED,
    REACTIVATED,
    Hold,
    Retention,
    StatusEvent,
    add_months,
    is_due,
    make_plan,
    on_status,
    start_of,
)

T = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


class TestAddMonths:
    @pytest.mark.parametrize(("start", "months", "expected"), [
        (at(2028, 2, 29, 9), 12, at(2029, 2, 28, 9)),
        (at(2027, 1, 31), 1, at(2027, 2, 28)),
        (at(2028, 1, 31), 1, at(2028, 2, 29)),
        (at(2026, 8, 31), 1, at(2026, 9, 30)),
        (at(2026, 11, 24, 20), 12, at(2027, 11, 24, 20)),
        (at(2026, 12, 15), 1, at(2027, 1, 15)),
        (at(2026, 5, 31, 23, 59, 59), 25, at(2028, 6, 30, 23, 59, 59)),
        (at(2024, 2, 29), 48, at(2028, 2, 29)),
    ])
    def test_calendar_months_clamp_to_the_last_day(self, start, months, expected):
        assert add_months(start, months) == expected

    def test_as_of_is_the_start_of_the_day_utc(self):
        assert start_of(date(2027, 3, 1)) == at(2027, 3, 1)


class TestStatusEvents:
    def test_a_closure_schedules_a_purge_fixed_from_then(self):
        moved = on_status(None, StatusEvent(CLOSED, T, 5), months=12, client_id=7)
        assert moved.entry == "scheduled"
        assert moved.record.closed_at == T and moved.record.purge_due_at == at(2027, 3, 10, 12)

    def test_a_second_closure_keeps_the_date(self):
        first = on_status(None, StatusEvent(CLOSED, T, 5), months=12, client_id=7).record
        again = on_status(first, StatusEvent(CLOSED, T + timedelta(days=3), 9), months=12, client_id=7)
        assert again.entry is None and again.record.purge_due_at == first.purge_due_at

    def test_a_reactivation_cancels_and_a_later_closure_schedules_afresh(self):
        first = on_status(None, StatusEvent(CLOSED, T, 1), months=12, client_id=7).record
        back = on_status(first, StatusEvent(REACTIVATED, T + timedelta(days=30), 2), months=12, client_id=7)
        assert back.entry == "cancelled" and back.record.purge_due_at is None
        later = T + timedelta(days=60)
        again = on_status(back.record, StatusEvent(CLOSED, later, 3), months=12, client_id=7)
        assert again.entry == "scheduled" and again.record.purge_due_at == add_months(later, 12)

    def test_an_older_event_arriving_late_changes_nothing(self):
        back = on_status(None, StatusEvent(REACTIVATED, T, 4), months=12, client_id=7).record
        assert on_status(back, StatusEvent(CLOSED, T - timedelta(hours=1), 9), months=12, client_id=7) is None

    def test_a_tie_on_occurred_at_is_broken_by_the_outbox_id(self):
        closed = on_status(None, StatusEvent(CLOSED, T, 10), months=12, client_id=7).record
        assert on_status(closed, StatusEvent(REACTIVATED, T, 9), months=12, client_id=7) is None
        later = on_status(closed, StatusEvent(REACTIVATED, T, 11), months=12, client_id=7)
        assert later.entry == "cancelled"

    def test_nothing_moves_a_purged_customer(self):
        gone = Retention(client_id=7, status="purged", status_at=T)
        assert on_status(gone, StatusEvent(REACTIVATED, T + timedelta(days=1)), months=12, client_id=7) is None


def _closed(client_id: int, closed_at: datetime, months: int = 12) -> Retention:
    return on_status(None, StatusEvent(CLOSED, closed_at), months=months, client_id=client_id).record


class TestPlan:
    def test_due_held_reactivated_and_scheduled(self):
        due = _closed(1, at(2025, 1, 5))
        later = _closed(2, at(2025, 6, 1))
        held = _closed(3, at(2025, 1, 1))
        back = on_status(_closed(4, at(2025, 1, 1)), StatusEvent(REACTIVATED, at(2025, 2, 1)), months=12,
                         client_id=4).record
        hold = Hold(hold_id="h", client_id=3, reason="legal_process", auto=False, placed_at=at(2025, 3, 1))
        plan = make_plan([due, later, held, back], [hold], date(2026, 1, 5))
        assert [r.client_id for r in plan.due] == [1]
        assert [h.client_id for h in plan.held] == [3]
        assert [r.client_id for r in plan.reactivated] == [4]
        assert [r.client_id for r in plan.scheduled] == [2]

    def test_due_means_on_or_before_the_start_of_as_of(self):
        record = _closed(1, at(2025, 1, 5, 0, 0))
        assert is_due(record, start_of(date(2026, 1, 5)))
        late = _closed(2, at(2025, 1, 5, 0, 0, 1))
        assert not is_due(late, start_of(date(2026, 1, 5)))

    def test_a_released_hold_no_longer_holds(self):
        record = _closed(1, at(2025, 1, 5))
        released = Hold(hold_id="h", client_id=1, reason="legal_obligation", auto=False, placed_at=at(2025, 2, 1),
                        released_at=at(2025, 3, 1))
        plan = make_plan([record], [released], date(2026, 2, 1))
        assert [r.client_id for r in plan.due] == [1] and plan.held == []

    def test_a_plan_in_the_past_ignores_closures_after_it(self):
        plan = make_plan([_closed(1, at(2025, 6, 1))], [], date(2025, 1, 1))
        assert plan.due == [] and plan.scheduled == []
