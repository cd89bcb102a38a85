"""bridge.vocabulary: one home for WHMCS's field, hook and form names; the module's copy is
generated from it and checked."""

from __future__ import annotations

import dataclasses
import itertools
import subprocess
import sys
from pathlib import Path

import pytest

from bridge import vocabulary as v
from bridge.ingest.fields import FieldPolicy
from bridge.ledger.entries import Category
from bridge.vocabulary import php
from bridge.whmcs.results import Profile

REPO = Path(__file__).resolve().parents[2]
MODULE_FILE = REPO / php.PHP_PATH
PRIVACY_TEMPLATE = REPO / "bridge" / "web" / "templates" / "panel_client_privacy.html"


class TestGeneratedPhp:
    def test_the_module_file_is_up_to_date(self):
        assert MODULE_FILE.read_text(encoding="utf-8") == php.render(), (
            f"{php.PHP_PATH} differs from bridge/vocabulary: run `{php.COMMAND}`"
        )
        assert php.check(MODULE_FILE) is None

    def test_check_names_a_stale_file_in_one_line_and_exits_non_zero(self, tmp_path):
        stale = tmp_path / "Vocabulary.php"
        stale.write_text(php.render().replace("'ClientAdd', ", ""), encoding="utf-8")

        result = subprocess.run([sys.executable, "-m", "bridge.vocabulary", "--check", "--path", str(stale)],
                                capture_output=True, text=True, check=False, cwd=REPO)

        assert result.returncode == 1
        assert result.stderr.count("\n") == 1 and "out of date" in result.stderr and php.COMMAND in result.stderr
        assert "missing" in php.check(tmp_path / "absent.php")

    def test_php_writes_what_check_accepts(self, tmp_path):
        target = tmp_path / "Vocabulary.php"

        subprocess.run([sys.executable, "-m", "bridge.vocabulary", "--php", "--path", str(target)],
                       capture_output=True, check=True, cwd=REPO)

        assert php.check(target) is None

    def test_every_list_and_name_is_rendered(self):
        rendered = php.constants()

        shared = {n for n, val in vars(v).items() if n.isupper() and isinstance(val, str | tuple | frozenset)}

        assert set(rendered) == shared
        assert rendered["HANDLED_EVENTS"] == tuple(sorted(v.HANDLED_EVENTS))
        assert rendered["CONTACT_FIELDS"] == v.CONTACT_FIELDS
        assert "const ERASED_EVENT = 'PrivacyBridgeErased';" in php.render()

    def test_quotes_are_escaped(self):
        assert php._string("it's a \\ test") == "'it\\'s a \\\\ test'"


class TestNames:
    CATEGORIES = {"contact": v.CONTACT_FIELDS, "billing": v.BILLING_FIELDS, "consent": v.CONSENT_FIELDS,
                  "account": v.ACCOUNT_FIELDS, "contact switches": v.CONTACT_SWITCHES, "card": v.CARD_FIELDS}
    EVENTS = {"handled": v.HANDLED_EVENTS, "validate": v.VALIDATE_EVENTS, "panel": v.PANEL_EVENTS,
              "module": v.MODULE_EVENTS}

    @pytest.mark.parametrize(("a", "b"), itertools.combinations(CATEGORIES, 2))
    def test_no_field_is_in_two_categories(self, a, b):
        assert not set(self.CATEGORIES[a]) & set(self.CATEGORIES[b])

    @pytest.mark.parametrize(("a", "b"), itertools.combinations(EVENTS, 2))
    def test_no_event_is_answered_by_two_endpoints(self, a, b):
        assert not self.EVENTS[a] & self.EVENTS[b]

    @pytest.mark.parametrize("name", [n for n, val in vars(v).items() if isinstance(val, tuple)])
    def test_lists_have_no_repeats(self, name):
        values = getattr(v, name)
        assert len(values) == len(set(values))

    def test_the_composed_lists(self):
        assert v.PROFILE_FIELDS == (*v.CONTACT_FIELDS, v.TAX_ID)
        assert set(v.ADDRESS_FIELDS) < set(v.CONTACT_FIELDS)
        assert set(v.CONSENT_STATE) < set(v.CONSENT_FIELDS)
        assert set(v.CLIENT_FLAGS) <= set(v.ACCOUNT_FIELDS) | set(v.CONSENT_FIELDS)
        assert set(v.PANEL_HOOKS) == v.PANEL_EVENTS - {v.PRIVACY_PAGE_EVENT}
        assert v.email_preference_form("general") == "email_preferences[general]"

    def test_the_vocabulary_is_a_leaf(self):
        code = ("import sys, bridge.vocabulary, bridge.vocabulary.php\n"
                "print(','.join(sorted(m for m in sys.modules if m.startswith('bridge.')"
                " and not m.startswith('bridge.vocabulary'))))")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
        assert out.stdout.strip() == ""


class TestUsers:
    def test_field_policy_categories_come_from_the_vocabulary(self):
        policy = FieldPolicy.build()
        expected = [(v.CONTACT_FIELDS, Category.CONTACT), (v.BILLING_FIELDS, Category.BILLING),
                    (v.CONSENT_FIELDS, Category.CONSENT), (v.ACCOUNT_FIELDS, Category.ACCOUNT)]

        assert policy.client == {name: category for names, category in expected for name in names}
        assert policy.contact == {**dict.fromkeys(v.CONTACT_FIELDS, Category.CONTACT),
                                  **dict.fromkeys(v.BILLING_FIELDS, Category.BILLING),
                                  **dict.fromkeys(v.CONTACT_SWITCHES, Category.ACCOUNT)}
        assert policy.user == dict.fromkeys(v.USER_FIELDS, Category.USER)
        assert policy.client_category(v.email_preference_form("general")) is Category.CONSENT

    def test_profile_declares_the_profile_fields(self):
        assert tuple(f.name for f in dataclasses.fields(Profile)) == v.PROFILE_FIELDS

    def test_the_privacy_page_posts_the_form_names_the_module_reads(self):
        html = PRIVACY_TEMPLATE.read_text(encoding="utf-8")

        assert f'name="{v.EXPORT_ACTION_FIELD}" value="{v.EXPORT_ACTION}"' in html
        assert f'name="{v.EXPORT_PASSWORD_FIELD}"' in html
