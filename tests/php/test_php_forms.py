"""The validation and event hooks read WHMCS's forms and models as WHMCS really posts and passes
them (contract section 10, "The WHMCS API as documented"; sources in docs/whmcs-forms.md)."""

from __future__ import annotations

import pytest

from tests.php import whmcs_forms as forms
from tests.php.whmcs_harness import VALIDATE_PATH, Reply, admin_area, bridge_accepts, client_area, cron

pytestmark = pytest.mark.php

CLIENT_ROW = {"id": 42, "firstname": "Ada", "email": "ada@example.com", "defaultgateway": "", "tax_id": "GB1"}


@pytest.fixture
def client42(whmcs):
    whmcs.seed("tblclients", **CLIENT_ROW)
    return whmcs


def validate_vars(receiver) -> dict:
    [request] = receiver.requests(VALIDATE_PATH)
    bridge_accepts(request.envelope, kind="validate")
    return request.envelope["vars"]


class TestClientDetailsForm:
    """Section 10: the validation hooks read the form as WHMCS's own templates post it:
    `paymentmethod=none` is the default gateway, `marketingoptin` is the marketing checkbox, a
    locked (disabled) field is absent and absent means unchanged."""

    @pytest.mark.parametrize(
        "post",
        [forms.TWENTY_ONE_DETAILS, forms.TWENTY_ONE_DETAILS_LOCKED, forms.SIX_DETAILS],
        ids=["twenty-one", "twenty-one-locked", "six"],
    )
    def test_the_profile_fields_are_forwarded_as_posted(self, client42, receiver, post):
        client42.fire("ClientDetailsValidation", post, client_area(42))

        sent = validate_vars(receiver)
        expected = forms.forwardable(post, forms.CLIENT_FORM_FIELDS)
        assert {k: v for k, v in sent.items() if k not in ("userid", "current")} == expected
        assert sent["userid"] == 42

    def test_the_default_gateway_and_the_marketing_switch_travel_untouched(self, client42, receiver):
        client42.fire("ClientDetailsValidation", forms.TWENTY_ONE_DETAILS, client_area(42))

        sent = validate_vars(receiver)
        assert sent["paymentmethod"] == "none" and sent["marketingoptin"] == "1"
        assert sent["email_preferences"] == forms.EMAIL_PREFERENCES

    def test_locked_fields_and_an_unchecked_switch_stay_absent(self, client42, receiver):
        client42.fire("ClientDetailsValidation", forms.TWENTY_ONE_DETAILS_LOCKED, client_area(42))

        sent = validate_vars(receiver)
        assert sent["address1"] == forms.PERSON["address1"]  # the posted ones are there
        assert not {"firstname", "lastname", "email", "tax_id", "marketingoptin"} & set(sent)

    def test_form_plumbing_custom_fields_and_language_are_not_forwarded(self, client42, receiver):
        client42.fire("ClientDetailsValidation", forms.TWENTY_ONE_DETAILS, client_area(42))

        assert not {"token", "save", "customfield", "accountLanguage"} & set(validate_vars(receiver))

    def test_current_is_the_stored_row_with_the_gateway_as_paymentmethod(self, client42, receiver):
        client42.fire("ClientDetailsValidation", forms.TWENTY_ONE_DETAILS, client_area(42))

        current = validate_vars(receiver)["current"]
        assert current["paymentmethod"] == "" and current["email"] == "ada@example.com"
        assert current["tax_id"] == "GB1"

    def test_the_admin_profile_names_the_client_in_the_request(self, client42, receiver):
        client42.fire("ClientDetailsValidation", forms.SIX_DETAILS, admin_area(3, userid=42))

        assert validate_vars(receiver)["current"]["firstname"] == "Ada"

    def test_a_sign_up_is_allowed_without_asking(self, whmcs, receiver):
        context = client_area()
        context["current_user"] = {}

        run = whmcs.fire("ClientDetailsValidation", forms.REGISTER, context)

        assert run.result == [] and receiver.requests() == []


class TestContactForm:
    """Section 10: contacts post `email_preferences[...]`; `vars.current` is read only for a
    contact of the client in `vars.userid`, never another customer's values."""

    def test_an_existing_contact_forwards_its_preferences_and_current(self, whmcs, receiver):
        whmcs.seed("tblcontacts", id=5, userid=42, email="old@example.com")

        whmcs.fire("ContactDetailsValidation", forms.CONTACT_MANAGE, client_area(42))

        sent = validate_vars(receiver)
        assert {k: v for k, v in sent.items() if k not in ("userid", "current")} == forms.forwardable(
            forms.CONTACT_MANAGE, forms.CONTACT_FORM_FIELDS
        )
        assert sent["email_preferences"] == forms.EMAIL_PREFERENCES
        assert sent["contactid"] == "5" and sent["current"]["email"] == "old@example.com"

    def test_a_new_contact_has_no_contactid_nor_current(self, whmcs, receiver):
        whmcs.fire("ContactDetailsValidation", forms.CONTACT_NEW, client_area(42))

        sent = validate_vars(receiver)
        assert sent["email"] == "billing@example.com" and sent["userid"] == 42
        assert "contactid" not in sent and "current" not in sent

    def test_another_clients_contact_yields_no_current(self, whmcs, receiver):
        whmcs.seed("tblcontacts", id=5, userid=99, email="someone-else@example.com")

        whmcs.fire("ContactDetailsValidation", forms.CONTACT_MANAGE, client_area(42))

        sent = validate_vars(receiver)
        assert sent["contactid"] == "5" and "current" not in sent
        assert "someone-else" not in receiver.requests(VALIDATE_PATH)[0].body.decode()

    def test_the_admin_contact_page_reads_only_that_clients_contacts(self, whmcs, receiver):
        whmcs.seed("tblcontacts", id=5, userid=42, email="own@example.com")
        whmcs.seed("tblcontacts", id=6, userid=99, email="other@example.com")

        whmcs.fire("ContactDetailsValidation", forms.CONTACT_MANAGE, admin_area(3, userid=42))
        whmcs.fire("ContactDetailsValidation", {**forms.CONTACT_MANAGE, "contactid": "6"}, admin_area(3, userid=42))

        own, other = (r.envelope["vars"] for r in receiver.requests(VALIDATE_PATH))
        assert own["current"]["email"] == "own@example.com" and "current" not in other


