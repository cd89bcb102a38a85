"""The one retry policy for WHMCS calls (bridge/whmcs/retry.py): reads retried with backoff inside
one total deadline, writes sent exactly once. Every test counts the requests a call made."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from bridge.settings import load_settings
from bridge.whmcs import documented
from bridge.whmcs.errors import WhmcsNotFound, WhmcsRedirected, WhmcsRejected, WhmcsUnavailable
from bridge.whmcs.http import HttpWhmcsClient
from bridge.whmcs.retry import RetryPolicy, retry_read
from bridge.whmcs.session import build_session
from tests.support.local_whmcs import LocalWhmcs
from tests.unit.whmcs.conftest import API_URL, IDENTIFIER, SECRET

CLIENT = {"result": "success", "client": {"id": 1, "firstname": "Ada", "status": "Active"}}


class FakeClock:
    """A monotonic clock that moves only when slept on or told to."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def unavailable(reason: str = "HTTP 503") -> WhmcsUnavailable:
    return WhmcsUnavailable("GetClients", reason)


class TestThePolicyItself:
    def test_backoff_doubles_up_to_the_cap_with_jitter_down_to_half(self):
        policy = RetryPolicy(backoff=0.5, backoff_cap=3.0)
        assert [policy.delay(n, 1.0) for n in range(4)] == [0.5, 1.0, 2.0, 3.0]
        assert [policy.delay(n, 0.0) for n in range(4)] == [0.25, 0.5, 1.0, 1.5]

    def test_timeouts_are_capped_by_the_time_left(self):
        policy = RetryPolicy(connect_timeout=5.0, read_timeout=20.0, deadline=45.0)
        assert policy.timeout(45.0) == (5.0, 20.0)
        assert policy.timeout(7.0) == (5.0, 7.0)
        assert policy.timeout(2.0) == (2.0, 2.0)
        assert policy.timeout(-1.0) == (0.0, 0.0)
        assert RetryPolicy(read_timeout=20.0, deadline=12.0).write_timeout() == (5.0, 12.0)

    @pytest.mark.parametrize("numbers", [
        {"attempts": 0}, {"attempts": 2.5}, {"attempts": True}, {"deadline": 0}, {"read_timeout": -1},
        {"connect_timeout": float("nan")}, {"backoff": -0.1}, {"backoff_cap": float("inf")},
    ])
    def test_nonsense_numbers_are_refused(self, numbers):
        with pytest.raises(ValueError):
            RetryPolicy(**numbers)

    def test_the_settings_give_the_numbers(self):
        settings = load_settings(environ={
            "BRIDGE_WHMCS_CONNECT_TIMEOUT": "2.5", "BRIDGE_WHMCS_READ_TIMEOUT": "10",
            "BRIDGE_WHMCS_READ_ATTEMPTS": "4", "BRIDGE_WHMCS_READ_DEADLINE": "30",
            "BRIDGE_WHMCS_RETRY_BACKOFF": "0.25", "BRIDGE_WHMCS_RETRY_BACKOFF_CAP": "2"})
        assert RetryPolicy.from_settings(settings) == RetryPolicy(
            attempts=4, backoff=0.25, backoff_cap=2.0, deadline=30.0, connect_timeout=2.5, read_timeout=10.0)
        assert RetryPolicy.from_settings(load_settings(environ={})) == RetryPolicy()

    def test_reads_are_exactly_the_documented_get_actions_and_validate_login(self):
        assert documented.READS <= set(documented.PARAMETERS)
        assert documented.READS == {a for a in documented.PARAMETERS if a.startswith("Get")} | {"ValidateLogin"}


