import dataclasses
from datetime import UTC, datetime

import pytest

from bridge.ingest import HANDLED_EVENTS, FieldPolicy, UnhandledEvent, drafts_for
from bridge.ingest.handlers import REGISTRY
from bridge.ledger.entries import Actor, Category, Change, EventType, Subject
from bridge.schemas.hooks import load_envelope
from bridge.settings import Settings

E = EventType
# event -> [(event type, subject ref, client_id, data-key subject ref)] for the fixture envelope
EXPECTED = {
    "ClientAdd": [(E.CLIENT_CREATED, "client:1042", 1042, "client:1042"),
                  (E.CONSENT_CHANGED, "client:1042", 1042, "client:1042")],
    "ClientEdit": [(E.CLIENT_UPDATED, "client:1042", 1042, "client:1042"),
                   (E.CONSENT_CHANGED, "client:1042", 1042, "client:1042")],
    "ClientClose": [(E.CLIENT_CLOSED, "client:1042", 1042, "client:1042")],
    "PreDeleteClient": [(E.CLIENT_DELETED, "client:1042", 1042, "client:1042")],
    "ClientDelete": [(E.CLIENT_DELETED, "client:1042", 1042, "client:1042")],
    "ClientChangePassword": [(E.CREDENTIALS_CHANGED, "client:1042", 1042, "client:1042")],
    "UserAdd": [(E.USER_CREATED, "user:2043", None, "user:2043")],
    "UserEdit": [(E.USER_UPDATED, "user:2043", None, "user:2043")],
    "UserChangePassword": [(E.CREDENTIALS_CHANGED, "user:2043", None, "user:2043")],
    "UserLogin": [(E.USER_LOGIN, "user:2042", None, "user:2042")],
    "ContactAdd": [(E.CONTACT_CREATED, "contact:77", 1042, "client:1042")],
    "ContactEdit": [(E.CONTACT_UPDATED, "contact:77", 1042, "client:1042")],
    "ContactDelete": [(E.CONTACT_DELETED, "contact:77", 1042, "client:1042")],
    "CCUpdate": [(E.PAYMETHOD_CHANGED, "client:1042", 1042, "client:1042")],
    "AfterClientMerge": [(E.CLIENT_UPDATED, "client:1042", 1042, "client:1042")],
    "DailyCronJob": [],
}
# Secret values in the fixtures: none may appear anywhere in a draft.
FIXTURE_SECRETS = [
    "correct horse battery staple", "n3w-Example-Passw0rd", "Example-Passw0rd!", "An0ther-Example!",
    "$2y$10$", "JBSWY3DPEHPK3PXP", "4111111111111111",
]


@pytest.fixture
def policy():
    return FieldPolicy.build()


@pytest.fixture
def drafts(hook_data, policy):
    def make(event, **vars_overrides):
        data = hook_data(event)
        data["vars"].update(vars_overrides)
        return drafts_for(load_envelope(data, kind="event"), fields=policy)

    return make


def changes_of(draft):
    return {change.field: (change.old, change.new) for change in draft.changes}


def strings_in(value):
    """Every string and number anywhere inside a draft (dataclasses, mappings, sequences)."""
    if dataclasses.is_dataclass(value):
        value = dataclasses.asdict(value)
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in strings_in(k) + strings_in(v)]
    if isinstance(value, list | tuple):
        return [s for item in value for s in strings_in(item)]
    return [str(value)]


class TestRegistry:
    def test_every_handled_event_has_exactly_one_handler(self):
        assert set(REGISTRY) == HANDLED_EVENTS == set(EXPECTED)

    def test_an_unhandled_event_is_refused_by_name(self, hook_data, policy):
        data = hook_data("ClientClose") | {"event": "InvoicePaid"}
        envelope = load_envelope(data, kind="event")
        with pytest.raises(UnhandledEvent, match="InvoicePaid"):
            drafts_for(envelope, fields=policy)


class TestFixtures:
    @pytest.mark.parametrize("event", sorted(HANDLED_EVENTS))
    def test_each_fixture_yields_its_expected_drafts(self, event, drafts):
        got = drafts(event)
        shape = [(d.event_type, d.subject.ref, d.client_id, d.encryption_subject.ref) for d in got]
        assert shape == EXPECTED[event]

    @pytest.mark.parametrize("event", sorted(HANDLED_EVENTS - {"DailyCronJob"}))
    def test_every_draft_carries_the_envelope_time_actor_and_metadata(self, event, hook_data, drafts):
        data = hook_data(event)
        for draft in drafts(event):
            assert draft.occurred_at == datetime.fromisoformat(data["occurred_at"])
            assert draft.occurred_at.tzinfo is UTC
            assert isinstance(draft.actor, Actor) and draft.actor.type == data["actor"]["type"]
            assert draft.details["event"] == event
            assert draft.details["outbox_id"] == data["outbox_id"]
            assert draft.details["whmcs_version"] == "8.13.1"
            assert draft.private == {}

    @pytest.mark.parametrize("event", sorted(HANDLED_EVENTS))
    def test_no_secret_value_reaches_a_draft(self, event, drafts):
        values = strings_in(drafts(event))
        for secret in FIXTURE_SECRETS:
            assert not [value for value in values if secret in value]
        assert "123" not in values  # the CVV
        assert not {"cardnum", "cardcvv", "authdata", "securityqans"} & set(values)


