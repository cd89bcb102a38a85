"""Whatever JSON arrives, load_envelope answers with an envelope or a ValidationFailed whose
errors never echo a submitted value."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridge.errors import ValidationFailed
from bridge.ingest import HANDLED_EVENTS
from bridge.schemas.hooks import load_envelope

MARK = "ZQX"  # every generated string carries it, so an echo is easy to spot
marked = st.text(max_size=8).map(lambda text: MARK + text)
scalars = st.none() | st.booleans() | st.integers() | marked
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(marked, inner, max_size=3),
    max_leaves=12,
)
vars_values = st.dictionaries(
    st.sampled_from(["userid", "client_id", "user_id", "contactid", "email", "emailoptout",
                     "email_preferences", "olddata", "status", "cardlastfour", "user",
                     "toUserID", "fromUserID", "password"]),
    json_values, max_size=6,
)
envelopes = st.fixed_dictionaries(
    {
        "event": st.sampled_from(sorted(HANDLED_EVENTS)) | marked,
        "occurred_at": st.sampled_from(["2026-11-24T20:00:00Z"]) | json_values,
        "whmcs": st.fixed_dictionaries({"version": st.just("8.13.1")}) | json_values,
        "actor": st.fixed_dictionaries(
            {"type": st.sampled_from(["client", "admin", "cron"]) | marked,
             "id": scalars, "ip": st.sampled_from(["203.0.113.9"]) | scalars}
        ),
        "outbox_id": st.integers(min_value=-5, max_value=2**65) | marked,
        "vars": vars_values | json_values,
    }
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(envelopes)
def test_any_envelope_loads_or_fails_cleanly(data):
    try:
        envelope = load_envelope(data, kind="event")
    except ValidationFailed as failure:
        text = json.dumps(failure.errors) + failure.message
        assert MARK not in text
        assert all(isinstance(m, str) for messages in failure.errors.values() for m in messages)
    else:
        assert "password" not in json.dumps(envelope.vars, default=str)


def test_a_blank_actor_id_is_no_id_not_a_crash():
    data = {"event": "ClientClose", "occurred_at": "2026-11-24T20:00:00Z", "whmcs": {"version": "8.13.1"},
            "actor": {"type": "client", "id": "  ", "change_id": " "}, "outbox_id": 3, "vars": {"userid": 7}}
    envelope = load_envelope(data, kind="event")
    assert envelope.actor.id is None and envelope.actor.change_id is None