class TestRetryReadOnAFakeClock:
    def run(self, policy, outcomes, clock, *, takes=0.0):
        """retry_read over `outcomes` (an exception to raise or a value to return, one per
        attempt); each attempt takes `takes` seconds, or its read timeout if that is shorter.
        Returns (result or the exception raised, [(started_at, timeout), ...])."""
        seen = []
        pending = iter(outcomes)

        def attempt(timeout):
            seen.append((clock.now, timeout))
            clock.now += min(takes, timeout[1])
            outcome = next(pending)
            if isinstance(outcome, Exception):
                raise outcome
            return outcome

        try:
            result = retry_read(policy, attempt, clock=clock, sleep=clock.sleep, random=lambda: 1.0)
        except Exception as exc:  # noqa: BLE001 - the test looks at it
            result = exc
        return result, seen

    def test_a_transient_failure_then_success(self):
        clock = FakeClock()
        result, seen = self.run(RetryPolicy(), [unavailable(), unavailable("timed out"), "answer"], clock)
        assert result == "answer" and len(seen) == 3 and clock.sleeps == [0.5, 1.0]

    def test_gives_up_after_the_attempts_and_raises_the_last_error(self):
        clock = FakeClock()
        last = unavailable("connection failed")
        result, seen = self.run(RetryPolicy(attempts=3), [unavailable(), unavailable(), last, "never"], clock)
        assert result is last and len(seen) == 3 and clock.sleeps == [0.5, 1.0]

    @pytest.mark.parametrize("error", [
        WhmcsNotFound("GetClients", "Client Not Found"),
        WhmcsRedirected("GetClients", "https://elsewhere.example/"),
        WhmcsUnavailable("GetClients", "answer is not JSON (HTTP 404)", transient=False),
        ValueError("a bridge bug"),
    ])
    def test_what_is_not_transient_is_raised_at_once(self, error):
        clock = FakeClock()
        result, seen = self.run(RetryPolicy(attempts=5), [error, "never"], clock)
        assert result is error and len(seen) == 1 and clock.sleeps == []

    def test_no_attempt_starts_after_the_deadline_and_each_is_capped_by_the_time_left(self):
        """A WHMCS that stalls 4 s on every call, a 12 s deadline and room for 10 attempts."""
        clock = FakeClock()
        policy = RetryPolicy(attempts=10, backoff=1.0, backoff_cap=1.0, deadline=12.0,
                             connect_timeout=5.0, read_timeout=20.0)
        started = clock.now
        result, seen = self.run(policy, [unavailable("timed out")] * 10, clock, takes=4.0)
        assert isinstance(result, WhmcsUnavailable)
        assert [(at - started, timeout) for at, timeout in seen] == [
            (0.0, (5.0, 12.0)), (5.0, (5.0, 7.0)), (10.0, (2.0, 2.0))]
        assert clock.now - started == 12.0  # the third attempt's timeout ended exactly at the deadline
        assert clock.sleeps == [1.0, 1.0]  # no pause was slept after the last attempt

    def test_a_backoff_that_would_end_past_the_deadline_is_not_slept(self):
        clock = FakeClock()
        policy = RetryPolicy(attempts=5, backoff=8.0, backoff_cap=8.0, deadline=10.0)
        result, seen = self.run(policy, [unavailable()] * 5, clock, takes=1.0)
        assert isinstance(result, WhmcsUnavailable)
        assert len(seen) == 2 and clock.sleeps == [8.0]  # a second 8 s pause would end at 18 s

    def test_a_sleep_that_overruns_the_deadline_starts_no_attempt(self):
        clock = FakeClock()

        def late_sleep(seconds):
            clock.now += seconds + 5.0  # the process was descheduled

        calls = []

        def attempt(_timeout):
            calls.append(clock.now)
            raise unavailable()

        with pytest.raises(WhmcsUnavailable):
            retry_read(RetryPolicy(attempts=3, deadline=4.0), attempt, clock=clock, sleep=late_sleep,
                       random=lambda: 1.0)
        assert len(calls) == 1


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def client(clock):
    """The real client on a real Session, on the fake clock; `responses` answers."""
    made = []

    def make(page_size: int = 100, **numbers) -> HttpWhmcsClient:
        session = build_session()
        made.append(session)
        return HttpWhmcsClient(session=session, url=API_URL, identifier=IDENTIFIER, secret=SECRET,
                               policy=RetryPolicy(**numbers), page_size=page_size, clock=clock,
                               sleep=clock.sleep, random=lambda: 1.0)

    yield make
    for session in made:
        session.close()