class TestClientAdd:
    def test_tracked_values_are_recorded_as_new(self, drafts):
        created, consent = drafts("ClientAdd")
        assert changes_of(created)["email"] == (None, "jane.doe@example.com")
        assert changes_of(created)["tax_id"] == (None, "GB123456789")
        assert created.details["owner_user_id"] == 2042

    def test_empty_and_untracked_values_are_left_out(self, drafts):
        created, _ = drafts("ClientAdd")
        assert "address2" not in changes_of(created)  # "" is no value
        assert "notes" not in changes_of(created) and "customFields" not in changes_of(created)
        assert "password" not in changes_of(created)

    def test_sign_up_consent_is_its_own_entry(self, drafts):
        created, consent = drafts("ClientAdd")
        assert changes_of(consent) == {
            "emailoptout": (None, False), "marketing_emails_opt_in": (None, True),
        }
        assert {c.category for c in consent.changes} == {Category.CONSENT}
        assert Category.CONSENT not in {c.category for c in created.changes}

    def test_no_consent_given_means_no_consent_entry(self, drafts):
        got = drafts("ClientAdd", emailoptout=None, marketing_emails_opt_in=None)
        # null flags read as false, so the consent entry still says "not opted in"
        assert [d.event_type for d in got] == [E.CLIENT_CREATED, E.CONSENT_CHANGED]


class TestClientEdit:
    def test_changed_fields_are_diffed_against_olddata(self, drafts):
        updated = drafts("ClientEdit")[0]
        assert changes_of(updated)["email"] == ("jane.doe@example.com", "jane.doe@example.net")
        assert changes_of(updated)["address1"] == ("1 Example Street", "22 Sample Road")
        assert "firstname" not in changes_of(updated)

    def test_consent_fields_go_to_a_consent_entry(self, drafts):
        updated, consent = drafts("ClientEdit")
        assert changes_of(consent) == {
            "emailoptout": (False, True),
            "marketing_emails_opt_in": (True, False),
            "isOptedInToMarketingEmails": (True, False),
        }
        assert not {c.field for c in updated.changes} & set(changes_of(consent))

    def test_fields_olddata_lacks_are_recorded_and_flagged(self, drafts):
        updated = drafts("ClientEdit")[0]
        assert updated.details["unknown_old"] == ["paymentmethod", "tax_id"]
        assert "unknown_old" not in drafts("ClientEdit")[1].details
        assert changes_of(updated)["tax_id"] == (None, "GB123456789")
        assert changes_of(updated)["paymentmethod"] == (None, "banktransfer")

    def test_whitespace_empty_and_boolean_spellings_are_no_change(self, hook_data, policy):
        data = hook_data("ClientEdit")
        old = data["vars"]["olddata"]
        old.update(address2=None, city="Exampleton  ", taxexempt="off", allow_sso=True)
        data["vars"].update(
            address2="", city=" Exampleton", taxexempt=0, allow_sso="on", email=old["email"],
            address1=old["address1"], phonenumber=old["phonenumber"], email_verified="1",
            emailoptout="", marketing_emails_opt_in="1",
            isOptedInToMarketingEmails="yes",
        )
        for name in ("tax_id", "defaultgateway"):  # not in olddata: their old value is unknown
            del data["vars"][name]
        [updated] = drafts_for(load_envelope(data, kind="event"), fields=policy)
        assert updated.event_type == E.CLIENT_UPDATED
        assert updated.changes == ()

    def test_form_style_preference_keys_are_diffed_per_kind(self, hook_data, policy):
        data = hook_data("ClientEdit")
        del data["vars"]["email_preferences"]
        data["vars"]["email_preferences[affiliate]"] = "on"
        got = drafts_for(load_envelope(data, kind="event"), fields=policy)
        consent = next(d for d in got if d.event_type == E.CONSENT_CHANGED)
        assert changes_of(consent)["email_preferences[affiliate]"] == (False, True)
        assert "email_preferences[general]" not in changes_of(consent)

    def test_only_a_consent_change_gives_only_a_consent_entry(self, hook_data, policy):
        data = hook_data("ClientEdit")
        data["vars"] = {"userid": 1042, "emailoptout": "1", "olddata": {"emailoptout": "0"}}
        got = drafts_for(load_envelope(data, kind="event"), fields=policy)
        assert [d.event_type for d in got] == [E.CONSENT_CHANGED]

    @pytest.mark.parametrize(
        ("old", "new", "expected"),
        [
            ("Active", "Closed", [E.CLIENT_CLOSED]),
            ("Inactive", "closed", [E.CLIENT_CLOSED]),
            (None, "Closed", [E.CLIENT_CLOSED]),  # unknown before: closing twice is harmless
            ("Closed", "Active", [E.CLIENT_REACTIVATED]),
            ("Closed", "Inactive", [E.CLIENT_REACTIVATED]),
            ("Closed", "Closed", []),
            ("Active", "Inactive", []),
            (None, "Active", []),
        ],
    )
    def test_status_moves_add_closure_entries(self, hook_data, policy, old, new, expected):
        data = hook_data("ClientEdit")
        data["vars"] = {"userid": 1042, "status": new, "olddata": {}}
        if old is not None:
            data["vars"]["olddata"]["status"] = old
        got = drafts_for(load_envelope(data, kind="event"), fields=policy)
        assert [d.event_type for d in got[1:]] == expected
        for draft in got[1:]:
            assert draft.details["from"] == old and draft.details["to"] == new
            assert draft.client_id == 1042

    def test_a_field_cleared_with_unknown_old_value_is_still_recorded(self, hook_data, policy):
        data = hook_data("ClientEdit")
        data["vars"]["tax_id"] = ""
        updated = drafts_for(load_envelope(data, kind="event"), fields=policy)[0]
        assert changes_of(updated)["tax_id"] == (None, None)
        assert "tax_id" in updated.details["unknown_old"]

    def test_an_edit_without_olddata_flags_everything_as_unknown(self, hook_data, policy):
        data = hook_data("ClientEdit")
        del data["vars"]["olddata"]
        updated = drafts_for(load_envelope(data, kind="event"), fields=policy)[0]
        assert "email" in updated.details["unknown_old"]
        assert changes_of(updated)["email"] == (None, "jane.doe@example.net")