class TestArraysWhereStringsBelong:
    """Section 10: a form value the bridge cannot read (an array where a string belongs) is
    forwarded as it is, for the bridge to judge; the hook never crashes on it."""

    def test_client_form_arrays_are_forwarded_as_posted(self, client42, receiver):
        post = {**forms.TWENTY_ONE_DETAILS, "email": ["a@example.com", "b@example.com"],
                "paymentmethod": {"x": "stripe"}, "email_preferences": "1"}  # fmt: skip
        receiver.queue(VALIDATE_PATH, Reply(200, {"allowed": False, "errors": ["Verify first."]}))

        run = client42.fire("ClientDetailsValidation", post, client_area(42))

        assert run.result == ["Verify first."]
        sent = receiver.requests(VALIDATE_PATH)[0].envelope["vars"]
        assert sent["email"] == ["a@example.com", "b@example.com"]
        assert sent["paymentmethod"] == {"x": "stripe"} and sent["email_preferences"] == "1"

    def test_an_array_contactid_is_forwarded_and_reads_no_current(self, whmcs, receiver):
        whmcs.seed("tblcontacts", id=5, userid=42, email="old@example.com")

        whmcs.fire("ContactDetailsValidation", {**forms.CONTACT_MANAGE, "contactid": ["5"]}, client_area(42))

        sent = receiver.requests(VALIDATE_PATH)[0].envelope["vars"]
        assert sent["contactid"] == ["5"] and "current" not in sent


class TestUserLogin:
    """Section 10: UserLogin's `user` is a User model with `first_name`/`last_name`; it is
    forwarded as {id, firstname, lastname, email}."""

    def test_the_user_model_columns_are_read(self, whmcs, receiver):
        user = {"__class__": "WHMCS\\User\\User", "id": 7, "first_name": "Ada", "last_name": "Lovelace",
                "email": "ada@example.com", "password": "$2y$hash"}  # fmt: skip

        whmcs.fire("UserLogin", {"user": user}, client_area())

        sent = receiver.events()[0]["vars"]
        assert sent == {"user": {"id": 7, "firstname": "Ada", "lastname": "Lovelace", "email": "ada@example.com"}}

    def test_an_array_user_is_read_the_same_way(self, whmcs, receiver):
        whmcs.fire("UserLogin", {"user": {"id": "7", "first_name": "Ada", "last_name": "L", "email": "a@b.c"}})

        assert receiver.events()[0]["vars"]["user"] == {"id": 7, "firstname": "Ada", "lastname": "L", "email": "a@b.c"}


class TestEmailTemplateTypes:
    """Section 10: EmailPreSend asks the bridge only about templates of type `general`; invoice,
    product, domain, support, affiliate, admin and notification mail never waits on the bridge."""

    def test_a_general_template_is_asked_about_with_relid_as_the_client(self, whmcs, receiver):
        whmcs.seed("tblemailtemplates", type="general", name="Spring Offer")

        whmcs.fire("EmailPreSend", {"messagename": "Spring Offer", "relid": 42, "mergefields": {}}, cron())

        assert validate_vars(receiver) == {"messagename": "Spring Offer", "relid": 42, "userid": 42}

    @pytest.mark.parametrize("kind", ["invoice", "product", "domain", "support", "affiliate", "admin", "notification"])
    def test_other_types_never_wait_on_the_bridge(self, whmcs, receiver, kind):
        whmcs.seed("tblemailtemplates", type="general", name="Spring Offer")
        whmcs.seed("tblemailtemplates", type=kind, name="Template " + kind)
        receiver.queue(VALIDATE_PATH, Reply(200, {"allowed": False, "errors": [], "abort": True}))

        run = whmcs.fire("EmailPreSend", {"messagename": "Template " + kind, "relid": 900}, cron())

        assert run.result == [] and receiver.requests() == []
        general = whmcs.fire("EmailPreSend", {"messagename": "Spring Offer", "relid": 42}, cron())
        assert general.result == {"abortsend": True}  # the same answer stops a general template

    def test_an_unknown_template_never_waits(self, whmcs, receiver):
        run = whmcs.fire("EmailPreSend", {"messagename": "Not In The Table", "relid": 42}, cron())

        assert run.result == [] and receiver.requests() == []
