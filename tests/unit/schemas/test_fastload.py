"""FastLoad gives exactly what marshmallow's own `schema.load` gives: the same result for valid
input, the same ValidationError messages otherwise, on the recorded hook fixtures and on
generated input of every shape."""

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import INCLUDE, Schema, ValidationError, fields, post_load, pre_load, validates

from bridge.ingest import HANDLED_EVENTS
from bridge.schemas.fastload import FastLoad
from bridge.schemas.hooks import _ENVELOPE_LOADERS
from bridge.vocabulary import PANEL_EVENTS, VALIDATE_EVENTS

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "hooks"
KIND_OF = {**{e: "event" for e in HANDLED_EVENTS}, **{e: "validate" for e in VALIDATE_EVENTS},
           **{e: "panel" for e in PANEL_EVENTS}, "AfterCronJob": "work", "ClientAreaExport": "export"}


def slow_load(kind, data):
    """marshmallow alone: the vars registry's schemas loaded by schema.load, never FastLoad."""
    loader = _ENVELOPE_LOADERS[kind]
    vars_field = loader.schema.fields["vars"]
    saved = vars_field.registry, vars_field.fallback
    vars_field.registry = {name: _SlowOnly(fl.schema) for name, fl in saved[0].items()}
    vars_field.fallback = _SlowOnly(saved[1].schema)
    try:
        return _outcome(lambda: loader.schema.load(data))
    finally:
        vars_field.registry, vars_field.fallback = saved


class _SlowOnly:
    def __init__(self, schema):
        self.schema = schema

    def load(self, data):
        return self.schema.load(data)


def fast_load(kind, data):
    return _outcome(lambda: _ENVELOPE_LOADERS[kind].load(data))


def _outcome(call):
    try:
        return ("ok", call())
    except ValidationError as err:
        return ("error", err.messages)


def test_every_loader_takes_the_fast_path():
    for kind, loader in _ENVELOPE_LOADERS.items():
        assert loader.supported, kind
        registry = loader.schema.fields["vars"].registry
        assert all(vars_loader.supported for vars_loader in registry.values()), kind


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.stem)
def test_fixtures_load_the_same(path):
    data = json.loads(path.read_text())
    kind = KIND_OF.get(data["event"], "event")
    fast = fast_load(kind, json.loads(path.read_text()))
    assert fast[0] == "ok"
    assert fast == slow_load(kind, json.loads(path.read_text()))


scalars = st.none() | st.booleans() | st.integers(min_value=-2**64, max_value=2**64) | st.text(max_size=6) | \
    st.sampled_from(["1", "0", "on", "yes", "", " 42 ", "203.0.113.9", "2026-11-24T20:00:00Z", "card"])
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.sampled_from(["a", "email", "general", "password", "id", "cardnum"]), inner, max_size=3), max_leaves=8)
KEYS = ["userid", "client_id", "user_id", "contactid", "email", "firstname", "emailoptout",
        "marketing_emails_opt_in", "email_preferences", "email_preferences[general]", "olddata", "current",
        "status", "cardlastfour", "cardtype", "user", "toUserID", "fromUserID", "password", "messagename",
        "relid", "outbox", "paymentmethod", "defaultgateway", "groupid", "taxexempt", "unknown_key"]
vars_values = st.recursive(
    st.dictionaries(st.sampled_from(KEYS), values, max_size=8),
    lambda inner: st.dictionaries(st.sampled_from(KEYS), inner | values, max_size=6), max_leaves=20,
)
envelopes = st.fixed_dictionaries(
    {
        "event": st.sampled_from(sorted(KIND_OF)) | st.text(max_size=4),
        "occurred_at": st.sampled_from(["2026-11-24T20:00:00Z", "2026-11-24 20:00:00"]) | scalars,
        "whmcs": st.fixed_dictionaries({"version": st.sampled_from(["8.13.1", ""]) | scalars},
                                       optional={"system_url": st.sampled_from(["https://billing.example.com/", "x"])}),
        "actor": st.fixed_dictionaries(
            {"type": st.sampled_from(["client", "admin", "api", "cron"]) | scalars},
            optional={"id": scalars, "ip": scalars, "user_id": scalars, "masquerading": scalars,
                      "change_id": scalars, "extra": scalars}),
        "vars": vars_values | values,
    },
    optional={"outbox_id": st.integers(min_value=-5, max_value=2**64) | scalars, "extra": values},
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(envelopes, st.sampled_from(["event", "validate", "panel"]))
def test_generated_envelopes_load_the_same(data, kind):
    assert fast_load(kind, json.loads(json.dumps(data))) == slow_load(kind, json.loads(json.dumps(data)))


class TestWhatItDoesNotReplay:
    def test_field_level_validators_send_the_schema_to_marshmallow(self):
        class WithValidates(Schema):
            name = fields.String()

            @validates("name")
            def _check(self, value, **kwargs):
                if value == "no":
                    raise ValidationError("refused")

        loader = FastLoad(WithValidates())
        assert not loader.supported
        with pytest.raises(ValidationError):
            loader.load({"name": "no"})

    def test_hooks_run_in_marshmallows_order(self):
        class Hooks(Schema):
            class Meta:
                unknown = INCLUDE

            name = fields.String()

            @pre_load
            def _trim(self, data, **kwargs):
                return {**data, "name": data["name"].strip()}

            @post_load
            def _upper(self, data, **kwargs):
                return {**data, "name": data["name"].upper()}

        loader = FastLoad(Hooks())
        assert loader.supported
        assert loader.load({"name": " ada "}) == Hooks().load({"name": " ada "}) == {"name": "ADA"}
