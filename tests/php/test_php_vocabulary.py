"""The module's Vocabulary.php, loaded by real php-cli, holds the bridge's vocabulary, and the
module's lists and hook registrations are built from it."""

from __future__ import annotations

import json
import subprocess

import pytest

from bridge import vocabulary as v
from bridge.vocabulary.php import constants
from tests.php.whmcs_harness import HERE, MODULE_DIR

pytestmark = pytest.mark.php

PROBE = HERE / "vocabulary_probe.php"


@pytest.fixture(scope="module")
def loaded(php: str) -> dict:
    result = subprocess.run([php, str(PROBE), str(MODULE_DIR)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def test_vocabulary_php_has_every_python_name_and_no_other(loaded):
    expected = {name: list(value) if isinstance(value, tuple) else value for name, value in constants().items()}

    assert loaded["vocabulary"] == expected


def test_the_php_lists_equal_the_python_ones(loaded):
    php = loaded["vocabulary"]

    assert php["CONTACT_FIELDS"] == list(v.CONTACT_FIELDS)
    assert php["PROFILE_FIELDS"] == list(v.PROFILE_FIELDS)
    assert php["BILLING_FIELDS"] == list(v.BILLING_FIELDS)
    assert set(php["HANDLED_EVENTS"]) == v.HANDLED_EVENTS
    assert set(php["VALIDATE_EVENTS"]) == v.VALIDATE_EVENTS
    assert set(php["PANEL_EVENTS"]) == v.PANEL_EVENTS
    assert set(php["MODULE_EVENTS"]) == v.MODULE_EVENTS
    assert php["ERASED_EVENT"] == v.ERASED_EVENT


def test_payload_and_whmcs_data_lists_come_from_the_vocabulary(loaded):
    payload, data = loaded["payload"], loaded["whmcs_data"]

    assert payload["CONTACT"] == list(v.CONTACT_FIELDS)
    assert set(payload["CLIENT_SETTINGS"]) == {*v.BILLING_HOOK_FIELDS, *v.CONSENT_FIELDS, v.EMAIL_PREFERENCES,
                                               *v.ACCOUNT_FIELDS, v.GATEWAY_COLUMN}
    assert payload["CONTACT_SETTINGS"] == [v.TAX_ID, *v.CONTACT_SWITCHES]
    assert payload["USER"] == ["user_id", *v.USER_FIELDS]
    assert payload["CONSENT_FORM"] == list(v.CONSENT_FORM)
    assert data["CONTACT_CURRENT"] == list(v.PROFILE_FIELDS)
    assert set(data["CLIENT_CURRENT"]) >= {*v.PROFILE_FIELDS, *v.CONSENT_STATE}


def test_hooks_php_registers_every_hook_the_bridge_answers(loaded):
    hooks = loaded["hooks"]
    registered = set(hooks)

    assert len(hooks) == len(registered), "a hook registered twice"
    assert v.HANDLED_EVENTS <= registered
    assert v.VALIDATE_EVENTS <= registered
    assert set(v.PANEL_HOOKS) <= registered
    assert v.WORK_EVENT in registered
    # the module's own names are not WHMCS hooks: never registered
    assert not {v.ERASED_EVENT, v.EXPORT_EVENT, v.PRIVACY_PAGE_EVENT} & registered
