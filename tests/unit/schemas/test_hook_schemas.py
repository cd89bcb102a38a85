import json
from datetime import UTC, datetime

import pytest

from bridge.errors import ValidationFailed
from bridge.ingest import HANDLED_EVENTS, PANEL_EVENTS, VALIDATE_EVENTS, HookEnvelope
from bridge.ledger.entries import Actor
from bridge.schemas.hooks import EVENT_VARS, EXPORT_VARS, PANEL_VARS, VALIDATE_VARS, WORK_VARS, load_envelope
from bridge.vocabulary import ERASED_EVENT, MODULE_EVENTS

KINDS = {"event": HANDLED_EVENTS, "validate": VALIDATE_EVENTS, "panel": PANEL_EVENTS}
ALL = sorted((event, kind) for kind, events in KINDS.items() for event in events)
SENTINEL = "PERSONAL-VALUE-8842"
SECRET_KEYS = {"password", "authdata", "securityqans", "securityqid", "cardnum", "cardcvv",
               "cardstart", "cardissue", "mergefields", "token", "remote_token"}


def keys_in(value):
    if isinstance(value, dict):
        return set(value) | {k for item in value.values() for k in keys_in(item)}
    if isinstance(value, list):
        return {k for item in value for k in keys_in(item)}
    return set()


def errors_of(data, kind="event"):
    with pytest.raises(ValidationFailed) as caught:
        load_envelope(data, kind=kind)
    failure = caught.value
    assert failure.__cause__ is None and failure.__suppress_context__
    return failure.errors


class TestFixturesLoad:
    def test_every_event_of_every_endpoint_has_a_schema(self):
        assert set(EVENT_VARS) == HANDLED_EVENTS | {ERASED_EVENT}
        assert set(VALIDATE_VARS) == VALIDATE_EVENTS
        assert set(PANEL_VARS) == PANEL_EVENTS
        assert set(WORK_VARS) | set(EXPORT_VARS) | {ERASED_EVENT} == MODULE_EVENTS

    @pytest.mark.parametrize(("event", "kind"), ALL)
    def test_each_fixture_loads_as_a_typed_envelope(self, event, kind, hook_data):
        envelope = load_envelope(hook_data(event), kind=kind)
        assert isinstance(envelope, HookEnvelope) and envelope.event == event
        assert envelope.occurred_at.tzinfo is UTC
        assert isinstance(envelope.actor, Actor)
        assert (envelope.outbox_id is not None) == (kind == "event")

    @pytest.mark.parametrize(("event", "kind"), ALL)
    def test_no_secret_key_survives_at_any_depth(self, event, kind, hook_data):
        envelope = load_envelope(hook_data(event), kind=kind)
        assert not keys_in(envelope.vars) & SECRET_KEYS

    def test_card_data_other_than_type_and_last_four_is_gone(self, hook_data):
        envelope = load_envelope(hook_data("CCUpdate"), kind="event")
        assert envelope.vars == {
            "userid": 1042, "cardtype": "Visa", "cardlastfour": "1111", "expdate": "1228",
        }
        assert "4111111111111111" not in json.dumps(envelope.vars)

    def test_an_outbox_id_on_a_validate_call_is_ignored(self, hook_data):
        data = hook_data("ClientDetailsValidation") | {"outbox_id": 5}
        assert load_envelope(data, kind="validate").outbox_id is None