class TestReadsThroughTheClient:
    def test_retried_on_503_and_a_connection_error_then_succeeding(self, mocked, client, clock):
        mocked.post(API_URL, status=503, body="<html>busy</html>")
        mocked.post(API_URL, body=requests.ConnectionError("reset"))
        mocked.post(API_URL, json=CLIENT)
        assert client().get_client(1).id == 1
        assert len(mocked.calls) == 3 and clock.sleeps == [0.5, 1.0]

    @pytest.mark.parametrize("answer", [
        {"status": 502, "body": "bad gateway"},
        {"status": 429, "body": "slow down"},
        {"status": 408, "body": "request timeout"},
        {"body": requests.exceptions.ReadTimeout("timed out")},
        {"body": requests.exceptions.ConnectTimeout("connect timed out")},
        {"body": requests.exceptions.ChunkedEncodingError("cut off")},
        {"status": 200, "body": "<html>Down for maintenance</html>"},
    ])
    def test_gives_up_after_the_attempts(self, mocked, client, clock, answer):
        mocked.post(API_URL, **answer)
        with pytest.raises(WhmcsUnavailable) as raised:
            client(attempts=3).get_clients()
        assert raised.value.retryable and raised.value.transient
        assert len(mocked.calls) == 3 and clock.sleeps == [0.5, 1.0]

    @pytest.mark.parametrize(("answer", "kind"), [
        ({"status": 404, "body": "Not Found"}, WhmcsUnavailable),
        ({"status": 302, "headers": {"Location": "https://elsewhere.example/api.php"}}, WhmcsRedirected),
        ({"json": {"result": "error", "message": "Client Not Found"}}, WhmcsNotFound),
        ({"json": {"result": "error", "message": "Invalid IP 203.0.113.9"}}, WhmcsRejected),
    ])
    def test_the_wrong_url_and_whmcs_final_word_are_asked_once(self, mocked, client, clock, answer, kind):
        mocked.post(API_URL, **answer)
        with pytest.raises(kind):
            client(attempts=5).get_client(1)
        assert len(mocked.calls) == 1 and clock.sleeps == []

    def test_each_attempt_carries_timeouts_capped_by_the_time_left(self, mocked, client, clock):
        """WHMCS answers 503 after 4 s each time (the fake clock moves as it "waits")."""
        def slow_503(_request):
            clock.now += 4.0
            return 503, {}, "busy"

        mocked.add_callback("POST", API_URL, callback=slow_503)
        with pytest.raises(WhmcsUnavailable):
            client(attempts=10, backoff=1.0, backoff_cap=1.0, deadline=12.0).get_clients()
        timeouts = [call.request.req_kwargs["timeout"] for call in mocked.calls]
        assert timeouts == [(5.0, 12.0), (5.0, 7.0), (2.0, 2.0)]

    def test_a_paged_read_gives_each_page_its_own_attempts(self, mocked, client, clock):
        rows = [{"id": n, "firstname": "A", "lastname": "B", "email": f"{n}@example.com",
                 "datecreated": "2020-01-01", "groupid": 0, "status": "Active"} for n in (1, 2)]
        page = {"result": "success", "totalresults": 2, "numreturned": 1}
        mocked.post(API_URL, status=503, body="busy")
        mocked.post(API_URL, json={**page, "startnumber": 0, "clients": {"client": rows[:1]}})
        mocked.post(API_URL, status=503, body="busy")
        mocked.post(API_URL, json={**page, "startnumber": 1, "clients": {"client": rows[1:]}})
        assert [c.id for c in client(attempts=2, page_size=1).iter_clients()] == [1, 2]
        assert len(mocked.calls) == 4


