"""Conformance: the emulator's raw JSON, over HTTP, has the keys and value types of the WHMCS
reference's example answers (strings where WHMCS sends strings, numbers where it sends numbers,
booleans where it sends booleans)."""

from __future__ import annotations

import pytest

from tests.contract import reference_examples as ref


def kind(value: object) -> str:
    # bool before int: in Python True is an int, in WHMCS's JSON they are different things.
    for name, types in (("bool", bool), ("number", int | float), ("string", str),
                        ("object", dict), ("list", list), ("null", type(None))):
        if isinstance(value, types):
            return name
    raise TypeError(type(value))


def mismatches(example: object, actual: object, path: str = "$") -> list[str]:
    """Every place where `actual` lacks a key of `example` or holds another type."""
    if kind(example) != kind(actual):
        return [f"{path}: expected {kind(example)}, got {kind(actual)} ({actual!r})"]
    if isinstance(example, dict):
        found = []
        for key, value in example.items():
            if key in ref.DATA_DEPENDENT_KEYS:
                continue
            if key not in actual:
                found.append(f"{path}.{key}: missing")
            else:
                found += mismatches(value, actual[key], f"{path}.{key}")
        return found
    if isinstance(example, list) and example:
        if not actual:
            if path.rsplit(".", 1)[-1] in ref.MAY_BE_EMPTY:
                return []
            return [f"{path}: empty list, cannot compare with the example"]
        return mismatches(example[0], actual[0], f"{path}[0]")
    return []


def assert_conforms(example: dict, answer: tuple[int, dict]) -> None:
    status, body = answer
    assert status == 200
    assert mismatches(example, body) == []


class TestReadAnswers:
    def test_get_clients(self, raw):
        assert_conforms(ref.GET_CLIENTS, raw("GetClients", limitnum=2))

    def test_get_clients_details_with_stats(self, raw, ids):
        assert_conforms(ref.GET_CLIENTS_DETAILS,
                        raw("GetClientsDetails", clientid=ids["active"], stats="true"))

    def test_get_clients_details_repeats_client_fields_at_the_top_level(self, raw, ids):
        _, body = raw("GetClientsDetails", clientid=ids["active"])
        assert body["email"] == body["client"]["email"] and body["id"] == body["client"]["id"]

    def test_get_pay_methods_card_and_bank(self, raw, ids):
        status, body = raw("GetPayMethods", clientid=ids["active"])
        assert status == 200 and mismatches(
            {k: v for k, v in ref.GET_PAY_METHODS.items() if k != "paymethods"}, body) == []
        card, bank = body["paymethods"]
        assert mismatches(ref.GET_PAY_METHODS_CARD, card) == []
        assert mismatches(ref.GET_PAY_METHODS_BANK, bank) == []

    def test_get_activity_log(self, raw):
        raw("LogActivity", description="privacy-ledger head seq=1 hash=00")
        status, body = raw("GetActivityLog")
        assert_conforms(ref.GET_ACTIVITY_LOG, (status, body))
        assert "numreturned" not in body  # as in the reference's example

    def test_get_users(self, raw):
        assert_conforms(ref.GET_USERS, raw("GetUsers", limitnum=1))


class TestWriteAnswers:
    @pytest.mark.parametrize(("example", "action", "params"), [
        (ref.UPDATE_CLIENT, "UpdateClient", {"clientid": "active", "city": "Bath"}),
        (ref.CLOSE_CLIENT, "CloseClient", {"clientid": "inactive"}),
        (ref.DELETE_CLIENT, "DeleteClient", {"clientid": "closed_paid"}),
        (ref.ADD_CLIENT_NOTE, "AddClientNote", {"userid": "active", "notes": "n"}),
        (ref.LOG_ACTIVITY, "LogActivity", {"description": "d"}),
        (ref.UPDATE_USER, "UpdateUser", {"user_id": 1, "firstname": "X"}),
        (ref.UPDATE_CONTACT, "UpdateContact", {"contactid": 1, "city": "York"}),
        (ref.DELETE_CONTACT, "DeleteContact", {"contactid": 1}),
        (ref.DELETE_PAY_METHOD, "DeletePayMethod", {"clientid": "active", "paymethodid": 1}),
    ])
    def test_write_answers(self, raw, ids, example, action, params):
        resolved = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in params.items()}
        assert_conforms(example, raw(action, **resolved))


class TestErrorEnvelope:
    @pytest.mark.parametrize(("action", "params", "status", "message"), [
        ("GetClientsDetails", {"clientid": 999}, 200, "Client Not Found"),
        ("UpdateClient", {"clientid": 999}, 200, "Client ID Not Found"),
        ("UpdateContact", {"contactid": 999}, 200, "Contact ID Not Found"),
        ("GetPayMethods", {}, 200, "Client ID Is Required"),
        ("AddClientNote", {"userid": 999, "notes": "x"}, 200, "Client ID not found"),
        ("AddClientNote", {"userid": 1, "notes": ""}, 200, "Notes can not be empty"),
        ("UpdateUser", {"user_id": 999}, 200, "Invalid User ID requested"),
        ("SendEmail", {"messagename": "Nope", "id": 1}, 200, "Email Template not found"),
        ("Nope", {}, 200, 'Invalid API Action: "nope" is not a valid API action'),
    ])
    def test_errors_are_result_error_with_whmcs_messages(
        self, raw, action, params, status, message,
    ):
        assert raw(action, **params) == (status, {"result": "error", "message": message})

    def test_auth_failures_are_403(self, raw):
        assert raw("GetClients", secret="nope")[0] == 403

    def test_write_answers_echo_ids_as_strings_and_lists_use_numbers(self, raw, ids):
        _, body = raw("UpdateClient", clientid=ids["active"], city="Bath")
        assert body["clientid"] == str(ids["active"])
        _, listing = raw("GetClients")
        assert isinstance(listing["totalresults"], int)
        assert isinstance(listing["clients"]["client"][0]["id"], int)


class TestValidateLogin:
    def test_a_users_password_is_accepted_and_answers_the_client_id(self, raw, ids):
        """Section 11, Download my data: the module checks the re-entered password with WHMCS's
        ValidateLogin (email, password2 -> result, userid, passwordhash)."""
        from bridge.whmcs.emulator.seed import DEMO_CLIENT_PASSWORD

        status, body = raw("ValidateLogin", email="ada@example.com", password2=DEMO_CLIENT_PASSWORD)
        assert status == 200 and body["result"] == "success" and body["userid"] == str(ids["active"])
        assert isinstance(body["passwordhash"], str) and body["passwordhash"]

    def test_a_wrong_password_is_whmcs_error(self, raw):
        status, body = raw("ValidateLogin", email="ada@example.com", password2="not-it")
        assert status == 200 and body == {"result": "error", "message": "Email or Password Invalid"}
        assert raw("ValidateLogin", email="nobody@example.com", password2="x")[1]["result"] == "error"