class TestNormalisation:
    def test_loose_ids_flags_and_strings_are_normalised(self, hook_data):
        vars_ = load_envelope(hook_data("ClientEdit"), kind="event").vars
        assert vars_["userid"] == 1042 and vars_["currency"] == 1
        assert vars_["emailoptout"] is True and vars_["marketing_emails_opt_in"] is False
        assert vars_["email_preferences"]["affiliate"] is False
        assert vars_["olddata"]["allow_sso"] is True

    def test_strings_are_trimmed_and_numbers_become_text(self, hook_data):
        data = hook_data("ContactAdd")
        data["vars"].update(firstname="  Sam ", postcode=12345)
        vars_ = load_envelope(data, kind="event").vars
        assert vars_["firstname"] == "Sam" and vars_["postcode"] == "12345"

    def test_unknown_keys_are_kept(self, hook_data):
        data = hook_data("ClientEdit")
        data["vars"]["credit"] = "0.00"
        data["vars"]["olddata"]["some_new_key"] = {"nested": [1, 2]}
        vars_ = load_envelope(data, kind="event").vars
        assert vars_["credit"] == "0.00"
        assert vars_["olddata"]["some_new_key"] == {"nested": [1, 2]}

    def test_the_gateway_is_read_as_paymentmethod(self, hook_data):
        vars_ = load_envelope(hook_data("ClientEdit"), kind="event").vars
        assert vars_["paymentmethod"] == "banktransfer"

    def test_client_add_accepts_the_deprecated_userid_alone(self, hook_data):
        data = hook_data("ClientAdd")
        del data["vars"]["client_id"]
        assert load_envelope(data, kind="event").vars["client_id"] == 1042

    def test_php_empty_arrays_are_empty_objects(self, hook_data):
        data = hook_data("DailyCronJob") | {"vars": []}
        assert load_envelope(data, kind="event").vars == {}
        data = hook_data("ClientEdit")
        data["vars"]["olddata"] = []
        assert load_envelope(data, kind="event").vars["olddata"] == {}

    def test_form_style_preference_keys_are_folded(self, hook_data):
        data = hook_data("ClientEdit")
        data["vars"]["email_preferences[domain]"] = "0"
        prefs = load_envelope(data, kind="event").vars["email_preferences"]
        assert prefs["domain"] is False and prefs["general"] is True

    def test_the_actor_is_normalised(self, hook_data):
        data = hook_data("ClientEdit")
        data["actor"] = {"type": "api", "id": " K7fQ ", "ip": "2001:DB8::5", "masquerading": "1",
                         "change_id": "", "user_id": "2042", "extra": "ignored"}
        actor = load_envelope(data, kind="event").actor
        assert actor == Actor(type="api", id="K7fQ", user_id=2042, ip="2001:db8::5",
                              masquerading=True, change_id=None)

    def test_times_are_converted_to_utc(self, hook_data):
        data = hook_data("ClientClose") | {"occurred_at": "2026-11-24T22:00:00+02:00"}
        assert load_envelope(data, kind="event").occurred_at == datetime(2026, 11, 24, 20, tzinfo=UTC)


class TestUnknownEvents:
    @pytest.mark.parametrize("kind", sorted(KINDS))
    def test_an_unknown_event_loads_with_its_vars_scrubbed(self, kind, hook_data):
        data = hook_data("ClientClose") | {"event": "InvoicePaid"}
        data["vars"] = {"invoiceid": "9", "password": SENTINEL, "items": [{"token": SENTINEL}]}
        envelope = load_envelope(data, kind=kind)
        assert envelope.event == "InvoicePaid"
        assert envelope.vars == {"invoiceid": "9", "items": [{}]}

    def test_an_unknown_kind_is_a_programming_error(self, hook_data):
        with pytest.raises(ValueError, match="kind"):
            load_envelope(hook_data("ClientClose"), kind="webhook")  # type: ignore[arg-type]


def _set(path, value):
    def apply(data):
        *parents, last = path.split(".")
        target = data
        for name in parents:
            target = target[name]
        if value is DELETE:
            del target[last]
        else:
            target[last] = value
    return apply