class TestWritesAreSentOnce:
    @pytest.mark.parametrize("answer", [
        {"body": requests.ConnectionError("reset")},
        {"body": requests.exceptions.ConnectTimeout("connect timed out")},
        {"body": requests.exceptions.ReadTimeout("timed out")},
        {"status": 500, "body": "oops"},
        {"status": 503, "body": "busy"},
        {"status": 200, "body": "<html>maintenance</html>"},
    ])
    def test_a_failed_write_is_one_request_and_a_retryable_error(self, mocked, client, clock, answer):
        mocked.post(API_URL, **answer)
        with pytest.raises(WhmcsUnavailable) as raised:
            client(attempts=5).update_client(1, {"firstname": "X"}, change_id="c-9")
        assert raised.value.retryable  # the job that holds the write retries it (worker backoff)
        assert len(mocked.calls) == 1 and clock.sleeps == []

    def test_a_write_has_the_connect_and_read_timeouts_within_the_deadline(self, mocked, client):
        mocked.post(API_URL, json={"result": "success", "clientid": "1"})
        client(connect_timeout=3.0, read_timeout=20.0, deadline=15.0).update_client(1, {"city": "X"}, change_id="c")
        assert [call.request.req_kwargs["timeout"] for call in mocked.calls] == [(3.0, 15.0)]


class _Stalling(LocalWhmcs):
    """A local WHMCS that reads each request and then says nothing until released."""

    def __init__(self) -> None:
        self.release = threading.Event()
        super().__init__(lambda _handler: self.release.wait(10))

    @property
    def requests(self) -> int:
        return len(self.bodies)

    def close(self) -> None:
        self.release.set()
        super().close()


@pytest.fixture
def stalling():
    server = _Stalling()
    yield server
    server.close()


class TestOverRealSockets:
    """A short deadline against a server that never answers: real time, real timeouts."""

    def test_a_read_ends_at_its_deadline_however_long_the_read_timeout(self, stalling):
        policy = RetryPolicy(attempts=3, read_timeout=20.0, deadline=0.5, backoff=0.05, backoff_cap=0.05)
        with build_session() as session:
            whmcs = HttpWhmcsClient(session=session, url=stalling.url, identifier="i", secret="s", policy=policy)
            started = time.monotonic()
            with pytest.raises(WhmcsUnavailable) as raised:
                whmcs.get_client(1)
            elapsed = time.monotonic() - started
        assert raised.value.reason == "timed out"
        assert stalling.requests == 1  # the first attempt used up the deadline: no second one
        assert elapsed < 0.5 + 2.0  # bounded by the deadline, not by the 20 s read timeout

    def test_a_read_retries_within_its_deadline_and_never_past_its_attempts(self, stalling):
        policy = RetryPolicy(attempts=4, read_timeout=0.2, deadline=1.0, backoff=0.05, backoff_cap=0.05)
        with build_session() as session:
            whmcs = HttpWhmcsClient(session=session, url=stalling.url, identifier="i", secret="s", policy=policy)
            started = time.monotonic()
            with pytest.raises(WhmcsUnavailable):
                whmcs.get_clients()
            elapsed = time.monotonic() - started
        assert 2 <= stalling.requests <= 4
        assert elapsed < 1.0 + 2.0

    def test_a_write_that_times_out_was_sent_once(self, stalling):
        policy = RetryPolicy(attempts=4, read_timeout=0.2, deadline=5.0)
        with build_session() as session:
            whmcs = HttpWhmcsClient(session=session, url=stalling.url, identifier="i", secret="s", policy=policy)
            with pytest.raises(WhmcsUnavailable) as raised:
                whmcs.update_client(1, {"city": "X"}, change_id="c-1")
        assert raised.value.reason == "timed out"
        assert stalling.requests == 1
