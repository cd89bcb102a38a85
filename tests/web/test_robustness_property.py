"""Section 10 as properties over WHMCS-shaped input: forms and edit events with arrays, odd keys,
huge and non-ASCII values, missing fields and every actor type.

- a sound envelope is never answered 400 or 5xx;
- an unverified protected change is never allowed by validate, and never left unreverted after the
  fact (a revert job for the edit's entry names every protected field that changed).

Each example is about a client id of its own, so examples share the database but not a customer.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.fixtures import hook

VALIDATE, EVENTS = "/v1/hooks/whmcs/validate", "/v1/hooks/whmcs"
OLD = {"firstname": "Jane", "lastname": "Doe", "companyname": "Example Ltd", "email": "jane@example.com",
       "address1": "1 Example Street", "address2": "", "city": "Exampleton", "state": "Example County",
       "postcode": "EX1 2AB", "country": "GB", "phonenumber": "+44.1632960001", "tax_id": "GB123",
       "paymentmethod": "banktransfer"}
ENFORCED = {"client", "admin", "api"}
IDENTITY = {"olddata", "current", "userid", "client_id", "contactid", "relid", "messagename", "user_id", "user",
            "toUserID", "fromUserID", "status"}
_ids = itertools.count(500_000)

text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
# under 1 MiB once JSON-escaped, as the hook sends
huge = st.builds(lambda ch, n: ch * n, st.sampled_from("aé中🙂"), st.integers(1_000, 20_000))
odd = st.one_of(st.lists(text, max_size=3), st.dictionaries(text, text, max_size=3),
                st.floats(allow_nan=False, allow_infinity=False))
noise_keys = st.one_of(text, st.sampled_from(["email_preferences[general]", "email_preferences[x y]",
                                              "customfield", "marketingoptin", "accountLanguage", "token"]))
noise = st.dictionaries(noise_keys, st.one_of(text, huge, odd, st.none(), st.integers()), max_size=4)


def _kept(field: str, old: str):
    """Kept as is, the same value spelt otherwise, or absent (a locked field is not posted)."""
    respelt = f"  {old.upper() if field == 'email' else old} "
    return st.sampled_from([("same", old), ("same", respelt), ("absent", None)])


def _changed(field: str):
    different = OLD[field] + ("9" if field == "phonenumber" else "Zq")
    return st.one_of(st.just(("changed", different)), odd.map(lambda v: ("changed", v)))


# most fields kept, at most two changed (plainly, or to a value nobody can read)
form = st.tuples(st.fixed_dictionaries({name: _kept(name, value) for name, value in OLD.items()}),
                 st.lists(st.sampled_from(sorted(OLD)), max_size=2, unique=True).flatmap(
                     lambda names: st.fixed_dictionaries({n: _changed(n) for n in names}))
                 ).map(lambda parts: parts[0] | parts[1])
actors = st.sampled_from(["client", "admin", "api", "cron", "system"])


def _actor(kind: str, client_id: int) -> dict:
    return {"type": kind, "id": {"client": client_id, "admin": 3, "api": "other-system"}.get(kind),
            "ip": "203.0.113.5"}


def _posted(variants: dict, extra: dict) -> tuple[dict, list[str]]:
    posted = {k: v for k, v in extra.items() if k not in OLD and k not in IDENTITY}
    posted.update({name: value for name, (kind, value) in variants.items() if kind != "absent"})
    return posted, sorted(name for name, (kind, _v) in variants.items() if kind == "changed")


def _settings():
    return settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.mark.slow
@_settings()
@given(variants=form, extra=noise, actor=actors)
def test_validate_never_fails_open_and_never_refuses_a_sound_envelope(client, signer, variants, extra, actor):
    client_id = next(_ids)
    posted, changed = _posted(variants, extra)
    data = hook("ClientDetailsValidation", actor=_actor(actor, client_id))
    data["vars"] = {**posted, "userid": client_id, "current": dict(OLD)}
    body, headers = signer.request(data)
    response = client.post(VALIDATE, data=body, headers=headers)
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    if actor in ENFORCED and changed:
        assert answer["allowed"] is False, (changed, answer)
    else:
        assert answer == {"allowed": True, "errors": []}


@pytest.mark.slow
@_settings()
@given(variants=form, extra=noise, actor=actors)
def test_an_edit_event_is_recorded_and_every_unverified_protected_change_reverted(
        client, signer, services, variants, extra, actor):
    client_id = next(_ids)
    posted, changed = _posted(variants, extra)
    data = hook("ClientEdit", actor=_actor(actor, client_id))
    data["vars"] = {**posted, "userid": client_id, "olddata": dict(OLD)}
    body, headers = signer.request(data)
    response = client.post(EVENTS, data=body, headers=headers)
    assert response.status_code == 202, response.get_json()
    seq = response.get_json()["entries"][0]
    reverts = [job.payload for job in services.queue.for_client(client_id) if job.kind == "revert"]
    if actor in ENFORCED and changed:
        assert [(p["seq"], p["fields"]) for p in reverts] == [(seq, changed)]
    else:
        assert reverts == []