DELETE = object()
MALFORMED = [
    ("event", _set("event", DELETE), "event"),
    ("event-type", _set("event", [SENTINEL]), "event"),
    ("event-name", _set("event", f"{SENTINEL} drop table"), "event"),
    ("time-missing", _set("occurred_at", DELETE), "occurred_at"),
    ("time-bad", _set("occurred_at", SENTINEL), "occurred_at"),
    ("time-naive", _set("occurred_at", "2026-11-24T20:00:00"), "occurred_at"),
    ("time-number", _set("occurred_at", 1764014400), "occurred_at"),
    ("whmcs-missing", _set("whmcs", DELETE), "whmcs"),
    ("whmcs-type", _set("whmcs", SENTINEL), "whmcs"),
    ("whmcs-version", _set("whmcs.version", DELETE), "whmcs.version"),
    ("whmcs-url", _set("whmcs.system_url", SENTINEL), "whmcs.system_url"),
    ("actor-missing", _set("actor", DELETE), "actor"),
    ("actor-type", _set("actor.type", SENTINEL), "actor.type"),
    ("actor-ip", _set("actor.ip", f"203.0.113.{SENTINEL}"), "actor.ip"),
    ("actor-ip-range", _set("actor.ip", "203.0.113.256"), "actor.ip"),
    ("actor-mask", _set("actor.masquerading", SENTINEL), "actor.masquerading"),
    ("actor-user", _set("actor.user_id", 2**64), "actor.user_id"),
    ("actor-id", _set("actor.id", {"x": SENTINEL}), "actor.id"),
    ("outbox-missing", _set("outbox_id", DELETE), "outbox_id"),
    ("outbox-zero", _set("outbox_id", 0), "outbox_id"),
    ("outbox-huge", _set("outbox_id", 2**63), "outbox_id"),
    ("outbox-text", _set("outbox_id", SENTINEL), "outbox_id"),
    ("vars-missing", _set("vars", DELETE), "vars"),
    ("vars-list", _set("vars", [SENTINEL]), "vars"),
    ("vars-text", _set("vars", SENTINEL), "vars"),
    ("vars-null", _set("vars", None), "vars"),
    ("client-missing", _set("vars.userid", DELETE), "vars.userid"),
    ("client-null", _set("vars.userid", None), "vars.userid"),
    ("client-text", _set("vars.userid", SENTINEL), "vars.userid"),
    ("client-huge", _set("vars.userid", 2**64 + 7), "vars.userid"),
    ("client-huge-text", _set("vars.userid", str(2**64 + 7)), "vars.userid"),
    ("client-bool", _set("vars.userid", True), "vars.userid"),
]
# A form value the bridge cannot read is data, not a malformed envelope (section 10): the value is
# dropped and its path named, and the rest of the event still loads.
UNREADABLE = [
    ("flag", _set("vars.emailoptout", SENTINEL), "emailoptout"),
    ("string", _set("vars.email", {"a": SENTINEL}), "email"),
    ("array", _set("vars.firstname", [SENTINEL, SENTINEL]), "firstname"),
    ("currency", _set("vars.currency", SENTINEL), "currency"),
    ("prefs", _set("vars.email_preferences", SENTINEL), "email_preferences"),
    ("olddata", _set("vars.olddata", SENTINEL), "olddata"),
    ("old-flag", _set("vars.olddata.taxexempt", SENTINEL), "olddata.taxexempt"),
]


