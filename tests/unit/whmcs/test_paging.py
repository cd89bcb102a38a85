"""Paged reads: every nesting of the reference, missing or empty containers, missing counters,
totals that change while paging, and servers that would make a naive loop spin forever."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest

from bridge.whmcs.api import WhmcsUnavailable
from tests.unit.whmcs.conftest import API_URL


def row(n: int) -> dict:
    return {"id": n, "firstname": "F", "lastname": "L", "email": f"c{n}@example.com",
            "status": "Active", "userid": 1, "clientid": 1, "clients": []}


def serve(mocked, pages):
    """Answer successive calls with `pages` (the last one repeats); record the offsets asked."""
    offsets: list[int] = []

    def answer(request):
        offsets.append(int(parse_qs(request.body).get("limitstart", ["0"])[0]))
        body = pages[min(len(offsets) - 1, len(pages) - 1)]
        return 200, {}, json.dumps(body)

    mocked.add_callback("POST", API_URL, callback=answer)
    return offsets


def clients_page(rows, *, total=None, numreturned=True, **extra):
    body = {"result": "success", "startnumber": 0, "clients": {"client": rows}, **extra}
    if total is not None:
        body["totalresults"] = total
    if numreturned:
        body["numreturned"] = len(rows)
    return body


class TestEmptyResults:
    @pytest.mark.parametrize("body", [
        {"result": "success", "totalresults": 0, "startnumber": 0, "numreturned": 0},
        {"result": "success", "totalresults": "0", "clients": ""},
        {"result": "success", "totalresults": 0, "clients": []},
        {"result": "success", "totalresults": 0, "clients": {}},
        {"result": "success", "totalresults": 0, "clients": {"client": []}},
        {"result": "success", "clients": None},
    ])
    def test_yield_nothing_after_one_call(self, mocked, make_client, body):
        offsets = serve(mocked, [body])
        assert list(make_client().iter_clients()) == []
        assert offsets == [0]


class TestPageCounts:
    def test_one_row(self, mocked, make_client):
        offsets = serve(mocked, [clients_page([row(1)], total=1)])
        assert [c.id for c in make_client().iter_clients()] == [1]
        assert offsets == [0]

    def test_exactly_one_full_page_needs_one_call(self, mocked, make_client):
        offsets = serve(mocked, [clients_page([row(1), row(2)], total="2")])
        assert [c.id for c in make_client(page_size=2).iter_clients()] == [1, 2]
        assert offsets == [0]

    def test_many_pages(self, mocked, make_client):
        pages = [clients_page([row(1), row(2)], total=5), clients_page([row(3), row(4)], total=5),
                 clients_page([row(5)], total=5)]
        offsets = serve(mocked, pages)
        assert [c.id for c in make_client(page_size=2).iter_clients()] == [1, 2, 3, 4, 5]
        assert offsets == [0, 2, 4]

    def test_resumes_from_a_given_offset(self, mocked, make_client):
        offsets = serve(mocked, [clients_page([row(5)], total=5)])
        assert [c.id for c in make_client(page_size=2).iter_clients(start=4)] == [5]
        assert offsets == [4]


class TestMissingCounters:
    def test_without_totalresults_pages_until_an_empty_page(self, mocked, make_client):
        pages = [clients_page([row(1), row(2)], numreturned=False),
                 clients_page([row(3)], numreturned=False), clients_page([], numreturned=False)]
        offsets = serve(mocked, pages)
        assert [c.id for c in make_client(page_size=2).iter_clients()] == [1, 2, 3]
        assert offsets == [0, 2, 3]

    def test_a_missing_numreturned_is_counted_from_the_rows(self, mocked, make_client):
        pages = [clients_page([row(1), row(2)], total=3, numreturned=False),
                 clients_page([row(3)], total=3, numreturned=False)]
        serve(mocked, pages)
        assert [c.id for c in make_client(page_size=2).iter_clients()] == [1, 2, 3]


class TestChangingTotals:
    def test_a_row_inserted_while_paging_is_not_yielded_twice(self, mocked, make_client):
        # A row sorted before row 2 appears after page one, so page two starts with row 2 again.
        pages = [clients_page([row(1), row(2)], total=3),
                 clients_page([row(2), row(3)], total=5), clients_page([row(4)], total=5)]
        serve(mocked, pages)
        ids = [c.id for c in make_client(page_size=2).iter_clients()]
        assert ids == [1, 2, 3, 4]

    def test_a_row_shifted_by_more_than_a_page_is_still_yielded_once(self, mocked, make_client):
        # Three rows sorted before row 2 appear after page one: row 2 comes back two pages on.
        pages = [clients_page([row(1), row(2)], total=6), clients_page([row(2), row(3)], total=9),
                 clients_page([row(2), row(4)], total=9), clients_page([row(5)], total=9)]
        serve(mocked, pages)
        assert [c.id for c in make_client(page_size=2).iter_clients()] == [1, 2, 3, 4, 5]

    def test_a_shrinking_total_ends_the_loop(self, mocked, make_client):
        pages = [clients_page([row(1), row(2)], total=10), clients_page([row(3)], total=3)]
        offsets = serve(mocked, pages)
        assert [c.id for c in make_client(page_size=2).iter_clients()] == [1, 2, 3]
        assert offsets == [0, 2]

    def test_a_server_ignoring_limitstart_cannot_loop_forever(self, mocked, make_client):
        offsets = serve(mocked, [clients_page([row(1), row(2)], total=1000)])
        assert [c.id for c in make_client(page_size=2).iter_clients()] == [1, 2]
        assert offsets == [0, 2]


class TestNestings:
    @pytest.mark.parametrize(("method", "container", "item"), [
        ("iter_contacts", "contacts", "contact"),
        ("iter_invoices", "invoices", "invoice"),
        ("iter_client_products", "products", "product"),
    ])
    def test_nested_lists(self, mocked, make_client, method, container, item):
        serve(mocked, [{"result": "success", "totalresults": 2,
                        container: {item: [row(1), row(2)]}}])
        assert [r.id for r in getattr(make_client(), method)(1)] == [1, 2]

    def test_activity_entries_without_numreturned(self, mocked, make_client):
        serve(mocked, [{"result": "success", "totalresults": 1, "startnumber": 0,
                        "activity": {"entry": [row(9)]}}])
        assert [e.id for e in make_client().iter_activity()] == [9]

    def test_flat_users(self, mocked, make_client):
        serve(mocked, [{"result": "success", "totalresults": 1, "users": [row(3)]}])
        assert [u.id for u in make_client().iter_users()] == [3]

    def test_flat_paymethods(self, mocked, make_client):
        serve(mocked, [{"result": "success", "clientid": "1", "paymethods": [
            {"id": 4, "type": "CreditCard", "card_last_four": "4242"}]}])
        assert [p.id for p in make_client().get_pay_methods(1)] == [4]

    def test_a_single_row_sent_as_an_object(self, mocked, make_client):
        serve(mocked, [{"result": "success", "totalresults": 1, "clients": {"client": row(8)}}])
        assert [c.id for c in make_client().iter_clients()] == [8]

    def test_a_php_array_with_gaps_sent_as_an_object(self, mocked, make_client):
        serve(mocked, [{"result": "success", "totalresults": 2,
                        "users": {"0": row(1), "2": row(3)}}])
        assert [u.id for u in make_client().iter_users()] == [1, 3]

    def test_rows_that_are_not_objects_are_unreadable(self, mocked, make_client):
        serve(mocked, [{"result": "success", "totalresults": 1, "clients": {"client": ["x"]}}])
        with pytest.raises(WhmcsUnavailable):
            list(make_client(attempts=1).iter_clients())