class TestFieldPolicy:
    def test_an_extra_protected_field_is_tracked(self, hook_data):
        policy = FieldPolicy.from_settings(Settings(protected_fields=("email", "notes")))
        data = hook_data("ClientEdit")
        data["vars"]["notes"] = "Prefers phone contact"
        updated = drafts_for(load_envelope(data, kind="event"), fields=policy)[0]
        assert changes_of(updated)["notes"] == ("Signed up after a phone call", "Prefers phone contact")
        assert policy.protected == {"email", "notes"}

    def test_fields_stay_tracked_when_not_protected(self):
        policy = FieldPolicy.from_settings(Settings(protected_fields=("email",)))
        assert policy.client["address1"] == Category.CONTACT
        assert policy.client["paymentmethod"] == Category.BILLING

    def test_categories_follow_the_contract(self, policy):
        assert policy.client_category("email_preferences[invoices]") == Category.CONSENT
        assert policy.client_category("emailoptout") == Category.CONSENT
        assert policy.client_category("status") == Category.ACCOUNT
        assert policy.client_category("notes") is None
        assert policy.contact["tax_id"] == Category.BILLING
        assert "marketing_emails_opt_in" not in policy.contact
        assert set(policy.user) == {"firstname", "lastname", "email", "language"}


class TestOtherEvents:
    @pytest.mark.parametrize("event", ["ClientChangePassword", "UserChangePassword"])
    def test_a_password_change_records_only_that_it_changed(self, event, drafts):
        [draft] = drafts(event)
        assert draft.changes == (Change("password", Category.CREDENTIALS, None, "changed"),)

    def test_a_card_update_records_type_and_last_four_only(self, drafts):
        [draft] = drafts("CCUpdate")
        assert changes_of(draft) == {"cardtype": (None, "Visa"), "cardlastfour": (None, "1111")}
        assert {c.category for c in draft.changes} == {Category.BILLING}

    def test_a_full_number_sent_as_last_four_is_cut_to_four(self, drafts):
        [draft] = drafts("CCUpdate", cardlastfour="4111 1111 1111 9876")
        assert changes_of(draft)["cardlastfour"] == (None, "9876")

    def test_a_merge_updates_the_target_and_names_the_source(self, drafts):
        [draft] = drafts("AfterClientMerge")
        assert draft.subject == Subject("client", "1042")
        assert draft.details["merged_from"] == 1077

    def test_contact_edits_are_diffed_under_the_client_key(self, drafts):
        [draft] = drafts("ContactEdit")
        assert changes_of(draft) == {
            "email": ("billing@example.com", "accounts@example.com"),
            "supportemails": (False, True),
        }
        assert draft.key_subject == Subject("client", "1042")

    def test_user_edits_are_diffed(self, drafts):
        [draft] = drafts("UserEdit")
        assert changes_of(draft) == {
            "lastname": ("Roe", "Roe-Smith"),
            "email": ("john.roe@example.com", "john.roe@example.net"),
        }
        assert {c.category for c in draft.changes} == {Category.USER}

    def test_a_login_records_who_without_copying_their_details(self, drafts):
        [draft] = drafts("UserLogin")
        assert draft.changes == ()
        assert draft.actor.ip == "203.0.113.5"

    def test_the_daily_cron_writes_nothing_itself(self, drafts):
        assert drafts("DailyCronJob") == []