class TestMalformedEnvelopes:
    @pytest.mark.parametrize(("case", "mutate", "path"), MALFORMED, ids=[m[0] for m in MALFORMED])
    def test_each_fault_is_named_by_field_without_echoing_the_value(
        self, case, mutate, path, hook_data
    ):
        data = hook_data("ClientEdit")
        mutate(data)
        errors = errors_of(data)
        assert path in errors, errors
        assert all(isinstance(m, str) and m for m in errors[path])
        text = json.dumps(errors)
        assert SENTINEL not in text and str(2**64) not in text and "256" not in text

    @pytest.mark.parametrize(("case", "mutate", "path"), UNREADABLE, ids=[m[0] for m in UNREADABLE])
    def test_an_unreadable_var_is_dropped_and_named(self, case, mutate, path, hook_data):
        """Section 10, form input is data: an event whose envelope is sound is recorded even when
        some vars cannot be read; those vars are dropped and named."""
        data = hook_data("ClientEdit")
        mutate(data)
        envelope = load_envelope(data, kind="event")
        assert envelope.unreadable == (path,)
        head, _, rest = path.partition(".")
        assert (rest not in envelope.vars[head]) if rest else (head not in envelope.vars or head == "olddata")
        assert envelope.vars["userid"] == 1042 and SENTINEL not in json.dumps(envelope.vars)

    def test_odd_preference_keys_are_ignored(self, hook_data):
        """Section 10: odd keys in email_preferences are ignored, the known ones kept."""
        data = hook_data("ClientEdit")
        data["vars"]["email_preferences"] = {SENTINEL: 1, "general": 1, "invoice": "0"}
        envelope = load_envelope(data, kind="event")
        assert envelope.vars["email_preferences"] == {"general": True, "invoice": False}
        assert envelope.unreadable == ()

    @pytest.mark.parametrize("key", ["userid", "contactid"])
    def test_an_unreadable_identity_var_is_still_a_malformed_envelope(self, key, hook_data):
        """Section 10: dropping whom a validate call is about would read as a sign-up or a new
        contact (fail open), so an unreadable userid or contactid is refused instead."""
        data = hook_data("ContactDetailsValidation")
        data["vars"][key] = [7]
        assert f"vars.{key}" in errors_of(data, kind="validate")

    def test_all_faults_are_reported_at_once(self, hook_data):
        data = hook_data("ClientEdit")
        data.update(occurred_at="yesterday", outbox_id=-1)
        data["actor"]["ip"] = "nope"
        data["vars"]["userid"] = "x"
        assert set(errors_of(data)) == {"occurred_at", "outbox_id", "actor.ip", "vars.userid"}

    @pytest.mark.parametrize("body", [None, [], "text", 42, [{"event": "ClientAdd"}]])
    def test_a_body_that_is_not_an_object_is_one_error(self, body):
        assert errors_of(body) == {"_schema": ["Invalid input type."]}

    def test_deep_nesting_is_refused(self, hook_data):
        data = hook_data("ClientEdit")
        nested: dict = {}
        for _ in range(40):
            nested = {"a": nested}
        data["vars"]["deep"] = nested
        assert errors_of(data) == {"vars": ["Nested too deeply."]}

    @pytest.mark.parametrize(
        ("event", "path"),
        [("ClientAdd", "vars.client_id"), ("ClientEdit", "vars.userid"),
         ("ClientClose", "vars.userid"), ("PreDeleteClient", "vars.userid"),
         ("ClientDelete", "vars.userid"), ("ClientChangePassword", "vars.userid"),
         ("ContactAdd", "vars.userid"), ("ContactEdit", "vars.userid"),
         ("ContactDelete", "vars.userid"), ("CCUpdate", "vars.userid"),
         ("UserAdd", "vars.user_id"), ("UserEdit", "vars.user_id"),
         ("UserChangePassword", "vars.userid"), ("UserLogin", "vars.user"),
         ("AfterClientMerge", "vars.toUserID")],
    )
    def test_an_event_without_its_subject_id_is_refused(self, event, path, hook_data):
        data = hook_data(event)
        for key in ("userid", "client_id", "user_id", "user", "toUserID"):
            data["vars"].pop(key, None)
        assert errors_of(data)[path] == ["Missing data for required field."]

    def test_contacts_need_their_contact_id(self, hook_data):
        data = hook_data("ContactEdit")
        del data["vars"]["contactid"]
        assert "vars.contactid" in errors_of(data)

    def test_a_login_needs_the_user_id(self, hook_data):
        data = hook_data("UserLogin")
        del data["vars"]["user"]["id"]
        assert "vars.user.id" in errors_of(data)

    def test_client_add_ids_must_agree(self, hook_data):
        data = hook_data("ClientAdd")
        data["vars"]["userid"] = 9
        assert "vars.client_id" in errors_of(data)

    @pytest.mark.parametrize("actor_type", ["admin", "api"])
    def test_admin_and_api_actors_must_be_named(self, actor_type, hook_data):
        data = hook_data("ClientEdit") | {"actor": {"type": actor_type}}
        assert errors_of(data) == {"actor.id": ["Missing data for required field."]}

    def test_a_panel_call_needs_the_client(self, hook_data):
        data = hook_data("ClientAreaHomepage")
        data["vars"] = {}
        assert "vars.userid" in errors_of(data, kind="panel")

    def test_a_validate_call_without_client_is_a_new_sign_up(self, hook_data):
        data = hook_data("ClientDetailsValidation")
        del data["vars"]["userid"]
        assert "userid" not in load_envelope(data, kind="validate").vars

    def test_email_pre_send_needs_the_template_name(self, hook_data):
        data = hook_data("EmailPreSend")
        data["vars"]["messagename"] = "   "
        assert "vars.messagename" in errors_of(data, kind="validate")

    def test_the_message_is_generic(self, hook_data):
        data = hook_data("ClientEdit") | {"occurred_at": SENTINEL}
        with pytest.raises(ValidationFailed) as caught:
            load_envelope(data, kind="event")
        assert SENTINEL not in str(caught.value) and SENTINEL not in repr(caught.value)
        assert caught.value.slug == "validation"
